/** The schedule store conformance suite against the Redis adapter (test DB 8, plain and with a key prefix). */
import { afterAll, beforeAll } from 'vitest';
import { RedisScheduleStore } from '../../src/schedule/store/redis.js';
import { flushTestDb, redisTestUrl, requireRedis, TEST_DBS } from '../helpers/redis.js';
import { scheduleStoreConformance } from './schedule-store.suite.js';

const db = TEST_DBS.schedules;
beforeAll(async () => {
  await requireRedis(db);
  await flushTestDb(db);
});
afterAll(() => flushTestDb(db));

scheduleStoreConformance('redis', async () => new RedisScheduleStore({ url: redisTestUrl(db) }));
scheduleStoreConformance('redis (key prefix)', async () => new RedisScheduleStore({ url: redisTestUrl(db), keyPrefix: 'pfx:' }));
