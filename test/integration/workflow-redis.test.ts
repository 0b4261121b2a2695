import { afterAll, beforeAll } from 'vitest';
import { Celeriac } from '../../src/index.js';
import { workflowConformance } from '../conformance/workflow.suite.js';
import { flushLeadDb, LEAD_DBS, leadRedisUrl, requireRedis } from '../helpers/lead-redis.js';

const url = leadRedisUrl(LEAD_DBS.workflowRedis);
beforeAll(async () => {
  await requireRedis();
  await flushLeadDb(LEAD_DBS.workflowRedis);
});
afterAll(() => flushLeadDb(LEAD_DBS.workflowRedis));

workflowConformance('redis', () => new Celeriac({ broker: url, backend: url, defaultQueue: 'wf-conformance', logLevel: 'silent' }));
