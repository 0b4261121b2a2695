/**
 * pool: 'threads': a task stuck in a synchronous CPU loop is really stopped at its hard time limit
 * (its thread is terminated and replaced) and the worker keeps serving; soft limits, retries and
 * errors behave as in the main thread.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RemoteTaskError, Worker } from '../../src/index.js';

process.env['CELERIAC_THREADS_TEST_NAME'] = randomUUID();
const fixture = new URL('../fixtures/threads/app.ts', import.meta.url);
const { app, spin, politeSpin, square, flaky, fail, squareReplaced, deliveryInfo } = await import('../fixtures/threads/app.js');
const T = { timeout: 10_000 };
let worker: Worker;

beforeAll(async () => {
  worker = await app.worker({ concurrency: 2, pool: 'threads', threads: { module: fixture, execArgv: [] } }).start();
}, 30_000);
afterAll(async () => {
  await worker.stop();
  await app.close();
});

describe('thread pool', () => {
  it('replace() and the delivery info cross the thread boundary', async () => {
    expect(await (await squareReplaced.delay(9)).get(T)).toBe(81);
    const info = await deliveryInfo.applyAsync([], { priority: 3 });
    expect(await info.get(T)).toEqual({ exchange: '', routingKey: 'celery', priority: 3, redelivered: false, correlationId: info.id });
  });

  it('runs tasks in threads and returns their results', async () => {
    const results = await Promise.all([1, 2, 3, 4].map(async (x) => (await square.delay(x)).get(T)));
    expect(results).toEqual([1, 4, 9, 16]);
  });

  it('a hard time limit kills a CPU loop; the worker keeps serving', async () => {
    const stuck = await spin.delay();
    const error = (await stuck.get({ ...T, propagate: false })) as RemoteTaskError;
    expect(error.excType).toBe('TimeLimitExceeded');
    expect(String(error.excArgs[0])).toContain('Hard time limit (0.3s)');
    const after = await Promise.all([5, 6, 7].map(async (x) => (await square.delay(x)).get(T)));
    expect(after).toEqual([25, 36, 49]);
  });

  it('the soft limit reaches the thread through the abort signal', async () => {
    const error = (await (await politeSpin.delay()).get({ ...T, propagate: false })) as RemoteTaskError;
    expect(error.excType).toBe('TimeLimitExceeded');
    expect(String(error.excArgs[0])).toContain('Soft');
  });

  it('retries and typed failures cross the thread boundary', async () => {
    expect(await (await flaky.delay()).get(T)).toBe('ok after 1');
    const error = (await (await fail.delay()).get({ ...T, propagate: false })) as RemoteTaskError;
    expect(error).toMatchObject({ excType: 'RangeError', excArgs: ['out of range in a thread'] });
  });
});
