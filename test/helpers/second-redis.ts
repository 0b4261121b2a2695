/**
 * The second, private Redis the test run starts (test/global-setup.ts): whole databases for the
 * workflow, schedule, hardening and server tests, so no two test files that run in parallel ever
 * share (or flush) a database. Nothing else uses this server.
 */
import { Redis } from 'ioredis';
import { inject } from 'vitest';

/** Databases on the second Redis, one per test file. */
export const SECOND_DBS = {
  poison: 1, fuzz: 2, tags: 3, server: 4, scheduleStore: 5, schedules: 6,
  workflowStore: 9, workflowRedis: 10, workflowAmqp: 11, workflowCli: 12, workflowWaits: 13, triggers: 14,
} as const;

/** The second Redis's port. */
export function secondRedisPort(): number {
  return inject('secondRedisPort');
}

/** `redis://127.0.0.1:<port>/<db>` on the second Redis. */
export function secondRedisUrl(db: number): string {
  return `redis://127.0.0.1:${secondRedisPort()}/${db}`;
}

/** A raw client on a database of the second Redis (close it with `disconnect()`). */
export function secondRedis(db: number): Redis {
  const client = new Redis({ host: '127.0.0.1', port: secondRedisPort(), db, protocol: 2, maxRetriesPerRequest: 3 });
  client.on('error', () => undefined);
  return client;
}

/** FLUSHDB one database of the second Redis. */
export async function flushSecondDb(db: number): Promise<void> {
  const client = secondRedis(db);
  try {
    await client.flushdb();
  } finally {
    client.disconnect();
  }
}
