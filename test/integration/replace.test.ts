/**
 * `replace()`, `addToChord()` and the delivery info on Redis (broker + backend) and on RabbitMQ
 * (+ Redis backend). Redis DB 13 only
 * (flushed after the file); RabbitMQ queues `celeriac_test_amqp_*`.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { Celeriac } from '../../src/index.js';
import { chordCompatConformance } from '../conformance/chord-compat.suite.js';
import { replaceConformance } from '../conformance/replace.suite.js';
import { taskContextConformance } from '../conformance/task-context.suite.js';
import { AMQP_TEST_URL, deleteTestQueues, requireRabbitMq, testQueueName } from '../helpers/amqp.js';
import { REDIS_TEST_HOST, REDIS_TEST_PORT, requireRedis } from '../helpers/redis.js';

const DB = 13;
const url = `redis://${REDIS_TEST_HOST}:${REDIS_TEST_PORT}/${DB}`;
const amqpQueue = testQueueName('replace');
const amqpContextQueue = testQueueName('context');
const amqpCompatQueue = testQueueName('compat');
const redisCompatQueue = `compat-${crypto.randomUUID().slice(0, 8)}`;
const redisContextQueue = `context-${crypto.randomUUID().slice(0, 8)}`;
beforeAll(async () => {
  await requireRedis(DB);
  await requireRabbitMq();
});
afterAll(async () => {
  await deleteTestQueues([amqpQueue, amqpContextQueue, amqpCompatQueue]);
  const client = new Redis({ host: REDIS_TEST_HOST, port: REDIS_TEST_PORT, db: DB, maxRetriesPerRequest: 1 });
  await client.flushdb().finally(() => client.disconnect());
});

replaceConformance('redis broker + redis backend', () =>
  new Celeriac({ broker: url, backend: url, defaultQueue: `replace-${crypto.randomUUID().slice(0, 8)}`, logLevel: 'silent' }),
);
replaceConformance('amqp broker + redis backend', () => new Celeriac({ broker: AMQP_TEST_URL, backend: url, defaultQueue: amqpQueue, logLevel: 'silent' }));
taskContextConformance('redis broker + redis backend', () => new Celeriac({ broker: url, backend: url, defaultQueue: redisContextQueue, logLevel: 'silent' }), redisContextQueue);
taskContextConformance(
  'amqp broker + redis backend',
  () => new Celeriac({ broker: AMQP_TEST_URL, backend: url, defaultQueue: amqpContextQueue, logLevel: 'silent' }),
  amqpContextQueue,
);
chordCompatConformance('redis broker + redis backend', () => new Celeriac({ broker: url, backend: url, defaultQueue: redisCompatQueue, logLevel: 'silent' }), redisCompatQueue);
chordCompatConformance(
  'amqp broker + redis backend',
  () => new Celeriac({ broker: AMQP_TEST_URL, backend: url, defaultQueue: amqpCompatQueue, logLevel: 'silent' }),
  amqpCompatQueue,
);
