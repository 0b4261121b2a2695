import { afterAll, beforeAll } from 'vitest';
import { Celeriac } from '../../src/index.js';
import { flushLeadDb, LEAD_DBS, leadRedisUrl, requireRedis } from '../helpers/lead-redis.js';
import { workflowTriggersSuite } from './workflow-triggers.suite.js';

const db = LEAD_DBS.triggers;
beforeAll(async () => {
  await requireRedis();
  await flushLeadDb(db);
});
afterAll(() => flushLeadDb(db));

const make = () => new Celeriac({ broker: leadRedisUrl(db), backend: leadRedisUrl(db), logLevel: 'silent' });
workflowTriggersSuite('redis', { app: make, second: make });
