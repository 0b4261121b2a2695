/**
 * What a running task can do and see besides replace(), on every transport: `addToChord()`
 * (Celery's `Task.add_to_chord`) and the delivery info (Celery's `request.delivery_info`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chord, currentTask, group, RemoteTaskError, type Celeriac, type Worker } from '../../src/index.js';

/** Register the task-context conformance tests; `makeApp` returns a fresh app on the transport under test. */
export function taskContextConformance(name: string, makeApp: () => Celeriac, queue: string): void {
describe(`task context: ${name}`, () => {
const app = makeApp();
const add = app.task('add', (x: number, y: number) => x + y);
const tsum = app.task('tsum', (values: number[]) => values.reduce((a, b) => a + b, 0));
const identity = app.task('identity', (value: unknown) => value);
const addEachToChord = app.task('add_each_to_chord', async (nums: number[], value: number) => {
  for (const n of nums) await currentTask()!.addToChord(add.s(n, value));
  return 0;
});
const addChordToChord = app.task('add_chord_to_chord', async (nums: number[], value: number) => {
  await currentTask()!.addToChord(group(nums.map((n) => add.s(n, value))).pipe(tsum.s()));
  return 0;
});
const addGroupToChord = app.task('add_group_to_chord', async (nums: number[], value: number) => {
  await currentTask()!.addToChord(group(nums.map((n) => add.s(n, value))));
  return 0;
});
const sendsAdd = app.task('sends_add', async () => add.delay(1, 2));
const sendsGroup = app.task('sends_group', async () => group(add.s(1, 1), add.s(2, 2)).applyAsync());
const deliveryInfo = app.task('delivery_info', () => {
  const ctx = currentTask()!;
  return { ...ctx.deliveryInfo, correlationId: ctx.properties['correlation_id'] };
});

let worker: Worker;
beforeAll(async () => {
  worker = await app.worker({ concurrency: 8, queues: [queue] }).start();
});
afterAll(async () => {
  await worker.stop();
  await app.close();
});

const T = { timeout: 8000 };
const sorted = (values: unknown) => [...(values as number[])].sort((a, b) => a - b);

describe('addToChord', () => {
  it('parts added one by one are waited for and joined', async () => {
    const result = await chord([addEachToChord.si([1, 2, 3], 4)], identity.s()).applyAsync();
    expect(sorted(await result.get(T))).toEqual([0, 5, 6, 7]);
  });

  it('a chord added to the running chord counts once, with its body result', async () => {
    const result = await chord([addChordToChord.si([1, 2, 3], 4), add.si(1, 1)], identity.s()).applyAsync();
    expect(sorted(await result.get(T))).toEqual([0, 2, 18]);
  });

  it('a task outside any chord, or adding a bare group, fails with a CanvasError', async () => {
    const outside = (await (await addEachToChord.delay([1], 1)).get(T).catch((e: unknown) => e)) as RemoteTaskError;
    expect(outside).toBeInstanceOf(RemoteTaskError);
    expect(outside).toMatchObject({ excType: 'CanvasError', excArgs: [expect.stringMatching(/not a member of any chord/)] });
    const partId = crypto.randomUUID();
    const bare = await chord([addGroupToChord.si([1, 2], 10).set({ taskId: partId })], identity.s()).applyAsync();
    const error = (await bare.get(T).catch((e: unknown) => e)) as RemoteTaskError;
    expect(error.excType).toBe('ChordError');
    const part = (await app.asyncResult(partId).get(T).catch((e: unknown) => e)) as RemoteTaskError;
    expect(part).toMatchObject({ excType: 'CanvasError', excArgs: [expect.stringMatching(/add its members one by one/)] });
  });
});

describe('returned result handles', () => {
  it("are stored as Celery's result tuple (a task's, a group's)", async () => {
    const task = await (await sendsAdd.delay()).get(T);
    expect(task).toEqual([[expect.any(String), null], null]);
    expect(await app.asyncResult(task[0][0]).get(T)).toBe(3);
    const members = await (await sendsGroup.delay()).get(T);
    expect(members).toEqual([[expect.any(String), null], [[[expect.any(String), null], null], [[expect.any(String), null], null]]]);
    expect(await Promise.all((members[1] ?? []).map((m) => app.asyncResult(m[0][0]).get(T)))).toEqual([2, 4]);
  });
});

describe('delivery info', () => {
  it('exposes exchange, routing key, priority, redelivered and the message properties', async () => {
    const result = await deliveryInfo.applyAsync([], { priority: 5 });
    expect(await result.get(T)).toEqual({ exchange: '', routingKey: queue, priority: 5, redelivered: false, correlationId: result.id });
    const plain = (await (await deliveryInfo.delay()).get(T)) as { priority: number | null; redelivered: boolean };
    // No priority: none on memory and RabbitMQ; Redis envelopes always carry one (kombu's 0).
    expect([null, 0]).toContain(plain.priority);
    expect(plain.redelivered).toBe(false);
  });
});
});
}
