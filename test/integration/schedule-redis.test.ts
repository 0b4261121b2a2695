/**
 * Schedules on Redis (test DB 8): three app instances with their own connections, and three beat
 * processes, fire every due time exactly once; a beat SIGKILLed between claim and send is covered by another under the same
 * task id; a Redis restart (with its append-only file) between two fires loses and repeats nothing.
 * Beats in this process use fake clocks that start at the real time; only the beat processes tick on real timers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Celeriac } from '../../src/index.js';
import { fireId } from '../../src/schedule/fire-id.js';
import { requireRedis, waitUntil } from '../helpers/redis.js';
import { flushSecondDb, SECOND_DBS, secondRedis, secondRedisUrl } from '../helpers/second-redis.js';
import { FakeClock } from '../helpers/schedule.js';

const db = SECOND_DBS.schedules;
const url = secondRedisUrl(db);
const QUEUE = 'sched.q';
const apps: Celeriac[] = [];

function newApp(brokerUrl = url): Celeriac {
  const app = new Celeriac({ broker: brokerUrl, backend: brokerUrl, logLevel: 'silent' });
  apps.push(app);
  return app;
}

/** Task ids of the messages waiting in the test queue. */
async function queuedIds(client: Redis): Promise<string[]> {
  const raw = await client.lrange(QUEUE, 0, -1);
  return raw.map((m) => (JSON.parse(m) as { headers: { id: string } }).headers.id);
}

const countOf = (ids: readonly string[]) => ids.reduce((m, id) => m.set(id, (m.get(id) ?? 0) + 1), new Map<string, number>());

beforeAll(async () => {
  await requireRedis(db);
  await flushSecondDb(db);
});
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close().catch(() => undefined);
  await flushSecondDb(db);
});
afterAll(() => flushSecondDb(db));

describe('schedules on Redis', () => {
  it('three beats (separate apps and connections) fire each due time exactly once', async () => {
    const [a, b, c] = [newApp(), newApp(), newApp()];
    const ids = Array.from({ length: 10 }, (_, i) => `s${i}`);
    const start = Date.now();
    const first = (Math.floor(start / 2000) + 2) * 2000;
    for (const id of ids) await a!.schedules.add(id, { task: 'tests.tick', every: 1, queue: QUEUE, args: [id], startAt: first });
    await b!.schedules.add('cron', { task: 'tests.tick', cron: '*/2 * * * * *', tz: 'Europe/Berlin', queue: QUEUE, startAt: first });
    const clock = new FakeClock(start);
    const beats = [a!, b!, c!].map((app, i) => app.beat({ clock, name: `beat-${i}` }));
    for (let step = 0; step < 40; step += 1) {
      clock.advance(250);
      await Promise.all(beats.map((beat) => beat.tick()));
    }
    const want: string[] = [];
    for (const id of ids) for (let due = first; due <= clock.now(); due += 1000) want.push(fireId(id, due));
    for (let due = first; due <= clock.now(); due += 2000) want.push(fireId('cron', due));
    expect(want.length).toBeGreaterThan(60);
    const client = secondRedis(db);
    try {
      const counts = countOf(await queuedIds(client));
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      expect([...counts.keys()].sort()).toEqual(want.sort());
    } finally {
      client.disconnect();
    }
    const fires = await c!.schedules.fires('s0', 100);
    const s0Dues = Math.floor((clock.now() - first) / 1000) + 1;
    expect(fires.length).toBe(Math.min(s0Dues, 20));
    expect(fires.every((f) => f.state === 'fired' && f.taskId === fireId('s0', f.due))).toBe(true);
  });

  it('three beat processes on real timers fire each due time exactly once', async () => {
    const app = newApp();
    const fixture = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'schedule', 'beat-child.ts');
    const children = [0, 1, 2].map(() => {
      const child = spawn(process.execPath, ['--import', 'tsx', fixture, url, '30000', 'run'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      return { child, ready: () => out.includes('READY'), exited: new Promise<void>((resolve) => child.once('exit', () => resolve())) };
    });
    const client = secondRedis(db);
    try {
      await waitUntil(() => children.every((c) => c.ready()), { timeoutMs: 60_000, what: 'three beat processes to start' });
      const first = (Math.floor(Date.now() / 1000) + 5) * 1000;
      const ids = ['p0', 'p1', 'p2', 'p3'];
      for (const id of ids) await app.schedules.add(id, { task: 'tests.tick', every: 0.5, queue: QUEUE, startAt: first, endAt: first + 2_000, catchUp: 'all' });
      const want = ids.flatMap((id) => [0, 500, 1000, 1500, 2000].map((ms) => fireId(id, first + ms)));
      await waitUntil(async () => (await client.llen(QUEUE)) >= want.length, { timeoutMs: 60_000, what: `${want.length} task messages` });
      await new Promise((resolve) => setTimeout(resolve, 500));
      const counts = countOf(await queuedIds(client));
      expect([...counts.keys()].sort()).toEqual(want.sort());
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
    } finally {
      client.disconnect();
      for (const c of children) c.child.kill('SIGTERM');
      await Promise.all(children.map((c) => c.exited));
    }
  });

  it('a beat SIGKILLed between claim and send is covered by another beat, under the same task id', async () => {
    const app = newApp();
    const leaseMs = 2_000;
    await app.schedules.add('k', { task: 'tests.tick', every: 1, queue: QUEUE });
    const fixture = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'schedule', 'beat-child.ts');
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', fixture, url, String(leaseMs), 'hang'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await waitUntil(() => /CLAIMED k \d+/.test(out), { timeoutMs: 20_000, what: 'the child beat to claim a due time' });
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    const due = Number(/CLAIMED k (\d+)/.exec(out)![1]);
    const client = secondRedis(db);
    try {
      expect(await queuedIds(client)).toEqual([]);
      const clock = new FakeClock(Date.now() + leaseMs + 1_000);
      const beat = app.beat({ clock, name: 'survivor', leaseMs });
      const report = await beat.tick();
      expect(report.takenOver).toBe(1);
      await beat.tick();
      const counts = countOf(await queuedIds(client));
      expect(counts.get(fireId('k', due))).toBe(1);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      const record = (await app.schedules.fires('k', 100)).find((f) => f.due === due);
      expect(record).toMatchObject({ state: 'fired', beat: 'survivor', taskId: fireId('k', due) });
    } finally {
      client.disconnect();
    }
  });

  it('`celeriac beat` fires and `celeriac schedules` lists next times and the fire records', async () => {
    const app = newApp();
    await app.schedules.add('cli-tick', { task: 'tests.tick', every: 0.2, queue: QUEUE, args: ['cli'] });
    const cli = ['--import', 'tsx', 'src/cli/main.ts'];
    const flags = ['--broker', url, '--backend', url, '-l', 'warn'];
    const beat = spawn(process.execPath, [...cli, 'beat', ...flags, '--tick-ms', '50'], { stdio: ['ignore', 'ignore', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => beat.once('exit', (code) => resolve(code)));
    try {
      await waitUntil(async () => (await app.schedules.fires('cli-tick', 5)).some((f) => f.state === 'fired'), { timeoutMs: 30_000, what: 'a fire by the beat process' });
    } finally {
      beat.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const json = await runCli([...cli, 'schedules', ...flags, '--json', '--next', '2', '--fires', '3']);
    const [listed] = JSON.parse(json) as Array<{ id: string; next: string[]; fires: Array<{ state: string; taskId: string; due: string }> }>;
    expect(listed?.id).toBe('cli-tick');
    expect(listed?.next).toHaveLength(2);
    expect(listed?.fires.length).toBeGreaterThan(0);
    for (const f of listed!.fires.filter((r) => r.state === 'fired')) expect(f.taskId).toBe(fireId('cli-tick', Date.parse(f.due)));
    const text = await runCli([...cli, 'schedules', ...flags]);
    expect(text).toMatch(/^cli-tick {2}task tests.tick {2}every 0.2s {2}catchUp=latest\n {2}next: \S+Z, \S+Z, \S+Z\n {2}last fires/m);
    expect(text).toMatch(/→ \S+Z \(\+\d+ ms\) {2}fired {2}task [0-9a-f-]{36}/);
  });

  it('a Redis restart between two fires repeats and loses nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'celeriac-sched-'));
    const port = await freePort();
    const server = await startPersistentRedis(port, dir);
    let restarted: Awaited<ReturnType<typeof startPersistentRedis>> | undefined;
    const ownUrl = `redis://127.0.0.1:${port}/0`;
    try {
      const app = newApp(ownUrl);
      await app.schedules.add('r', { task: 'tests.tick', every: 1, queue: QUEUE });
      const clock = new FakeClock(Date.now());
      const beat = app.beat({ clock, name: 'steady' });
      const first = Math.floor(clock.now() / 1000) * 1000 + 1000;
      clock.time = first;
      expect(await beat.tick()).toMatchObject({ fired: 1 });
      await server.stop();
      restarted = await startPersistentRedis(port, dir);
      expect(await beat.tick()).toMatchObject({ fired: 0 });
      clock.time = first + 1000;
      expect(await beat.tick()).toMatchObject({ fired: 1 });
      const other = newApp(ownUrl).beat({ clock, name: 'late' });
      expect(await other.tick()).toMatchObject({ fired: 0 });
      const client = new Redis({ port, host: '127.0.0.1', lazyConnect: false });
      try {
        expect((await queuedIds(client)).sort()).toEqual([fireId('r', first), fireId('r', first + 1000)].sort());
      } finally {
        client.disconnect();
      }
    } finally {
      for (const app of apps.splice(0)) await app.close().catch(() => undefined);
      await server.stop();
      await restarted?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

async function runCli(args: string[]): Promise<string> {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { timeout: 30_000 }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)));
  });
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A redis-server of this test with an append-only file in `dir` (stopped by its own handle only). */
async function startPersistentRedis(port: number, dir: string): Promise<{ stop(): Promise<void> }> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', () => undefined);
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  await waitUntil(
    async () => {
      try {
        if (probe.status !== 'ready') await probe.connect();
        return (await probe.ping()) === 'PONG';
      } catch {
        probe.disconnect();
        return false;
      }
    },
    { timeoutMs: 10_000, what: `redis-server on port ${port} (is redis-server on PATH?)` },
  );
  probe.disconnect();
  return {
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
