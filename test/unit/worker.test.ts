/**
 * Worker behaviour on the memory transport: bad input, expiry, ETA, revocation, time limits,
 * retries, graceful shutdown, idempotent chord counting under redelivery.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Celeriac, chord, currentTask, MemoryBackend, MemoryBroker, RemoteTaskError, type Broker, type WireMessage } from '../../src/index.js';
import { memoryApp } from '../helpers/memory-app.js';

const T = { timeout: 5000 };
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function started(app: Celeriac, options: Parameters<Celeriac['worker']>[0] = {}) {
  const worker = await app.worker({ concurrency: 4, ...options }).start();
  cleanups.push(async () => {
    await worker.stop();
    await app.close();
  });
  return worker;
}

function raw(body: string, headers: Record<string, unknown>, contentType = 'application/json'): WireMessage {
  return { body: new TextEncoder().encode(body), contentType, contentEncoding: 'utf-8', headers, properties: { correlation_id: 'x', reply_to: 'r', delivery_mode: 2 } };
}

describe('bad input never stops the worker', () => {
  it('dead-letters undecodable and unknown messages with a reason and keeps serving', async () => {
    const name = randomUUID();
    const app = new Celeriac({ broker: `memory://${name}`, backend: `memory://${name}`, logLevel: 'silent' });
    const add = app.task('add', (x: number, y: number) => x + y);
    await started(app);
    const broker = new MemoryBroker({ name });
    const id = randomUUID();
    await broker.publish({ queue: 'celery' }, raw('{not json', { task: 'add', id: randomUUID() }));
    await broker.publish({ queue: 'celery' }, raw('[[1,2],{},{}]', { id: randomUUID() }));
    await broker.publish({ queue: 'celery' }, raw('[[1,2],{},{}]', { task: 'add', id: randomUUID() }, 'application/x-yaml'));
    await broker.publish({ queue: 'celery' }, raw('[[1,2],{},null]', { task: 'nope', id, root_id: id }));
    expect(await (await add.delay(20, 22)).get(T)).toBe(42);
    const dead = await broker.deadLetters('celery');
    expect(dead.map((d) => d.reason.split(':')[0]).sort()).toEqual(['bad-json', 'missing-header', 'not-registered', 'unsupported-content-type']);
    const unknown = await app.asyncResult(id).get({ ...T, propagate: false });
    expect(unknown).toBeInstanceOf(RemoteTaskError);
    expect((unknown as RemoteTaskError).excType).toBe('NotRegistered');
  });

  it('rejects bodies over maxBodyBytes', async () => {
    const app = memoryApp();
    const echo = app.task('echo', (s: string) => s.length);
    await started(app, { maxBodyBytes: 200 });
    const big = await echo.delay('x'.repeat(1000));
    expect(await big.get({ timeout: 300 }).catch((e: unknown) => (e as Error).name)).toBe('TimeoutError');
    expect(await (await echo.delay('small')).get(T)).toBe(5);
  });
});

describe('expiry, ETA and revocation', () => {
  it('an expired task is REVOKED and never runs', async () => {
    const app = memoryApp();
    let ran = false;
    const task = app.task('t', () => (ran = true));
    const result = await task.s().set({ expires: new Date(Date.now() - 1000) }).applyAsync();
    await started(app);
    const error = (await result.get({ ...T, propagate: false })) as RemoteTaskError;
    expect(error.excType).toBe('TaskRevokedError');
    expect(await result.state()).toBe('REVOKED');
    expect(ran).toBe(false);
  });

  it('a countdown task runs after its ETA, not before', async () => {
    const app = memoryApp();
    const stamp = app.task('stamp', () => Date.now());
    await started(app, { etaSlackMs: 50 });
    const sentAt = Date.now();
    const ranAt = await (await stamp.s().set({ countdown: 0.4 }).applyAsync()).get(T);
    expect(ranAt - sentAt).toBeGreaterThanOrEqual(390);
  });

  it('revoke by id and cancelWorkflow by root id: nothing further runs, results are REVOKED', async () => {
    const app = memoryApp();
    const ran: number[] = [];
    const step = app.task('step', (n: number) => {
      ran.push(n);
      return n + 1;
    });
    const one = await step.s(1).set({ countdown: 0.3 }).applyAsync();
    await app.revoke(one.id);
    const flow = await step.s(10).set({ countdown: 0.3 }).pipe(step.s(), step.s()).applyAsync();
    await app.cancelWorkflow(flow.parent!.parent!.id);
    await started(app, { etaSlackMs: 10 });
    expect(await one.state().then(async () => (await one.get({ ...T, propagate: false })) as RemoteTaskError)).toMatchObject({ excType: 'TaskRevokedError' });
    expect(((await flow.get({ ...T, propagate: false })) as RemoteTaskError).state).toBe('REVOKED');
    expect(ran).toEqual([]);
  });
});

describe('revoking running work', () => {
  it('a running task gets its abort signal and ends REVOKED; the worker keeps serving', async () => {
    const app = memoryApp();
    let sawAbort = false;
    const long = app.task('long', async () => {
      const signal = currentTask()!.signal;
      await new Promise((_, reject) => signal.addEventListener('abort', () => {
        sawAbort = true;
        reject(signal.reason);
      }));
    });
    const ok = app.task('ok', () => 'still serving');
    await started(app, { revokeCheckMs: 20 });
    const result = await long.delay();
    await new Promise((r) => setTimeout(r, 50));
    await app.revoke(result.id);
    const error = (await result.get({ ...T, propagate: false })) as RemoteTaskError;
    expect(error.state).toBe('REVOKED');
    expect(sawAbort).toBe(true);
    expect(await (await ok.delay()).get(T)).toBe('still serving');
  });

  it('cancelWorkflow aborts the running step of a chain and no later step starts', async () => {
    const app = memoryApp();
    const started_: string[] = [];
    const step = app.task('wf_step', async (label: string) => {
      started_.push(label);
      const signal = currentTask()!.signal;
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, 2000);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(signal.reason);
        });
      });
      return label;
    });
    await started(app, { revokeCheckMs: 20, revokeGraceMs: 100 });
    const flow = await step.si('first').pipe(step.si('second'), step.si('third')).applyAsync();
    await new Promise((r) => setTimeout(r, 60));
    await app.cancelWorkflow(flow.parent!.parent!.id);
    expect(((await flow.get({ ...T, propagate: false })) as RemoteTaskError).state).toBe('REVOKED');
    expect(await flow.parent!.parent!.state()).toBe('REVOKED');
    expect(started_).toEqual(['first']);
  });
});

describe('retries', () => {
  it('stops after maxRetries with MaxRetriesExceededError', async () => {
    const app = memoryApp();
    let attempts = 0;
    const stubborn = app.task('stubborn', () => {
      attempts += 1;
      currentTask()!.retry({ countdown: 0.01 });
    }, { maxRetries: 2 });
    await started(app);
    const error = (await (await stubborn.delay()).get({ ...T, propagate: false })) as RemoteTaskError;
    expect(error.excType).toBe('MaxRetriesExceededError');
    expect(attempts).toBe(3);
  });

  it('autoretryFor retries matching errors with backoff, then fails with the original error', async () => {
    const app = memoryApp();
    class Flaky extends Error {
      override name = 'Flaky';
    }
    const seen: number[] = [];
    const task = app.task('auto', () => {
      seen.push(currentTask()!.retries);
      throw new Flaky('still down');
    }, { autoretryFor: [Flaky], maxRetries: 2, retryBackoff: 0.01, retryJitter: false });
    await started(app);
    const error = (await (await task.delay()).get({ ...T, propagate: false })) as RemoteTaskError;
    expect(error).toMatchObject({ excType: 'Flaky', excModule: 'celeriac', excArgs: ['still down'] });
    expect(seen).toEqual([0, 1, 2]);
  });
});

describe('time limits and shutdown', () => {
  it('soft limit aborts the signal; hard limit fails the task and the worker keeps serving', async () => {
    const app = memoryApp();
    const polite = app.task('polite', async () => {
      const signal = currentTask()!.signal;
      await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    }, { softTimeLimit: 0.05 });
    const stuck = app.task('stuck', () => new Promise(() => undefined), { timeLimit: 0.1 });
    const ok = app.task('ok', () => 'fine');
    await started(app);
    expect(((await (await polite.delay()).get({ ...T, propagate: false })) as RemoteTaskError).excType).toBe('TimeLimitExceeded');
    const hard = (await (await stuck.delay()).get({ ...T, propagate: false })) as RemoteTaskError;
    expect(hard.excType).toBe('TimeLimitExceeded');
    expect(String(hard.excArgs[0])).toContain('Hard');
    expect(await (await ok.delay()).get(T)).toBe('fine');
  });

  it('graceful stop finishes running tasks before resolving', async () => {
    const app = memoryApp();
    let finished = false;
    const slow = app.task('slow', async () => {
      await new Promise((r) => setTimeout(r, 150));
      finished = true;
      return 'done';
    });
    const worker = await app.worker().start();
    const result = await slow.delay();
    await new Promise((r) => setTimeout(r, 30));
    expect(worker.activeCount).toBe(1);
    await worker.stop();
    expect(worker.state).toBe('stopped');
    expect(finished).toBe(true);
    expect(await result.get(T)).toBe('done');
    await app.close();
  });
});

describe('context, results and counting', () => {
  it('exposes the task context (ids, kwargs) without changing the signature', async () => {
    const app = memoryApp();
    const inspect = app.task('inspect', (x: number) => {
      const ctx = currentTask()!;
      return { x, id: ctx.id, root: ctx.rootId, kwargs: ctx.kwargs, retries: ctx.retries };
    });
    await started(app);
    const result = await inspect.applyAsync([1], { kwargs: { flag: true } });
    expect(await result.get(T)).toEqual({ x: 1, id: result.id, root: result.id, kwargs: { flag: true }, retries: 0 });
  });

  it('ignoreResult stores nothing on success', async () => {
    const app = memoryApp();
    const quiet = app.task('quiet', () => 1, { ignoreResult: true });
    const loud = app.task('loud', () => 2);
    await started(app);
    const q = await quiet.delay();
    expect(await (await loud.delay()).get(T)).toBe(2);
    await new Promise((r) => setTimeout(r, 50));
    expect(await q.state()).toBe('PENDING');
  });

  it('a redelivered header message never double-counts: the body runs once', async () => {
    const name = randomUUID();
    const duplicating: Broker = Object.assign(Object.create(MemoryBroker.prototype) as MemoryBroker, new MemoryBroker({ name }));
    const inner = new MemoryBroker({ name });
    // Every header message is delivered twice: once now, once again shortly after (a redelivery).
    duplicating.publish = async (target, message) => {
      await inner.publish(target, message);
      if (message.headers['group']) await inner.publish({ ...target, deliverAt: Date.now() + 30 }, message);
    };
    duplicating.publishBatch = async (items) => {
      for (const { target, message } of items) await duplicating.publish(target, message);
    };
    const app = new Celeriac({ broker: duplicating, backend: new MemoryBackend({ name }), logLevel: 'silent' });
    let bodyRuns = 0;
    const add = app.task('add', (x: number, y: number) => x + y);
    const body = app.task('body', (values: number[]) => {
      bodyRuns += 1;
      return values;
    });
    await started(app);
    const result = await chord([add.s(1, 1), add.s(2, 2), add.s(3, 3)], body.s()).applyAsync();
    expect(await result.get(T)).toEqual([2, 4, 6]);
    await new Promise((r) => setTimeout(r, 150));
    expect(bodyRuns).toBe(1);
  });
});
