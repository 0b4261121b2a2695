/**
 * Where the benchmark may write: Redis DBs 13 and 14 only, RabbitMQ queues named `celeriac_bench_*`.
 * Every URL, DB number and queue name the runner uses is built here.
 * @module
 */
import { findCeleryPython } from '../../scripts/lib/celery-python.js';

/** The transports a run can cover. */
export type Transport = 'memory' | 'redis' | 'amqp';
export const TRANSPORTS: readonly Transport[] = ['memory', 'redis', 'amqp'];

/** The Redis port (`BENCH_REDIS_PORT`, default 6379): point the bench at a private redis-server. */
export const REDIS_PORT = Number(process.env['BENCH_REDIS_PORT'] ?? 6379);
const REDIS_HOST = `127.0.0.1:${REDIS_PORT}`;
/** celeriac and the raw ioredis loop. */
export const CELERIAC_DB = 13;
/** BullMQ and Python Celery (never alive at the same time as a flush). */
export const PEER_DB = 14;
/** The only DBs this tool ever flushes. */
export const FLUSHABLE_DBS: readonly number[] = [CELERIAC_DB, PEER_DB];

/** The RabbitMQ URL (`BENCH_AMQP_URL`, e.g. with a vhost of your own; default guest@localhost, vhost `/`). */
export const AMQP_URL = process.env['BENCH_AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';

/** A Redis URL on one of the bench DBs. */
export function redisUrl(db: number): string {
  return `redis://${REDIS_HOST}/${db}`;
}

/** Every queue name starts with this prefix (RabbitMQ rule for this tool). */
export const QUEUE_PREFIX = 'celeriac_bench_';

/** The queue a system uses for a purpose: `w1` (throughput) or `canvas` (W2–W4). */
export function queueName(system: string, purpose: 'w1' | 'canvas'): string {
  return `${QUEUE_PREFIX}${system}_${purpose}`;
}

/** Broker and backend URLs celeriac uses on a transport. */
export function celeriacUrls(transport: Transport): { broker: string; backend: string } {
  switch (transport) {
    case 'memory':
      return { broker: 'memory://bench', backend: 'memory://bench' };
    case 'redis':
      return { broker: redisUrl(CELERIAC_DB), backend: redisUrl(CELERIAC_DB) };
    case 'amqp':
      return { broker: AMQP_URL, backend: redisUrl(CELERIAC_DB) };
  }
}

/** Broker and backend URLs Python Celery uses on a transport (never memory). */
export function celeryUrls(transport: Exclude<Transport, 'memory'>): { broker: string; backend: string } {
  return transport === 'redis'
    ? { broker: redisUrl(PEER_DB), backend: redisUrl(PEER_DB) }
    : { broker: AMQP_URL, backend: redisUrl(PEER_DB) };
}

/** Worker settings shared by every system, so they get the same budget. */
export const WORKER = {
  /** celeriac and BullMQ: tasks at once in one Node process. */
  nodeConcurrency: 50,
  /** celeriac prefetch = concurrency × this. */
  prefetchMultiplier: 4,
  /** Python Celery pool (`BENCH_CELERY_POOL`): prefork by default, see bench/README.md. */
  celeryPool: (process.env['BENCH_CELERY_POOL'] ?? 'prefork') as 'prefork' | 'threads',
  /** Python Celery pool size (`-c 8`). */
  celeryConcurrency: 8,
} as const;

/**
 * The Python interpreter with Celery 5.2.6: `BENCH_PYTHON`, else the first `python3` on PATH that
 * imports it (checked by the preflight, which says what to install when none does).
 */
export const PYTHON = findCeleryPython(process.env['BENCH_PYTHON'])?.executable ?? process.env['BENCH_PYTHON'] ?? 'python3';
