import { afterAll, beforeAll } from 'vitest';
import { Celeriac } from '../../src/index.js';
import { workflowConformance } from '../conformance/workflow.suite.js';
import { AMQP_TEST_URL, deleteTestQueues, requireRabbitMq, testQueueName } from '../helpers/amqp.js';
import { flushLeadDb, LEAD_DBS, leadRedisUrl, requireRedis } from '../helpers/lead-redis.js';

const queue = testQueueName('workflows');
beforeAll(async () => {
  await requireRedis();
  await requireRabbitMq();
  await flushLeadDb(LEAD_DBS.workflowAmqp);
});
afterAll(async () => {
  await deleteTestQueues([queue]);
  await flushLeadDb(LEAD_DBS.workflowAmqp);
});

workflowConformance('amqp broker + redis backend', () =>
  new Celeriac({ broker: AMQP_TEST_URL, backend: leadRedisUrl(LEAD_DBS.workflowAmqp), defaultQueue: queue, logLevel: 'silent' }),
);
