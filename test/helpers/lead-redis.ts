/**
 * Redis databases owned by the lead's integration tests (canvas suite on Redis/RabbitMQ, CLI):
 * 6–8 on the test Redis, and the workflow-layer ones on the run's second Redis. Nothing else is ever flushed.
 */
import { Redis } from 'ioredis';
import { REDIS_TEST_HOST, REDIS_TEST_PORT, requireRedis as requireRedisService } from './redis.js';
import { secondRedisPort } from './second-redis.js';

export const LEAD_DBS = { canvasRedis: 6, canvasAmqp: 7, cli: 8, workflowStore: 9, workflowRedis: 10, workflowAmqp: 11, workflowCli: 12, workflowWaits: 13, triggers: 14 } as const;

/** The workflow-layer databases live on the second, private Redis of the run (test/helpers/second-redis.ts). */
const ON_SECOND_REDIS: ReadonlySet<number> = new Set([LEAD_DBS.workflowStore, LEAD_DBS.workflowRedis, LEAD_DBS.workflowAmqp, LEAD_DBS.workflowCli, LEAD_DBS.workflowWaits, LEAD_DBS.triggers]);

function hostAndPort(db: number): { host: string; port: number } {
  return ON_SECOND_REDIS.has(db) ? { host: '127.0.0.1', port: secondRedisPort() } : { host: REDIS_TEST_HOST, port: REDIS_TEST_PORT };
}

/** The URL of one of the lead's test databases. */
export function leadRedisUrl(db: (typeof LEAD_DBS)[keyof typeof LEAD_DBS]): string {
  const { host, port } = hostAndPort(db);
  return `redis://${host}:${port}/${db}`;
}

/** Throws (never skips) when Redis is not reachable, saying how to start it. */
export async function requireRedis(): Promise<void> {
  await requireRedisService(2);
}

/** FLUSHDB one of the lead's test databases. */
export async function flushLeadDb(db: (typeof LEAD_DBS)[keyof typeof LEAD_DBS]): Promise<void> {
  const client = new Redis({ ...hostAndPort(db), db, maxRetriesPerRequest: 1 });
  try {
    await client.flushdb();
  } finally {
    client.disconnect();
  }
}
