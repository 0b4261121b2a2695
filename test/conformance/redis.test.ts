/**
 * The shared broker and backend conformance suites against the Redis adapters (test DB 5).
 */
import { afterAll, beforeAll } from 'vitest';
import { RedisBackend } from '../../src/backend/redis.js';
import { RedisBroker } from '../../src/broker/redis.js';
import { flushTestDb, redisTestUrl, requireRedis, TEST_DBS } from '../helpers/redis.js';
import { backendConformance } from './backend.suite.js';
import { brokerConformance } from './broker.suite.js';

const db = TEST_DBS.conformance;
beforeAll(async () => {
  await requireRedis(db);
  await flushTestDb(db);
});
afterAll(() => flushTestDb(db));

brokerConformance('redis', async () => new RedisBroker({ url: redisTestUrl(db) }), { priorityOrder: 'lower-first', queuePrefix: 'conf.' });
backendConformance('redis', async () => new RedisBackend({ url: redisTestUrl(db) }));
backendConformance('redis (msgpack, key prefix)', async () => new RedisBackend({ url: redisTestUrl(db), serializer: 'msgpack', keyPrefix: 'pfx:' }));
backendConformance('redis (every wait through the pattern subscription)', async () => new RedisBackend({ url: redisTestUrl(db), keyPrefix: 'pat:', patternWaitThreshold: 1 }));
