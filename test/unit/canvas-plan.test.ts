import { describe, expect, it } from 'vitest';
import { Celeriac, chain, chord, group, signatureFromDict } from '../../src/index.js';
import { planApply } from '../../src/canvas/plan.js';
import type { PlanConfig } from '../../src/canvas/plan-types.js';
import type { AnyCanvas } from '../../src/canvas/canvas.js';
import { loadVector } from '../fixtures/vectors.js';

const app = new Celeriac({ logLevel: 'silent' });
const add = app.task('wiretasks.add', (x: number, y: number) => x + y);
const mul = app.task('wiretasks.mul', (x: number, y: number) => x * y);
const xsum = app.task('wiretasks.xsum', (v: number[]) => v.reduce((a, b) => a + b, 0));
const other = app.task('other', (x: number) => x, { queue: 'special' });

const NOW = Date.parse('2026-11-22T12:00:00.000Z');
const config: PlanConfig = {
  defaultQueue: 'celery',
  route: (name) => (name === 'other' ? 'special' : undefined),
  serializer: 'json',
  origin: 'gen1@test',
  replyTo: 'reply',
  now: () => NOW,
};
const plan = (canvas: AnyCanvas, args: unknown[] = []) => planApply(canvas, { args }, config);

/** The first captured message of a Celery vector. */
function celeryMessage(name: string) {
  const vector = loadVector(`${name}.json`) as { messages: Array<{ envelope: { headers: Record<string, unknown> }; body_decoded: [unknown[], Record<string, unknown>, Record<string, unknown>] }> };
  return vector.messages;
}

describe('planning canvases into protocol-v2 messages', () => {
  it('a task: every header Celery sends, root_id = own id', () => {
    const { plan: p, result } = plan(add.s(2, 3));
    expect(p.messages).toHaveLength(1);
    const m = p.messages[0]!.message;
    const celery = celeryMessage('broker_redis_json_plain')[0]!;
    expect(Object.keys(m.headers).sort()).toEqual(Object.keys(celery.envelope.headers).sort());
    expect(m.headers).toMatchObject({ lang: 'py', task: 'wiretasks.add', root_id: result.id, parent_id: null, group: null, retries: 0, timelimit: [null, null], argsrepr: '(2, 3)', kwargsrepr: '{}', ignore_result: false });
    expect(m.args).toEqual([2, 3]);
    expect(m.embed).toEqual({ callbacks: null, errbacks: null, chain: null, chord: null });
    expect(p.messages[0]!.queue).toBe('celery');
  });

  it('a chain: one message, remaining steps reversed in embed.chain, ids pre-assigned', () => {
    const { plan: p, result } = plan(chain(add.s(1, 2), mul.s(10), add.s(5)));
    expect(p.messages).toHaveLength(1);
    const m = p.messages[0]!.message;
    const celeryEmbed = celeryMessage('broker_redis_json_chain3')[0]!.body_decoded[2];
    const rest = m.embed.chain!;
    expect(rest.map((s) => [s.task, s.args])).toEqual((celeryEmbed['chain'] as Array<{ task: string; args: unknown[] }>).map((s) => [s.task, s.args]));
    expect(rest[0]!.options.task_id).toBe(result.id);
    expect(result.parent?.id).toBe(rest[1]!.options.task_id);
    expect(result.parent?.parent?.id).toBe(m.headers.id);
    expect(m.headers.root_id).toBe(m.headers.id);
  });

  it('an immutable step keeps immutable: true in its dict', () => {
    const { plan: p } = plan(chain(add.s(1, 2), mul.si(3, 3), add.s(5)));
    expect(p.messages[0]!.message.embed.chain![1]).toMatchObject({ task: 'wiretasks.mul', args: [3, 3], immutable: true });
  });

  it('a group: one message per member, same group header, positional group_index', () => {
    const { plan: p, result } = plan(group(add.s(1, 1), add.s(2, 2), add.s(3, 3)));
    expect(p.messages).toHaveLength(3);
    expect(result.kind).toBe('group');
    expect(new Set(p.messages.map((x) => x.message.headers.group))).toEqual(new Set([result.id]));
    expect(p.messages.map((x) => x.message.headers.group_index)).toEqual([0, 1, 2]);
    expect(p.chordSizes).toEqual([]);
  });

  it('a chord: size recorded, header members carry the body with its id, indexes set', () => {
    const { plan: p, result } = plan(chord([add.s(1, 1), add.s(2, 2), add.s(3, 3)], xsum.s()));
    const celery = celeryMessage('broker_redis_json_chord3');
    expect(p.messages).toHaveLength(3);
    const gid = p.messages[0]!.message.headers.group!;
    expect(p.chordSizes).toEqual([{ groupId: gid, size: 3 }]);
    for (const [i, x] of p.messages.entries()) {
      expect(x.message.headers.group_index).toBe(i);
      expect(x.message.embed.chord).toMatchObject({ task: 'wiretasks.xsum', options: { task_id: result.id } });
    }
    expect(Object.keys(p.messages[0]!.message.embed.chord!).sort()).toEqual(Object.keys(celery[0]!.body_decoded[2]['chord'] as object).sort());
    expect(result.parent).toMatchObject({ kind: 'group', id: gid });
  });

  it('an empty chord header sends the body with []', () => {
    const { plan: p } = plan(chord([], xsum.s()));
    expect(p.messages).toHaveLength(1);
    expect(p.messages[0]!.message.args).toEqual([[]]);
  });

  it('a group followed by a step becomes a celery.chord dict in the chain', () => {
    const { plan: p } = plan(chain(add.s(1, 1), group(add.s(10), add.s(20)), xsum.s()));
    const next = p.messages[0]!.message.embed.chain![0]!;
    const celeryNext = (celeryMessage('broker_redis_json_chain_with_group')[0]!.body_decoded[2]['chain'] as Array<Record<string, unknown>>)[0]!;
    expect(next.task).toBe('celery.chord');
    expect(next.subtask_type).toBe('chord');
    expect(Object.keys(next.kwargs).sort()).toEqual(Object.keys(celeryNext['kwargs'] as object).sort());
    expect((next.kwargs['header'] as { subtask_type: string }).subtask_type).toBe('group');
  });

  it('map and starmap are one message routed as their inner task', () => {
    const { plan: p } = plan(other.map([1, 2, 3]));
    expect(p.messages).toHaveLength(1);
    expect(p.messages[0]!.queue).toBe('special');
    const m = p.messages[0]!.message;
    const celery = celeryMessage('broker_redis_json_map')[0]!;
    expect(m.headers.task).toBe('celery.map');
    expect(Object.keys(m.kwargs).sort()).toEqual(Object.keys(celery.body_decoded[1]).sort());
    expect(m.kwargs['it']).toEqual([1, 2, 3]);
    expect(plan(add.starmap([[1, 2]])).plan.messages[0]!.message.headers.task).toBe('celery.starmap');
  });

  it('chunks are a group of starmaps over slices', () => {
    const { plan: p } = plan(add.chunks([[0, 0], [1, 1], [2, 2], [3, 3], [4, 4]], 2));
    expect(p.messages.map((x) => x.message.headers.task)).toEqual(['celery.starmap', 'celery.starmap', 'celery.starmap']);
    expect(p.messages.map((x) => (x.message.kwargs['it'] as unknown[]).length)).toEqual([2, 2, 1]);
    expect(new Set(p.messages.map((x) => x.message.headers.group)).size).toBe(1);
  });

  it('link and linkError travel in embed.callbacks / embed.errbacks', () => {
    const { plan: p } = plan(add.s(1, 1).link(mul.s(3)).linkError(xsum.si([1])));
    const embed = p.messages[0]!.message.embed;
    expect(embed.callbacks!.map((s) => s.task)).toEqual(['wiretasks.mul']);
    expect(embed.errbacks!.map((s) => s.task)).toEqual(['wiretasks.xsum']);
  });

  it('a chain’s linkError reaches every step; its link only the last', () => {
    const { plan: p } = plan(chain(add.s(1, 1), add.s(2)).linkError(xsum.s()).link(mul.s(2)));
    const m = p.messages[0]!.message;
    expect(m.embed.errbacks).toHaveLength(1);
    expect(m.embed.callbacks).toBeNull();
    expect(m.embed.chain![0]!.options.link_error).toHaveLength(1);
    expect(m.embed.chain![0]!.options.link).toHaveLength(1);
  });

  it('countdown, expires and priority become eta/expires headers and properties', () => {
    const { plan: p } = plan(add.s(2, 3).set({ countdown: 30, expires: 120, priority: 5, timeLimit: 10, softTimeLimit: 5 }));
    const m = p.messages[0]!.message;
    expect(m.headers.eta).toBe('2026-11-22T12:00:30.000000+00:00');
    expect(m.headers.expires).toBe('2026-11-22T12:02:00.000000+00:00');
    expect(m.properties.expiration).toBeUndefined();
    expect(m.properties.priority).toBe(5);
    expect(p.messages[0]!.priority).toBe(5);
    expect(m.headers.timelimit).toEqual([10, 5]);
  });

  it('eta and expires given as Dates or ISO strings go out with 6-digit microseconds and +00:00', () => {
    const at = new Date('2026-11-22T12:00:05.547Z');
    expect(plan(add.s(1, 2).set({ eta: at, expires: at })).plan.messages[0]!.message.headers).toMatchObject({
      eta: '2026-11-22T12:00:05.547000+00:00',
      expires: '2026-11-22T12:00:05.547000+00:00',
    });
    expect(plan(add.s(1, 2).set({ eta: '2026-11-22T12:00:05.5Z' })).plan.messages[0]!.message.headers.eta).toBe('2026-11-22T12:00:05.500000+00:00');
  });

  it('partial args are prepended, except for immutable signatures', () => {
    expect(plan(add.s(2), [1]).plan.messages[0]!.message.args).toEqual([1, 2]);
    expect(plan(add.si(2, 3), [1]).plan.messages[0]!.message.args).toEqual([2, 3]);
  });

  it('a chord nested in a chord header reports to the outer chord through its body', () => {
    const { plan: p } = plan(chord([chord([add.s(1, 1)], xsum.s()), add.s(2, 2)], xsum.s()));
    const inner = p.messages[0]!.message;
    const innerBody = inner.embed.chord!;
    const outerGid = p.messages[1]!.message.headers.group;
    expect(innerBody.options.group_id).toBe(outerGid);
    expect(innerBody.options.group_index).toBe(0);
    expect(innerBody.options.chord?.task).toBe('wiretasks.xsum');
    expect(p.chordSizes.map((c) => c.size).sort()).toEqual([1, 2]);
  });
});

describe('signatures are immutable values with Celery’s dict form', () => {
  it('set, clone, link return new values and leave the original unchanged', () => {
    const base = add.s(1);
    const changed = base.set({ queue: 'q', countdown: 5 });
    expect(base.options).toEqual({});
    expect(changed.options).toMatchObject({ queue: 'q', countdown: 5 });
    expect(base.clone({ args: [2] }).args).toEqual([1, 2]);
    expect(base.args).toEqual([1]);
    expect(base.link(mul.s(2)).options.link).toHaveLength(1);
    expect(base.options.link).toBeUndefined();
    expect(() => (base.args as unknown[]).push(3)).toThrow();
  });

  it('freeze assigns ids up front, deeply', () => {
    const frozen = chord([add.s(1, 1), chain(add.s(2, 2), add.s(1))], xsum.s()).freeze();
    expect(frozen.id).toBeTruthy();
    expect(frozen.header.tasks.every((t) => t.id)).toBe(true);
    expect(frozen.body.id).toBeTruthy();
  });

  it.each([
    ['task', add.s(1, 2).set({ queue: 'q' })],
    ['immutable', mul.si(3, 3)],
    ['chain', chain(add.s(1, 2), mul.s(10))],
    ['group', group(add.s(1, 1), add.s(2, 2))],
    ['chord', chord([add.s(1, 1)], xsum.s())],
    ['map', add.starmap([[1, 2]])],
    ['chunks', add.chunks([[1, 2], [3, 4]], 1)],
  ])('%s round-trips through the signature dict', (_name, canvas) => {
    const dict = JSON.parse(JSON.stringify(canvas.toJSON()));
    expect(signatureFromDict(dict).toJSON()).toEqual(dict);
  });

  it('revives the Python-made celery.chord dict from a captured chain', () => {
    const celeryNext = (celeryMessage('broker_redis_json_chain_with_group')[0]!.body_decoded[2]['chain'] as unknown[])[0];
    const revived = signatureFromDict(celeryNext);
    expect(revived.subtaskType).toBe('chord');
    expect(revived.toJSON().kwargs['body']).toMatchObject({ task: 'wiretasks.xsum' });
  });

  it("revives a chord dict whose header is a list of signatures (what Python's chord(...) sends)", () => {
    const dict = {
      task: 'celery.chord',
      args: [],
      kwargs: { kwargs: {}, header: [add.s(1, 1).toJSON(), add.s(2, 2).toJSON()], body: xsum.s().toJSON() },
      options: {},
      subtask_type: 'chord',
      immutable: false,
    };
    const revived = signatureFromDict(JSON.parse(JSON.stringify(dict)));
    expect(revived.subtaskType).toBe('chord');
    const header = revived.toJSON().kwargs['header'] as { subtask_type: string; kwargs: { tasks: { args: unknown[] }[] } };
    expect(header.subtask_type).toBe('group');
    expect(header.kwargs.tasks.map((t) => t.args)).toEqual([[1, 1], [2, 2]]);
  });

  it("takes a chain header's steps as the header members and one signature as a one-member header (Celery's chord())", () => {
    const fromChain = chord(chain(add.s(1, 1), add.s(2, 2)), xsum.s());
    expect(fromChain.header.tasks.map((t) => t.args)).toEqual([[1, 1], [2, 2]]);
    expect(chord(add.s(3, 3), xsum.s()).header.tasks.map((t) => t.args)).toEqual([[3, 3]]);
    expect(chord([chain(add.s(1, 1), add.s(2))], xsum.s()).header.tasks[0]!.subtaskType).toBe('chain');
    const revived = signatureFromDict(JSON.parse(JSON.stringify({ ...fromChain.toJSON(), kwargs: { kwargs: {}, header: chain(add.s(1, 1), add.s(2, 2)).toJSON(), body: xsum.s().toJSON() } })));
    expect((revived.toJSON().kwargs['header'] as { kwargs: { tasks: unknown[] } }).kwargs.tasks).toHaveLength(2);
  });
});
