/**
 * A Redis restart while nodes wait loses no wait and no retained event (when Redis persists its
 * data: this test's own redis-server runs with `appendonly yes`, `appendfsync always`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Celeriac, type Worker } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'celeriac-w6-'));
let port = 0;
let server: ChildProcess | undefined;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function startRedis(): Promise<void> {
  server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], { stdio: 'ignore' });
  server.once('error', () => undefined);
  const end = Date.now() + 10_000;
  for (;;) {
    const probe = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      if ((await probe.ping()) === 'PONG') return;
    } catch {
      if (Date.now() > end) throw new Error(`redis-server did not start on ${port}: is redis-server on PATH? (apt-get install redis-server)`);
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      probe.disconnect();
    }
  }
}

async function stopRedis(): Promise<void> {
  const child = server;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

let app: Celeriac;
let worker: Worker;
beforeAll(async () => {
  port = await freePort();
  await startRedis();
  const url = `redis://127.0.0.1:${port}/0`;
  app = new Celeriac({ broker: url, backend: url, logLevel: 'silent' });
  app.task('AFTER', (data: unknown) => data);
  worker = await app.worker({ concurrency: 4 }).start();
});
afterAll(async () => {
  await worker?.stop({ timeoutMs: 5000 });
  await app?.close();
  await stopRedis();
  rmSync(dir, { recursive: true, force: true });
});

it('a wait armed and an event retained before a Redis restart are both there after it', async () => {
  app.workflows.define('restart.WAIT', { nodes: { w: { type: 'wait', event: 'restart.paid', correlate: 'payload.k' }, next: { task: 'AFTER', after: ['w'] } } });
  app.workflows.define('restart.LATE', { nodes: { w: { type: 'wait', event: 'restart.paid', correlate: 'payload.k', retainEvents: 3600 } } });
  const waiting = await app.workflows.run('restart.WAIT', { k: 'a' });
  for (let i = 0; i < 500 && (await app.workflows.get(waiting.id)).tasks[0]?.status !== 'progress'; i += 1) await new Promise((r) => setTimeout(r, 20));
  expect((await app.fire('restart.paid', { for: 'b' }, { key: 'b' })).completed).toBe(0);
  await stopRedis();
  await startRedis();
  expect((await app.fire('restart.paid', { for: 'a' }, { key: 'a' })).completed).toBe(1);
  const done = await waiting.wait({ timeout: 30_000 });
  expect(done.tasks.find((t) => t.key === 'next')?.result).toEqual({ for: 'a' });
  const late = await app.workflows.run('restart.LATE', { k: 'b' });
  expect((await late.wait({ timeout: 30_000 })).tasks[0]?.result).toEqual({ for: 'b' });
}, 90_000);
