/**
 * `replace()`, `addToChord()` and the delivery info on Redis (broker + backend) and on RabbitMQ
 * (+ Redis backend). Redis DB 13 only
 * (flushed after the file); RabbitMQ queues `celeriac_test_amqp_*`.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Celeriac, chord } from '../../src/index.js';
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

describe('a failed chord on Redis', () => {
  it("keeps its counted parts (<taskset>.j) until they expire, as Celery's Redis backend does", async () => {
    const queue = `failed-chord-${crypto.randomUUID().slice(0, 8)}`;
    const app = new Celeriac({ broker: url, backend: url, defaultQueue: queue, logLevel: 'silent' });
    const add = app.task('add', (x: number, y: number) => x + y);
    const boom = app.task('boom', (): never => {
      throw new TypeError('expected to fail');
    });
    const identity = app.task('identity', (value: unknown) => value);
    const worker = await app.worker({ queues: [queue] }).start();
    const raw = new Redis({ host: REDIS_TEST_HOST, port: REDIS_TEST_PORT, db: DB, maxRetriesPerRequest: 1 });
    try {
      const result = await chord([add.si(1, 2), add.si(3, 4), boom.si()], identity.s()).applyAsync();
      await result.get({ timeout: 8000, propagate: false });
      const key = `celery-taskset-meta-${result.parent!.id}.j`;
      expect(await raw.zcard(key)).toBe(3);
      expect(await raw.ttl(key)).toBeGreaterThan(0);
    } finally {
      raw.disconnect();
      await worker.stop();
      await app.close();
    }
  });
});
