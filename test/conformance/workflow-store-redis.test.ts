import { afterAll, beforeAll } from 'vitest';
import { RedisWorkflowStore } from '../../src/workflow/store/redis.js';
import { flushLeadDb, LEAD_DBS, leadRedisUrl, requireRedis } from '../helpers/lead-redis.js';
import { workflowStoreConformance } from './workflow-store.suite.js';

const db = LEAD_DBS.workflowStore;
beforeAll(async () => {
  await requireRedis();
  await flushLeadDb(db);
});
afterAll(() => flushLeadDb(db));

workflowStoreConformance('redis', async () => new RedisWorkflowStore({ url: leadRedisUrl(db) }));
workflowStoreConformance('redis (key prefix)', async () => new RedisWorkflowStore({ url: leadRedisUrl(db), workflowKeyPrefix: 'other:' }));
