/**
 * The matrix combinations (broker × serializer), the services they need, and their cleanup.
 *
 * Resources owned by the interop tests: Redis DBs 10, 11, 12 (FLUSHDB allowed on these only) and
 * RabbitMQ queues/exchanges named `celeriac_interop_*`.
 * - redis/json: broker and results in DB 10; redis/msgpack: DB 11;
 * - amqp/json and amqp/msgpack: RabbitMQ broker, results in DB 12 (they run one after the other).
 */
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { MAX_DELAY_BUCKET_MS, MIN_DELAY_BUCKET_MS } from '../../src/broker/amqp/delay.js';
import { deadQueueName, delayQueueName } from '../../src/broker/amqp/names.js';
import { AMQP_TEST_URL } from '../helpers/amqp.js';
import { REDIS_TEST_HOST, REDIS_TEST_PORT } from '../helpers/redis.js';
import { Celeriac, type CeleriacOptions } from '../../src/index.js';
import type { PythonEnv } from './harness.js';
import { PY_TASK_NAMES } from './ts-tasks.js';

/** `host:port` of the test Redis (`CELERIAC_TEST_REDIS_HOST` / `CELERIAC_TEST_REDIS_PORT`). */
export const REDIS_HOST = `${REDIS_TEST_HOST}:${REDIS_TEST_PORT}`;
/** The test RabbitMQ (`CELERIAC_TEST_AMQP_URL`). */
export const AMQP_URL = AMQP_TEST_URL;
/** Every RabbitMQ queue/exchange these tests create starts with this. */
export const INTEROP_PREFIX = 'celeriac_interop_';
const OWNED_DBS = new Set([10, 11, 12]);

/** One cell column of the matrix. */
export interface Combo {
  /** e.g. `redis/json`. */
  readonly label: string;
  readonly broker: 'redis' | 'amqp';
  readonly serializer: 'json' | 'msgpack';
  readonly brokerUrl: string;
  readonly backendUrl: string;
  /** The Redis DB of the result backend (and of the broker on Redis). */
  readonly db: number;
  /** Queue of the py.* tasks, consumed only by the Python worker. */
  readonly pyQueue: string;
  /** Queue of the ts.* tasks, consumed only by the celeriac worker. */
  readonly tsQueue: string;
  /** RabbitMQ `x-max-priority` declared by both sides (so either may declare the queue first). */
  readonly maxPriority: number | undefined;
}

/** A combination; queue names carry the broker and serializer so combinations never share a queue. */
export function combo(broker: 'redis' | 'amqp', serializer: 'json' | 'msgpack', db: number): Combo {
  if (!OWNED_DBS.has(db)) throw new Error(`interop tests may only use Redis DBs 10, 11, 12 (got ${db})`);
  const backendUrl = `redis://${REDIS_HOST}/${db}`;
  return {
    label: `${broker}/${serializer}`,
    broker,
    serializer,
    brokerUrl: broker === 'redis' ? backendUrl : AMQP_URL,
    backendUrl,
    db,
    pyQueue: `${INTEROP_PREFIX}py_${broker}_${serializer}`,
    tsQueue: `${INTEROP_PREFIX}ts_${broker}_${serializer}`,
    maxPriority: broker === 'amqp' ? 9 : undefined,
  };
}

/** The environment `interop_tasks.py` reads. */
/** An app on the combination's broker, backend and serializer, with py.* routed to the Python queue. */
export function comboApp(c: Combo, extra: CeleriacOptions = {}): Celeriac {
  return new Celeriac({
    broker: c.brokerUrl,
    backend: c.backendUrl,
    serializer: c.serializer,
    resultSerializer: c.serializer,
    routes: Object.fromEntries(PY_TASK_NAMES.map((name) => [name, c.pyQueue])),
    ...(c.maxPriority !== undefined ? { brokerOptions: { maxPriority: c.maxPriority } } : {}),
    logLevel: 'warn',
    ...extra,
  });
}

export function pythonEnv(c: Combo): PythonEnv {
  return {
    CELERY_BROKER_URL: c.brokerUrl,
    CELERY_RESULT_BACKEND: c.backendUrl,
    INTEROP_SERIALIZER: c.serializer,
    INTEROP_PY_QUEUE: c.pyQueue,
    INTEROP_TS_QUEUE: c.tsQueue,
    ...(c.maxPriority !== undefined ? { INTEROP_MAX_PRIORITY: String(c.maxPriority) } : {}),
  };
}

/** Throws (never skips) when Redis or, for AMQP combinations, RabbitMQ is not reachable. */
export async function requireServices(c: Combo): Promise<void> {
  const redis = new Redis(c.backendUrl, { lazyConnect: true, connectTimeout: 3_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(`Redis is not reachable at ${REDIS_HOST} (${(error as Error).message}). Start it with \`redis-server --daemonize yes\`.`);
  } finally {
    redis.disconnect();
  }
  if (c.broker !== 'amqp') return;
  try {
    await (await amqp.connect(AMQP_URL, { timeout: 3_000 })).close();
  } catch (error) {
    throw new Error(`RabbitMQ is not reachable at ${AMQP_URL} (${(error as Error).message}). Start it with \`rabbitmq-server -detached\`.`);
  }
}

/** FLUSHDB the combination's own DB (10, 11 or 12 only). */
async function flushOwnDb(c: Combo): Promise<void> {
  if (!OWNED_DBS.has(c.db)) throw new Error(`refusing to FLUSHDB ${c.db}`);
  const redis = new Redis(c.backendUrl, { maxRetriesPerRequest: 1 });
  try {
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}

/** Every RabbitMQ name celeriac or Celery may have created for a queue of ours. */
function amqpNames(queue: string): { queues: string[]; exchanges: string[] } {
  const queues = [queue, deadQueueName(queue)];
  for (let bucket = MIN_DELAY_BUCKET_MS; bucket <= MAX_DELAY_BUCKET_MS; bucket *= 2) queues.push(delayQueueName(queue, bucket));
  return { queues, exchanges: [queue] };
}

/** Delete our RabbitMQ queues and exchanges (names checked against the prefix). */
async function deleteAmqpTopology(c: Combo): Promise<void> {
  const connection = await amqp.connect(AMQP_URL);
  try {
    const channel = await connection.createChannel();
    for (const queue of [c.pyQueue, c.tsQueue]) {
      const { queues, exchanges } = amqpNames(queue);
      for (const name of [...queues, ...exchanges]) {
        if (!name.startsWith(INTEROP_PREFIX)) throw new Error(`refusing to delete ${name}`);
      }
      for (const name of queues) await channel.deleteQueue(name);
      for (const name of exchanges) await channel.deleteExchange(name);
    }
    await channel.close();
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** Remove everything the combination created (run before and after its cells). */
export async function resetCombo(c: Combo): Promise<void> {
  await flushOwnDb(c);
  if (c.broker === 'amqp') await deleteAmqpTopology(c);
}
