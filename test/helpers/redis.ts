/**
 * Helpers for the Redis tests: a loud service check (tests never skip), the test databases
 * (2–5 only; nothing else is ever flushed), a raw ioredis client for assertions, a private
 * `redis-server` started and stopped by PID (on a port the OS picked), and small waiting utilities.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { assertPortFree, freePort } from './ports.js';

/** Host and port of the shared test Redis. */
export const REDIS_TEST_HOST = process.env['CELERIAC_TEST_REDIS_HOST'] ?? '127.0.0.1';
export const REDIS_TEST_PORT = Number(process.env['CELERIAC_TEST_REDIS_PORT'] ?? 6379);

/** The databases the Redis tests own (each test file uses its own). */
export const TEST_DBS = { broker: 2, backend: 3, reliability: 4, conformance: 5 } as const;

/** The URL of test database `db` on the shared test Redis (or on `port`). */
export function redisTestUrl(db: number, port = REDIS_TEST_PORT): string {
  assertTestDb(db);
  return `redis://${REDIS_TEST_HOST}:${port}/${db}`;
}

function assertTestDb(db: number): void {
  if (!Object.values(TEST_DBS).includes(db as 2 | 3 | 4 | 5)) throw new Error(`DB ${db} is not a Redis test database (2–5)`);
}

/** A raw client on a test database, for assertions (close it with `disconnect()`). */
export function rawRedis(db: number, port = REDIS_TEST_PORT): Redis {
  assertTestDb(db);
  return new Redis({ host: REDIS_TEST_HOST, port, db, protocol: 2, lazyConnect: false, maxRetriesPerRequest: 1 });
}

/** Throws (never skips) when the test Redis is not reachable, saying how to start it. */
export async function requireRedis(db: number): Promise<void> {
  const client = new Redis({ host: REDIS_TEST_HOST, port: REDIS_TEST_PORT, db, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new Error(
      `Redis is not reachable at ${REDIS_TEST_HOST}:${REDIS_TEST_PORT} (${(error as Error).message}). ` +
        'Start it with `redis-server --daemonize yes` (or `systemctl start redis-server`), or set ' +
        'CELERIAC_TEST_REDIS_HOST / CELERIAC_TEST_REDIS_PORT.',
    );
  } finally {
    client.disconnect();
  }
}

/** FLUSHDB a Redis test database (2–5 only). */
export async function flushTestDb(db: number): Promise<void> {
  const client = rawRedis(db);
  try {
    await client.flushdb();
  } finally {
    client.disconnect();
  }
}

/** A redis-server this test process started itself (stop it by PID only). */
export interface OwnRedisServer {
  readonly port: number;
  readonly process: ChildProcess;
  /** Stop it with SIGTERM and wait until it exited. */
  stop(): Promise<void>;
}

/**
 * Start `redis-server --port <port> --save "" --appendonly no` and wait until it answers. Without
 * `port` the OS picks a free one; with it (a restart on the port of a server this test stopped)
 * the port must be free, so the test never talks to somebody else's Redis.
 */
export async function startOwnRedisServer(port?: number): Promise<OwnRedisServer> {
  if (port === undefined) port = await freePort();
  else await assertPortFree(port);
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', () => undefined);
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await waitUntil(
      async () => {
        try {
          if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode} (port ${port} taken?)`);
          if (probe.status !== 'ready') await probe.connect();
          return (await probe.ping()) === 'PONG';
        } catch (error) {
          if (child.exitCode !== null) throw error;
          probe.disconnect();
          return false;
        }
      },
      { timeoutMs: 10_000, what: `redis-server on port ${port} (is redis-server on PATH?)` },
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    probe.disconnect();
  }
  return {
    port,
    process: child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Poll `condition` until it holds; throws after `timeoutMs` naming `what`. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  { timeoutMs = 10_000, intervalMs = 20, what = 'condition' }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await pause(intervalMs);
  }
}

/** Resolve after `ms`. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A test message (Celery-shaped headers, JSON body). */
export function testMessage(id: string, extra: { properties?: Record<string, unknown>; headers?: Record<string, unknown> } = {}) {
  return {
    body: new TextEncoder().encode(JSON.stringify([[id], {}, { callbacks: null, errbacks: null, chain: null, chord: null }])),
    contentType: 'application/json',
    contentEncoding: 'utf-8',
    headers: { lang: 'py', task: 'tests.echo', id, retries: 0, ...extra.headers },
    properties: { correlation_id: id, reply_to: 'reply', delivery_mode: 2, ...extra.properties },
  };
}
