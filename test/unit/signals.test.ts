/**
 * Typed signals on the app and on the worker: every task lifecycle point with id, name, args,
 * result or error and runtime; worker ready/shutdown; a throwing listener never disturbs a task.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { currentTask, Signals, type SignalMap, type SignalName } from '../../src/index.js';
import { memoryApp } from '../helpers/memory-app.js';

const T = { timeout: 5000 };
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Seen = Array<{ signal: SignalName; payload: SignalMap[SignalName] }>;

function record(signals: Signals, names: SignalName[], seen: Seen): void {
  for (const signal of names) signals.on(signal, (payload) => void seen.push({ signal, payload }));
}

const TASK_SIGNALS: SignalName[] = ['taskReceived', 'taskPrerun', 'taskPostrun', 'taskSuccess', 'taskFailure', 'taskRetry', 'taskRevoked'];

describe('signals', () => {
  it('fire on the app and on the worker with the task id, name, args, result or error, and runtime', async () => {
    const app = memoryApp();
    const add = app.task('add', (x: number, y: number) => x + y);
    const boom = app.task('boom', () => {
      throw new TypeError('kaboom');
    });
    const flaky = app.task('flaky', () => {
      if (currentTask()!.retries === 0) throw currentTask()!.retry({ countdown: 0 });
      return 'ok';
    });
    const onApp: Seen = [];
    const onWorker: Seen = [];
    record(app.signals, [...TASK_SIGNALS, 'workerReady', 'workerShutdown'], onApp);
    const worker = app.worker({ hostname: 'sig@test' });
    record(worker.signals, TASK_SIGNALS, onWorker);
    await worker.start();
    expect(onApp).toContainEqual({ signal: 'workerReady', payload: { hostname: 'sig@test', queues: ['celery'], concurrency: 16 } });

    const ok = await add.delay(2, 3);
    await ok.get(T);
    await (await boom.delay()).get({ ...T, propagate: false });
    const retried = await flaky.delay();
    await retried.get(T);
    const revoked = await add.applyAsync([0, 0], { countdown: 1.5 });
    await app.revoke(revoked.id);
    await revoked.get({ ...T, propagate: false });
    await worker.stop();
    await app.close();

    const of = (signal: SignalName, id: string) => onApp.filter((s) => s.signal === signal && 'id' in s.payload && s.payload.id === id).map((s) => s.payload);
    expect(of('taskReceived', ok.id)).toEqual([expect.objectContaining({ name: 'add', args: [2, 3], hostname: 'sig@test', queue: 'celery', eta: null })]);
    expect(of('taskPrerun', ok.id)).toHaveLength(1);
    const success = of('taskSuccess', ok.id)[0] as SignalMap['taskSuccess'];
    expect(success).toMatchObject({ name: 'add', args: [2, 3], result: 5 });
    expect(success.runtimeMs).toBeGreaterThanOrEqual(0);
    expect(of('taskPostrun', ok.id)).toEqual([expect.objectContaining({ state: 'SUCCESS', result: 5 })]);
    const failure = onApp.find((s) => s.signal === 'taskFailure')!.payload as SignalMap['taskFailure'];
    expect(failure.name).toBe('boom');
    expect(failure.error).toBeInstanceOf(TypeError);
    expect(failure.traceback).toContain('kaboom');
    expect(of('taskRetry', retried.id)).toEqual([expect.objectContaining({ name: 'flaky', retries: 0, countdownMs: 0 })]);
    expect(of('taskSuccess', retried.id)).toEqual([expect.objectContaining({ retries: 1, result: 'ok' })]);
    expect(of('taskRevoked', revoked.id)).toEqual([expect.objectContaining({ reason: 'revoked', terminated: false, runtimeMs: null })]);
    expect(of('taskPrerun', revoked.id)).toEqual([]);
    expect(onApp.at(-1)).toEqual({ signal: 'workerShutdown', payload: { hostname: 'sig@test', cold: false } });
    expect(onWorker.filter((s) => s.signal !== 'workerShutdown')).toHaveLength(onApp.filter((s) => !s.signal.startsWith('worker')).length);
  });

  it('a throwing or rejecting listener is logged and the task still succeeds', async () => {
    const errors: string[] = [];
    const app = memoryApp({ logLevel: 'error', logger: { debug() {}, info() {}, warn() {}, error: (a: unknown, b?: string) => void errors.push(String(b ?? a)) } });
    const add = app.task('add', (x: number, y: number) => x + y);
    app.signals.on('taskPrerun', () => {
      throw new Error('listener broke');
    });
    app.signals.on('taskSuccess', async () => Promise.reject(new Error('async listener broke')));
    const worker = await app.worker().start();
    cleanups.push(async () => {
      await worker.stop();
      await app.close();
    });
    expect(await (await add.delay(1, 2)).get(T)).toBe(3);
    for (let i = 0; i < 100 && errors.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(errors).toEqual(['a taskPrerun listener failed: Error: listener broke', 'a taskSuccess listener failed: Error: async listener broke']);
  });

  it('on() returns an unsubscribe; has() tells whether anybody listens', () => {
    const signals = new Signals();
    expect(signals.has('taskSuccess')).toBe(false);
    const calls: number[] = [];
    const off = signals.on('workerReady', () => void calls.push(1));
    expect(signals.has('workerReady')).toBe(true);
    signals.emit('workerReady', { hostname: 'h', queues: [], concurrency: 1 });
    off();
    signals.emit('workerReady', { hostname: 'h', queues: [], concurrency: 1 });
    expect(calls).toEqual([1]);
    expect(signals.has('workerReady')).toBe(false);
  });
});
