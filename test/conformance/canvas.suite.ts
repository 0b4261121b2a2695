/**
 * The canvas semantics DESIGN.md §4 promises, end to end through a real worker. One suite; each
 * transport runs it (memory in test/unit, Redis and RabbitMQ in test/integration).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chain, chord, currentTask, group, RemoteTaskError, type Celeriac, type Worker } from '../../src/index.js';

/** Register the canvas conformance tests; `makeApp` returns a fresh app on the transport under test. */
export function canvasConformance(name: string, makeApp: () => Celeriac, workerOptions: Parameters<Celeriac['worker']>[0] = {}): void {
describe(`canvas semantics: ${name}`, () => {
const app = makeApp();
const calls = new Map<string, unknown[][]>();
const record = (name: string, args: unknown[]) => calls.set(name, [...(calls.get(name) ?? []), args]);
const add = app.task('add', (x: number, y: number) => x + y);
const xsum = app.task('xsum', (values: number[]) => values.reduce((a, b) => a + b, 0));
const identity = app.task('identity', (values: unknown) => values);
const slowAdd = app.task('slow_add', async (x: number, y: number, ms: number) => {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return x + y;
});
const boom = app.task('boom', (message: string) => {
  throw new TypeError(message);
});
const flaky = app.task('flaky', (value: number) => {
  const ctx = currentTask()!;
  if (ctx.retries < 2) ctx.retry({ countdown: 0.01 });
  return value;
});
const onError = app.task('on_error', (failedId: string, tag: string) => {
  record(`on_error:${tag}`, [failedId]);
  return failedId;
});
const collect = app.task('collect', (value: unknown, tag: string) => {
  record(`collect:${tag}`, [value]);
  return value;
});

let worker: Worker;
beforeAll(async () => {
  worker = await app.worker({ concurrency: 8, ...workerOptions }).start();
});
afterAll(async () => {
  await worker.stop();
  await app.close();
});

const T = { timeout: 5000 };
const waitUntil = async (check: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
};

describe('chains', () => {
  it('pass each result as the first argument of the next mutable step', async () => {
    const result = await add.s(2, 2).pipe(add.s(4), add.s(8)).applyAsync();
    expect(await result.get(T)).toBe(16);
  });

  it('immutable steps ignore the parent result', async () => {
    expect(await (await chain(add.s(1, 1), add.si(10, 10), add.s(1)).applyAsync()).get(T)).toBe(21);
  });

  it('expose parents and children for every step', async () => {
    const result = await chain(add.s(1, 1), add.s(2), add.s(3)).applyAsync();
    expect(await result.get(T)).toBe(7);
    expect(await result.parent?.get(T)).toBe(4);
    expect(await result.parent?.parent?.get(T)).toBe(2);
    const children = await result.parent!.parent!.children();
    expect(children.map((c) => c.id)).toEqual([result.parent!.id]);
    expect((await result.fetchParent())?.id).toBe(result.parent!.id);
  });

  it('a failing step fails every later step with the same error', async () => {
    const result = await chain(add.s(1, 1), boom.si('mid'), add.s(1)).applyAsync();
    const error = await result.get(T).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteTaskError);
    expect(error).toMatchObject({ excType: 'TypeError', excModule: 'builtins', excArgs: ['mid'] });
    expect(await result.state()).toBe('FAILURE');
  });
});

describe('groups', () => {
  it('join member results in order', async () => {
    const result = await group(slowAdd.s(1, 1, 30), add.s(2, 2), slowAdd.s(3, 3, 10)).applyAsync();
    expect(await result.join(T)).toEqual([2, 4, 6]);
    expect(await result.completedCount()).toBe(3);
    expect(await result.successful()).toBe(true);
  });

  it('empty and one-member groups', async () => {
    expect(await (await group().applyAsync()).join(T)).toEqual([]);
    expect(await (await group(add.s(5, 5)).applyAsync()).join(T)).toEqual([10]);
  });

  it('group of chains', async () => {
    const result = await group(chain(add.s(1, 1), add.s(1)), chain(add.s(2, 2), add.s(2))).applyAsync();
    expect(await result.join(T)).toEqual([3, 6]);
  });

  it('save and restore by id', async () => {
    const result = await group(add.s(1, 1), add.s(2, 2)).applyAsync();
    await result.join(T);
    await result.save();
    const restored = await app.groupResult(result.id);
    expect(restored?.results.map((r) => r.id)).toEqual(result.results.map((r) => r.id));
    expect(await restored?.join(T)).toEqual([2, 4]);
  });

  it('a group followed by a step becomes a chord', async () => {
    expect(await (await group(add.s(1, 1), add.s(2, 2)).pipe(xsum.s()).applyAsync()).get(T)).toBe(6);
  });
});

describe('chords', () => {
  it('the body gets header results in header order, whatever the finishing order', async () => {
    const result = await chord([slowAdd.s(1, 0, 60), slowAdd.s(2, 0, 30), add.s(3, 0)], identity.s()).applyAsync();
    expect(await result.get(T)).toEqual([1, 2, 3]);
  });

  it('an empty header runs the body with []', async () => {
    expect(await (await chord([], identity.s()).applyAsync()).get(T)).toEqual([]);
  });

  it('chord in chain, chord with chain body, chord of chords, chain of groups', async () => {
    expect(await (await chain(add.s(1, 1), chord([add.s(1), add.s(2)], xsum.s()), add.s(100)).applyAsync()).get(T)).toBe(107);
    expect(await (await chord([add.s(1, 1), add.s(2, 2)], chain(xsum.s(), add.s(10))).applyAsync()).get(T)).toBe(16);
    expect(await (await chord([chord([add.s(1, 1), add.s(2, 2)], xsum.s()), add.s(10, 10)], xsum.s()).applyAsync()).get(T)).toBe(26);
    expect(await (await chain(group(add.s(1, 1), add.s(2, 2)), xsum.s(), group(add.s(1), add.s(2)), xsum.s()).applyAsync()).get(T)).toBe(15);
  });

  it('a header failure fails the chord with the cause and fires the body errback once', async () => {
    const body = xsum.s().linkError(onError.s('chord-fail'));
    const result = await chord([add.s(1, 1), boom.si('header boom'), boom.si('second boom')], body).applyAsync();
    const error = (await result.get(T).catch((e: unknown) => e)) as RemoteTaskError;
    expect(error).toBeInstanceOf(RemoteTaskError);
    expect(error.excType).toBe('ChordError');
    expect(String(error.excArgs[0])).toMatch(/raised TypeError\('(header|second) boom'\)/);
    await waitUntil(() => (calls.get('on_error:chord-fail') ?? []).length > 0);
    await new Promise((r) => setTimeout(r, 100));
    expect(calls.get('on_error:chord-fail')).toEqual([[result.id]]);
  });

  it('onHeaderFailure: runBody runs the body with every outcome in header order', async () => {
    const result = await chord([add.s(1, 1), boom.si('nope'), add.s(2, 2)], identity.s(), { onHeaderFailure: 'runBody' }).applyAsync();
    const outcomes = (await result.get(T)) as unknown[];
    expect(outcomes[0]).toBe(2);
    expect(outcomes[1]).toEqual({ exc_type: 'TypeError', exc_message: ['nope'], exc_module: 'builtins' });
    expect(outcomes[2]).toBe(4);
  });

  it('a task retried inside a chord keeps the join waiting', async () => {
    const result = await chord([add.s(1, 1), flaky.s(40)], identity.s()).applyAsync();
    expect(await result.get(T)).toEqual([2, 40]);
  });
});

describe('callbacks and errbacks', () => {
  it('link receives the result; linkError receives the failed task id', async () => {
    const ok = await add.s(2, 3).link(collect.s('link')).applyAsync();
    await ok.get(T);
    await waitUntil(() => calls.has('collect:link'));
    expect(calls.get('collect:link')).toEqual([[5]]);
    const bad = await boom.s('x').linkError(onError.s('task')).applyAsync();
    await bad.get({ ...T, propagate: false });
    await waitUntil(() => calls.has('on_error:task'));
    expect(calls.get('on_error:task')).toEqual([[bad.id]]);
  });

  it('a group errback fires once for the group, however many members fail', async () => {
    const result = await group(boom.si('a'), add.s(1, 1), boom.si('b')).linkError(onError.s('group')).applyAsync();
    expect(result.results).toHaveLength(3);
    const values = await result.join({ ...T, propagate: false });
    expect(values[1]).toBe(2);
    await waitUntil(() => calls.has('on_error:group'));
    await new Promise((r) => setTimeout(r, 150));
    expect(calls.get('on_error:group')).toEqual([[result.id]]);
    const groupFailure = (await app.asyncResult(result.id).get({ ...T, propagate: false })) as RemoteTaskError;
    expect(groupFailure.excType).toBe('ChordError');
  });

  it('a chain errback fires once, for the failing step only', async () => {
    const result = await chain(add.s(1, 1), boom.si('step'), add.s(1)).linkError(onError.s('chain')).applyAsync();
    await result.get({ ...T, propagate: false });
    await waitUntil(() => calls.has('on_error:chain'));
    await new Promise((r) => setTimeout(r, 100));
    expect(calls.get('on_error:chain')).toHaveLength(1);
    expect(calls.get('on_error:chain')![0]![0]).toBe(result.parent!.id);
  });
});

describe('map, starmap, chunks', () => {
  it('run in one message each (chunks: one per slice)', async () => {
    expect(await (await xsum.map([[1, 2], [3, 4]]).applyAsync()).get(T)).toEqual([3, 7]);
    expect(await (await add.starmap([[1, 2], [3, 4]]).applyAsync()).get(T)).toEqual([3, 7]);
    expect(await (await add.chunks([[1, 1], [2, 2], [3, 3]], 2).applyAsync()).get(T)).toEqual([[2, 4], [6]]);
  });
});

});
}
