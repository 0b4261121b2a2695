import { afterAll, beforeAll } from 'vitest';
import { Celeriac } from '../../src/index.js';
import { canvasConformance } from '../conformance/canvas.suite.js';
import { AMQP_TEST_URL, deleteTestQueues, requireRabbitMq, testQueueName } from '../helpers/amqp.js';
import { flushLeadDb, LEAD_DBS, requireRedis } from '../helpers/lead-redis.js';
import { REDIS_TEST_HOST, REDIS_TEST_PORT } from '../helpers/redis.js';

const queue = testQueueName('canvas');
beforeAll(async () => {
  await requireRedis();
  await requireRabbitMq();
});
afterAll(async () => {
  await deleteTestQueues([queue]);
  await flushLeadDb(LEAD_DBS.canvasAmqp);
});

canvasConformance('amqp broker + redis backend', () =>
  new Celeriac({ broker: AMQP_TEST_URL, backend: `redis://${REDIS_TEST_HOST}:${REDIS_TEST_PORT}/${LEAD_DBS.canvasAmqp}`, defaultQueue: queue, logLevel: 'silent' }),
);
