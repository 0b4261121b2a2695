/**
 * Helpers for the operating tests (shutdown, events, inspect/control, CLI verbs): the Redis
 * databases they own (see OPS_DBS; nothing else is ever flushed), and a loud service check.
 */
import { Redis } from 'ioredis';
import { REDIS_TEST_HOST, REDIS_TEST_PORT } from './redis.js';
import { secondRedisPort } from './second-redis.js';

/**
 * The databases the operating tests own (one per test file): 13 and 14 on the test Redis, 7, 8 and
 * 15 on the run's second Redis (test/helpers/second-redis.ts).
 */
export const OPS_DBS = { shutdown: 13, events: 14, inspect: 7, cliOps: 8, progress: 15 } as const;
type OpsDb = (typeof OPS_DBS)[keyof typeof OPS_DBS];
const ON_SECOND_REDIS: ReadonlySet<number> = new Set([OPS_DBS.inspect, OPS_DBS.cliOps, OPS_DBS.progress]);

function hostAndPort(db: OpsDb): { host: string; port: number } {
  return ON_SECOND_REDIS.has(db) ? { host: '127.0.0.1', port: secondRedisPort() } : { host: REDIS_TEST_HOST, port: REDIS_TEST_PORT };
}

/** `redis://host:port/<db>` for one of our databases. */
export function opsRedisUrl(db: OpsDb): string {
  const { host, port } = hostAndPort(db);
  return `redis://${host}:${port}/${db}`;
}

/** A raw client on one of our databases (close it with `disconnect()`). */
export function opsRedis(db: OpsDb): Redis {
  const client = new Redis({ ...hostAndPort(db), db, protocol: 2, maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  return client;
}

/** FLUSHDB one of our databases; throws (never skips) when Redis is down, saying how to start it. */
export async function flushOpsDb(db: OpsDb): Promise<void> {
  const client = new Redis({ ...hostAndPort(db), db, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
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
