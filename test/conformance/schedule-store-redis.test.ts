/** The schedule store conformance suite against the Redis adapter (a database of the run's second Redis, plain and with a key prefix). */
import { afterAll, beforeAll } from 'vitest';
import { RedisScheduleStore } from '../../src/schedule/store/redis.js';
import { requireRedis } from '../helpers/redis.js';
import { flushSecondDb, SECOND_DBS, secondRedisUrl } from '../helpers/second-redis.js';
import { scheduleStoreConformance } from './schedule-store.suite.js';

const db = SECOND_DBS.scheduleStore;
beforeAll(async () => {
  await requireRedis(db);
  await flushSecondDb(db);
});
afterAll(() => flushSecondDb(db));

scheduleStoreConformance('redis', async () => new RedisScheduleStore({ url: secondRedisUrl(db) }));
scheduleStoreConformance('redis (key prefix)', async () => new RedisScheduleStore({ url: secondRedisUrl(db), keyPrefix: 'pfx:' }));
