/**
 * Chord details Celery's Redis backend has and Python clients rely on, on every transport:
 * - a chord body failing for its header stores the errback group as its child (Python walks
 *   `result.children[0].children[0]` to the errback);
 * - a header group the producer saved (Python saves one when the header nests a group) is joined
 *   along its saved structure: the body gets `[[2, 4]]`, not `[2, 4]`.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chord, group, GroupResult, RemoteTaskError, type Celeriac, type ResultBackend, type ResultTuple, type Worker } from '../../src/index.js';

/** Register the chord compatibility tests; `makeApp` returns a fresh app on the transport under test. */
export function chordCompatConformance(name: string, makeApp: () => Celeriac, queue: string): void {
describe(`chord compatibility: ${name}`, () => {
const app = makeApp();
const add = app.task('add', (x: number, y: number) => x + y);
const identity = app.task('identity', (value: unknown) => value);
const boom = app.task('boom', () => {
  throw new TypeError('expected to fail');
});
const onError = app.task('on_error', (failedId: string) => `errback saw ${failedId}`);

let worker: Worker;
let backend: ResultBackend;
beforeAll(async () => {
  worker = await app.worker({ concurrency: 4, queues: [queue] }).start();
  backend = (await app.connect()).backend;
});
afterAll(async () => {
  await worker.stop();
  await app.close();
});

const T = { timeout: 8000 };

it("a failed chord body's children hold its errback group, whose member is the errback", async () => {
  const result = await chord([add.si(1, 2), boom.si()], identity.s().linkError(onError.s())).applyAsync();
  expect(((await result.get(T).catch((e: unknown) => e)) as RemoteTaskError).excType).toBe('ChordError');
  const children = await result.children();
  expect(children).toHaveLength(1);
  expect(children[0]).toBeInstanceOf(GroupResult);
  const errbacks = (children[0] as GroupResult<unknown[]>).results;
  expect(errbacks).toHaveLength(1);
  expect(await errbacks[0]!.get(T)).toBe(`errback saw ${result.id}`);
});

it('a header group saved by the producer is joined along its saved structure', async () => {
  const [gid, inner, a, b] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  // What a Python producer saves for chord(group(chain(x, group(y, z)))): the header's only member
  // is the inner group, whose two tasks report to the chord.
  const saved: ResultTuple = [[gid, null], [[[inner, null], [[[a, null], null], [[b, null], null]]]]];
  await backend.saveGroup(gid, saved);
  const header = group(add.si(1, 1).set({ taskId: a }), add.si(2, 2).set({ taskId: b })).set({ taskId: gid });
  expect(await (await chord(header, identity.s()).applyAsync()).get(T)).toEqual([[2, 4]]);
  expect(await (await chord([add.si(1, 1), add.si(2, 2)], identity.s()).applyAsync()).get(T)).toEqual([2, 4]);
});
});
}
