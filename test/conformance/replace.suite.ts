/**
 * `currentTask().replace(canvas)` (Celery's `Task.replace`), end to end through a real worker, on
 * every transport: the replacement takes the task's id, chain position, callbacks, errbacks and
 * chord membership. Cases follow Celery 5.2.6's own canvas integration tests, in our words.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chain, chord, currentTask, group, RemoteTaskError, type Celeriac, type Worker } from '../../src/index.js';

/** Register the replace conformance tests; `makeApp` returns a fresh app on the transport under test. */
export function replaceConformance(name: string, makeApp: () => Celeriac, workerOptions: Parameters<Celeriac['worker']>[0] = {}): void {
describe(`replace: ${name}`, () => {
const app = makeApp();
const calls = new Map<string, unknown[][]>();
const record = (tag: string, args: unknown[]) => calls.set(tag, [...(calls.get(tag) ?? []), args]);
const add = app.task('add', (x: number, y: number) => x + y);
const tsum = app.task('tsum', (values: number[]) => values.reduce((a, b) => a + b, 0));
const identity = app.task('identity', (value: unknown) => value);
const boom = app.task('boom', (..._args: unknown[]) => {
  throw new TypeError('expected to fail');
});
const collect = app.task('collect', (value: unknown, tag: string) => {
  record(`collect:${tag}`, [value]);
  return value;
});
const onError = app.task('on_error', (failedId: string, tag: string) => {
  record(`on_error:${tag}`, [failedId]);
  return failedId;
});
const addReplaced = app.task('add_replaced', (x: number, y: number): number => currentTask()!.replace(add.s(x, y)));
const failReplaced = app.task('fail_replaced', (): never => currentTask()!.replace(boom.si()));
const tsumReplaced = app.task('tsum_replaced', (values: number[]): number => currentTask()!.replace(tsum.si(values)));
const addToAll = app.task('add_to_all', (nums: number[], value: number): number[] => currentTask()!.replace(group(nums.map((n) => add.s(n, value)))));
const replaceWithChord = app.task('replace_with_chord', (x: number): number =>
  currentTask()!.replace(chord([add.s(x, 1), add.s(x, 2)], tsum.s())),
);
const replaceWithEmptyChain = app.task('replace_with_empty_chain', (..._args: unknown[]): never => currentTask()!.replace(chain()));
/** Replaced by identity → identity; `tag` links a callback (or, with `raises`, an errback) to that chain. */
const replaceWithChain = app.task('replace_with_chain', (value: unknown, tag?: string, raises?: boolean): unknown => {
  let replacement = chain(identity.s(value), raises ? boom.s() : identity.s());
  if (tag) replacement = raises ? replacement.linkError(onError.s(tag)) : replacement.link(collect.s(tag));
  return currentTask()!.replace(replacement);
});
/** Replaces itself with itself once more (nesting), then returns the depth it reached. */
const nested = app.task('replace_nested', (depth: number): number => (depth < 3 ? currentTask()!.replace(nestedSig(depth + 1)) : depth));
const nestedSig = (depth: number) => nested.si(depth);

let worker: Worker;
beforeAll(async () => {
  worker = await app.worker({ concurrency: 8, ...workerOptions }).start();
});
afterAll(async () => {
  await worker.stop();
  await app.close();
});

const T = { timeout: 8000 };
const waitFor = async (tag: string, count = 1, ms = 5000) => {
  const end = Date.now() + ms;
  while ((calls.get(tag) ?? []).length < count && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  // Give a duplicate a chance to show up.
  await new Promise((r) => setTimeout(r, 100));
  return calls.get(tag) ?? [];
};

describe('a task replaced by', () => {
  it('a signature: the handle given out for the task resolves to the replacement result', async () => {
    const result = await addReplaced.delay(2, 3);
    expect(await result.get(T)).toBe(5);
    expect(await result.state()).toBe('SUCCESS');
  });

  it('a chain, as the first, middle and last member of a chain', async () => {
    expect(await (await replaceWithChain.si(42).applyAsync()).get(T)).toBe(42);
    expect(await (await chain(replaceWithChain.si(42), identity.s()).applyAsync()).get(T)).toBe(42);
    expect(await (await chain(identity.si(42), replaceWithChain.s(), identity.s()).applyAsync()).get(T)).toBe(42);
    expect(await (await chain(identity.si(42), replaceWithChain.s()).applyAsync()).get(T)).toBe(42);
    const complex = await chain(add.s(2, 2), add.s(4), addReplaced.s(8), add.s(16), add.s(32)).applyAsync();
    expect(await complex.get(T)).toBe(64);
  });

  it('a group: the chain goes on with the list of member results', async () => {
    expect(await (await addToAll.si([1, 2, 3], 10).applyAsync()).get(T)).toEqual([11, 12, 13]);
    expect(await (await chain(addToAll.si([1, 2, 3], 10), tsum.s()).applyAsync()).get(T)).toBe(36);
  });

  it('a chord, in a chain', async () => {
    expect(await (await chain(identity.si(1), replaceWithChord.s(), add.s(100)).applyAsync()).get(T)).toBe(105);
  });

  it('itself, nested several times', async () => {
    expect(await (await nested.delay(0)).get(T)).toBe(3);
  });

  it('an empty chain: the task fails with ImproperlyConfigured (as in Celery)', async () => {
    const result = await chain(identity.si(1), replaceWithEmptyChain.s()).applyAsync();
    const error = (await result.get(T).catch((e: unknown) => e)) as RemoteTaskError;
    expect(error).toBeInstanceOf(RemoteTaskError);
    expect(error).toMatchObject({ excType: 'ImproperlyConfigured', excModule: 'celery.exceptions' });
    expect(String(error.excArgs[0])).toMatch(/Cannot replace with an empty chain/);
  });
});

describe('replaced inside groups and chords', () => {
  it('group members replaced by a signature, a chain and a group', async () => {
    const result = await group(addReplaced.si(42, 1337), replaceWithChain.si(7), addToAll.si([1, 2], 1), identity.si(31337)).applyAsync();
    expect(await result.join(T)).toEqual([1379, 7, [2, 3], 31337]);
  });

  it('chord header parts replaced (each counts once)', async () => {
    const result = await chord([identity.si(42), replaceWithChain.si(1337), addReplaced.si(1, 2), addToAll.si([1, 2], 1)], identity.s()).applyAsync();
    expect(await result.get(T)).toEqual([42, 1337, 3, [2, 3]]);
    expect(await (await chord([replaceWithChain.si(42)], identity.s()).applyAsync()).get(T)).toEqual([42]);
  });

  it('a chord body replaced, alone and as first, middle and last step of a chain body', async () => {
    expect(await (await chord([add.si(1, 1), add.si(2, 2)], tsumReplaced.s()).applyAsync()).get(T)).toBe(6);
    expect(await (await chord([identity.si(42)], replaceWithChain.s()).applyAsync()).get(T)).toEqual([42]);
    expect(await (await chord([identity.si(42)], chain(replaceWithChain.s(), identity.s())).applyAsync()).get(T)).toEqual([42]);
    expect(await (await chord([identity.si(42)], chain(identity.s(), replaceWithChain.s(), identity.s())).applyAsync()).get(T)).toEqual([42]);
    expect(await (await chord([identity.si(42)], chain(identity.s(), replaceWithChain.s())).applyAsync()).get(T)).toEqual([42]);
  });

  it('nested chords whose headers and bodies are replaced', async () => {
    const inner = (a: [number, number], b: [number, number], value: number, replacedFirst: boolean) =>
      chain(chord(replacedFirst ? [addReplaced.s(...a), add.s(...b)] : [add.s(...a), addReplaced.s(...b)], addToAll.s(value)), tsum.s());
    const result = await chord([inner([1, 2], [3, 4], 5, false), inner([6, 7], [0, 0], 8, true)], addToAll.s(9)).applyAsync();
    expect(await result.get(T)).toEqual([29, 38]);
  });
});

describe('callbacks and errbacks', () => {
  it('a callback of the replaced task runs once with the replacement result', async () => {
    const result = await addReplaced.si(42, 1337).link(collect.s('task-link')).applyAsync();
    expect(await result.get(T)).toBe(1379);
    expect(await waitFor('collect:task-link')).toEqual([[1379]]);
  });

  it('an errback of the replaced task runs once when the replacement fails', async () => {
    const result = await failReplaced.si().linkError(onError.s('task-errback')).applyAsync();
    const error = (await result.get(T).catch((e: unknown) => e)) as RemoteTaskError;
    expect(error.excType).toBe('TypeError');
    expect(await waitFor('on_error:task-errback')).toEqual([[result.id]]);
  });

  it('a chain callback runs once after a replaced child, a chain errback once when a later step fails', async () => {
    const ok = await chain(addReplaced.si(42, 1337), identity.s()).link(collect.s('chain-link')).applyAsync();
    expect(await ok.get(T)).toBe(1379);
    expect(await waitFor('collect:chain-link')).toEqual([[1379]]);
    const bad = await chain(addReplaced.si(42, 1337), boom.s()).linkError(onError.s('chain-errback')).applyAsync();
    expect(((await bad.get(T).catch((e: unknown) => e)) as RemoteTaskError).excType).toBe('TypeError');
    expect(await waitFor('on_error:chain-errback')).toEqual([[bad.id]]);
  });

  it("a chain child's own callback and errback survive its replacement", async () => {
    const ok = await chain(addReplaced.si(42, 1337).link(collect.s('child-link')), identity.s()).applyAsync();
    expect(await ok.get(T)).toBe(1379);
    expect(await waitFor('collect:child-link')).toEqual([[1379]]);
    const bad = await chain(failReplaced.si().linkError(onError.s('child-errback')), identity.si(42)).applyAsync();
    expect(((await bad.get(T).catch((e: unknown) => e)) as RemoteTaskError).excType).toBe('TypeError');
    expect(await waitFor('on_error:child-errback')).toEqual([[bad.parent!.id]]);
  });

  it("the replacement's own callback and errback run, and the outer chain goes on or fails", async () => {
    const ok = await chain(identity.si(42), replaceWithChain.s('inner-link'), identity.s()).applyAsync();
    expect(await ok.get(T)).toBe(42);
    expect(await waitFor('collect:inner-link')).toEqual([[42]]);
    const bad = await chain(identity.si(42), replaceWithChain.s('inner-errback', true), identity.s()).linkError(onError.s('outer-errback')).applyAsync();
    expect(((await bad.get(T).catch((e: unknown) => e)) as RemoteTaskError).excType).toBe('TypeError');
    expect(await waitFor('on_error:inner-errback')).toHaveLength(1);
    expect(await waitFor('on_error:outer-errback')).toHaveLength(1);
  });

  it('group members with callbacks and errbacks, replaced', async () => {
    const result = await group(addReplaced.si(42, 1337).link(collect.s('member-link')), failReplaced.si().linkError(onError.s('member-errback'))).applyAsync();
    const values = await result.join({ ...T, propagate: false });
    expect(values[0]).toBe(1379);
    expect(await waitFor('collect:member-link')).toEqual([[1379]]);
    expect(await waitFor('on_error:member-errback')).toEqual([[result.results[1]!.id]]);
  });
});
});
}
