/**
 * Warm and cold shutdown. In process (memory broker): a cold stop hands a running task's message
 * back at once and the next worker runs it. As a user runs it (CLI worker on Redis, DB 10): the
 * first SIGINT is a warm shutdown, the second says `cold shutdown` and the unfinished message is
 * back on its queue at once (not after the visibility timeout).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Celeriac } from '../../src/index.js';
import { flushOpsDb, OPS_DBS, opsRedis, opsRedisUrl, until } from '../helpers/ops.js';
import { memoryApp } from '../helpers/memory-app.js';

describe('cold shutdown in process', () => {
  it('a second stop({ cold: true }) requeues the running message now; another worker runs it', async () => {
    const app = memoryApp();
    let runs = 0;
    const block = app.task('block', async () => {
      runs += 1;
      if (runs === 1) await new Promise(() => undefined); // never ends on the first run
      return 'second run';
    });
    const shutdowns: boolean[] = [];
    app.signals.on('workerShutdown', ({ cold }) => void shutdowns.push(cold));
    const first = await app.worker().start();
    const result = await block.delay();
    await until(() => runs === 1, 5_000, 'the first run');
    const warm = first.stop();
    expect(first.state).toBe('draining');
    await first.stop({ cold: true });
    await warm;
    expect(first.state).toBe('stopped');
    const second = await app.worker().start();
    expect(await result.get({ timeout: 5_000 })).toBe('second run');
    await second.stop();
    await app.close();
    expect(shutdowns).toEqual([true, false]);
  });
});

describe('celeriac worker: Ctrl-C twice', () => {
  const url = opsRedisUrl(OPS_DBS.shutdown);
  const queue = `shutdown-${randomUUID().slice(0, 8)}`;
  const redis = opsRedis(OPS_DBS.shutdown);
  let worker: ChildProcess;
  let log = '';

  beforeAll(async () => {
    await flushOpsDb(OPS_DBS.shutdown);
    worker = spawn('node', ['--import', 'tsx', 'src/cli/main.ts', 'worker', '-A', 'test/fixtures/ops/tasks.ts', '--broker', url, '--backend', url, '-Q', queue, '-l', 'info', '--log-format', 'text'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    await until(() => log.includes('consuming'), 20_000, `the worker to start:\n${log}`);
  }, 30_000);

  afterAll(async () => {
    if (worker.exitCode === null) worker.kill('SIGKILL');
    redis.disconnect();
    await flushOpsDb(OPS_DBS.shutdown);
  });

  it('first SIGINT: warm (keeps running the task); second: cold, the message is back on the queue at once', async () => {
    const app = new Celeriac({ broker: url, backend: url, logLevel: 'silent' });
    const sent = await app.sendTask('ops.block', [60_000], {}, { queue });
    await until(() => log.includes(`Task ops.block[${sent.id}] received`), 10_000, 'the task to start');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    worker.kill('SIGINT');
    await until(() => log.includes('warm shutdown'), 5_000, 'the warm shutdown line');
    expect(worker.exitCode).toBeNull();
    expect(await redis.llen(queue)).toBe(0);
    worker.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(log).toContain('cold shutdown, handing 1 unfinished message(s) back to the broker');
    const waiting = await redis.lrange(queue, 0, -1);
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toContain(sent.id);
    await app.close();
  }, 30_000);
});
