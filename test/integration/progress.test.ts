/**
 * `currentTask().updateState(state, meta)` (Celery's `update_state`): the custom state and its meta
 * are readable as `AsyncResult.state()` / `.info()` from TypeScript and as `.state` / `.info` from
 * Python Celery 5.2.6, while the task runs (Redis DB 14); the final result replaces them. Also from
 * a task running in a thread pool (memory).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Celeriac, currentTask } from '../../src/index.js';
import { flushOpsDb, OPS_DBS, opsRedis, opsRedisUrl, until } from '../helpers/ops.js';

const exec = promisify(execFile);
const url = opsRedisUrl(OPS_DBS.progress);
const redis = opsRedis(OPS_DBS.progress);

async function pythonSees(id: string): Promise<{ state: string; info: unknown }> {
  const { stdout } = await exec(process.env['CELERIAC_INTEROP_PYTHON'] ?? '/usr/bin/python3', ['test/fixtures/ops/state.py', url, id], { timeout: 30_000 }).catch((error: Error) => {
    throw new Error(`python3 state.py failed (${error.message}); needs python3-celery 5.2.6: apt-get install python3-celery python3-redis`);
  });
  return JSON.parse(stdout) as { state: string; info: unknown };
}

beforeAll(async () => flushOpsDb(OPS_DBS.progress));
afterAll(async () => {
  redis.disconnect();
  await flushOpsDb(OPS_DBS.progress);
});

describe('progress', () => {
  it('updateState is read as state/info from TypeScript and Python while the task runs', async () => {
    const app = new Celeriac({ broker: url, backend: url, logLevel: 'silent', defaultQueue: 'progress' });
    const steps = app.task('ops.steps', async (total: number) => {
      for (let done = 1; done < total; done++) await currentTask()!.updateState('PROGRESS', { done, total });
      while (!(await redis.get(`gate:${currentTask()!.id}`))) await new Promise((resolve) => setTimeout(resolve, 20));
      return 'all done';
    });
    const worker = await app.worker({ queues: ['progress'] }).start();
    try {
      const result = await steps.delay(3);
      await until(async () => JSON.stringify(await result.info()) === JSON.stringify({ done: 2, total: 3 }), 10_000, 'PROGRESS 2/3');
      expect(await result.state()).toBe('PROGRESS');
      expect(await pythonSees(result.id)).toEqual({ state: 'PROGRESS', info: { done: 2, total: 3 } });
      await redis.set(`gate:${result.id}`, '1');
      expect(await result.get({ timeout: 10_000 })).toBe('all done');
      expect(await pythonSees(result.id)).toEqual({ state: 'SUCCESS', info: 'all done' });
    } finally {
      await worker.stop();
      await app.close();
    }
  }, 40_000);

  it('a task in a thread pool reports progress too', async () => {
    const fixture = new URL('../fixtures/threads/app.ts', import.meta.url);
    const { app, progress } = await import('../fixtures/threads/app.js');
    const worker = await app.worker({ concurrency: 1, pool: 'threads', threads: { module: fixture } }).start();
    try {
      const result = await progress.delay();
      await until(async () => (await result.state()) === 'PROGRESS', 10_000, 'PROGRESS from the thread');
      expect(await result.info()).toEqual({ step: 1, of: 2 });
      expect(await result.get({ timeout: 10_000 })).toBe('done');
    } finally {
      await worker.stop();
      await app.close();
    }
  }, 30_000);
});
