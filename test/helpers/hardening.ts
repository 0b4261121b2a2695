/**
 * Helpers for the hardening tests (issue 12): the Redis databases they own (11–14 on the test
 * Redis, `CELERIAC_TEST_REDIS_PORT`; nothing else is ever flushed), raw publishing of hand-made
 * task messages on any broker, and an execution counter per task id.
 */
import { Redis } from 'ioredis';
import type { Broker, WireMessage } from '../../src/broker/broker.js';
import { REDIS_TEST_HOST, REDIS_TEST_PORT } from './redis.js';
import { SECOND_DBS, secondRedisPort } from './second-redis.js';

/**
 * The databases the hardening tests own, one per test file: the serial chain-fork test on the test
 * Redis (DB 12, serial files never overlap), the others on the run's second Redis (second-redis.ts).
 */
export const HARDENING_DBS = { poison: SECOND_DBS.poison, chainFork: 12, fuzz: SECOND_DBS.fuzz, tags: SECOND_DBS.tags } as const;
type HardeningDb = (typeof HARDENING_DBS)[keyof typeof HARDENING_DBS];

function hostAndPort(db: HardeningDb): { host: string; port: number } {
  return db === HARDENING_DBS.chainFork ? { host: REDIS_TEST_HOST, port: REDIS_TEST_PORT } : { host: '127.0.0.1', port: secondRedisPort() };
}

/** `redis://host:port/<db>` for one of the hardening databases. */
export function hardeningRedisUrl(db: HardeningDb): string {
  const { host, port } = hostAndPort(db);
  return `redis://${host}:${port}/${db}`;
}

/** A raw client on a hardening database (close it with `disconnect()`). */
export function hardeningRedis(db: HardeningDb): Redis {
  const client = new Redis({ ...hostAndPort(db), db, protocol: 2, maxRetriesPerRequest: 3 });
  client.on('error', () => undefined);
  return client;
}

/** FLUSHDB one hardening database. */
export async function flushHardeningDb(db: HardeningDb): Promise<void> {
  const client = hardeningRedis(db);
  try {
    await client.flushdb();
  } finally {
    client.disconnect();
  }
}

/** A JSON task message (protocol 2) built by hand, with `embed` and extra headers as given. */
export function rawTask(task: string, id: string, args: unknown[], embed: Record<string, unknown> = {}, headers: Record<string, unknown> = {}): WireMessage {
  const body = JSON.stringify([args, {}, { callbacks: null, errbacks: null, chain: null, chord: null, ...embed }]);
  return {
    body: new Uint8Array(Buffer.from(body)),
    contentType: 'application/json',
    contentEncoding: 'utf-8',
    headers: { lang: 'py', task, id, root_id: id, parent_id: null, group: null, retries: 0, ...headers },
    properties: { delivery_mode: 2, priority: 0 },
  };
}

/** Publish a hand-made message through the broker adapter (no celeriac publisher involved). */
export async function publishRaw(broker: Broker, queue: string, message: WireMessage): Promise<void> {
  await broker.publish({ queue }, message);
}

/** Counts executions per key in memory (tasks in the test process). */
export class ExecutionCounter {
  private readonly counts = new Map<string, number>();

  hit(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  get max(): number {
    return Math.max(0, ...this.counts.values());
  }
}
