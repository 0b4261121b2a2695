/**
 * Helpers for the hardening tests (issue 12): the Redis databases they own (11–14 on the test
 * Redis, `CELERIAC_TEST_REDIS_PORT`; nothing else is ever flushed), raw publishing of hand-made
 * task messages on any broker, and an execution counter per task id.
 */
import { Redis } from 'ioredis';
import type { Broker, WireMessage } from '../../src/broker/broker.js';
import { REDIS_TEST_HOST, REDIS_TEST_PORT } from './redis.js';

/** The databases the hardening tests own, one per test file. */
export const HARDENING_DBS = { poison: 11, chainFork: 12, fuzz: 13, tags: 14 } as const;
type HardeningDb = (typeof HARDENING_DBS)[keyof typeof HARDENING_DBS];

/** `redis://host:port/<db>` for one of the hardening databases. */
export function hardeningRedisUrl(db: HardeningDb): string {
  return `redis://${REDIS_TEST_HOST}:${REDIS_TEST_PORT}/${db}`;
}

/** A raw client on a hardening database (close it with `disconnect()`). */
export function hardeningRedis(db: HardeningDb): Redis {
  const client = new Redis({ host: REDIS_TEST_HOST, port: REDIS_TEST_PORT, db, protocol: 2, maxRetriesPerRequest: 3 });
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
