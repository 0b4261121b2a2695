/**
 * Redis databases owned by the lead's integration tests (canvas suite on Redis/RabbitMQ, CLI):
 * 6 and 7. Nothing else is ever flushed.
 */
import { Redis } from 'ioredis';
import { REDIS_TEST_HOST, REDIS_TEST_PORT, requireRedis as requireRedisService } from './redis.js';

export const LEAD_DBS = { canvasRedis: 6, canvasAmqp: 7, cli: 8 } as const;

/** Throws (never skips) when Redis is not reachable, saying how to start it. */
export async function requireRedis(): Promise<void> {
  await requireRedisService(2);
}

/** FLUSHDB one of the lead's test databases. */
export async function flushLeadDb(db: (typeof LEAD_DBS)[keyof typeof LEAD_DBS]): Promise<void> {
  const client = new Redis({ host: REDIS_TEST_HOST, port: REDIS_TEST_PORT, db, maxRetriesPerRequest: 1 });
  try {
    await client.flushdb();
  } finally {
    client.disconnect();
  }
}
