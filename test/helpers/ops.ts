/**
 * Helpers for the operating tests (shutdown, events, inspect/control, CLI verbs): the Redis
 * databases they own (10–14 only; nothing else is ever flushed) on the test Redis
 * (CELERIAC_TEST_REDIS_HOST/PORT), and a loud service check.
 */
import { Redis } from 'ioredis';
import { REDIS_TEST_HOST, REDIS_TEST_PORT } from './redis.js';

/** The databases the operating tests own (one per test file). */
export const OPS_DBS = { shutdown: 10, events: 11, inspect: 12, cliOps: 13, progress: 14 } as const;
type OpsDb = (typeof OPS_DBS)[keyof typeof OPS_DBS];

/** `redis://host:port/<db>` for one of our databases. */
export function opsRedisUrl(db: OpsDb): string {
  return `redis://${REDIS_TEST_HOST}:${REDIS_TEST_PORT}/${db}`;
}

/** A raw client on one of our databases (close it with `disconnect()`). */
export function opsRedis(db: OpsDb): Redis {
  const client = new Redis({ host: REDIS_TEST_HOST, port: REDIS_TEST_PORT, db, protocol: 2, maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  return client;
}

/** FLUSHDB one of our databases; throws (never skips) when Redis is down, saying how to start it. */
export async function flushOpsDb(db: OpsDb): Promise<void> {
  const client = new Redis({ host: REDIS_TEST_HOST, port: REDIS_TEST_PORT, db, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.flushdb();
  } catch (error) {
    throw new Error(`Redis is not reachable at ${REDIS_TEST_HOST}:${REDIS_TEST_PORT} (${(error as Error).message}). Start it with \`redis-server --daemonize yes\`, or set CELERIAC_TEST_REDIS_HOST / CELERIAC_TEST_REDIS_PORT.`);
  } finally {
    client.disconnect();
  }
}

/** Poll `check` every 50 ms until it returns truthy, or throw after `timeoutMs` naming `what`. */
export async function until<T>(check: () => T | Promise<T>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
