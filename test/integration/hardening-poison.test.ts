/**
 * Issue 12 item 2: a poison message (a task whose callback cannot be rebuilt: `subtask_type:
 * 'bogus'`) was requeued by the worker on every failure, with no cap: thousands of executions per
 * second, nothing dead-lettered, no result, `get()` hanging. Now, on every broker, it runs at most
 * `maxHandlingFailures` times (counted in the result backend, so redeliveries count), then it is
 * stored as FAILURE and dead-lettered with the reason, and the worker keeps serving.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Celeriac } from '../../src/app.js';
import type { Broker } from '../../src/broker/broker.js';
import type { Worker } from '../../src/worker/worker.js';
import { AMQP_TEST_URL, deleteTestQueues, holdRabbitMqShared, requireRabbitMq, testQueueName, waitFor } from '../helpers/amqp.js';
import { ExecutionCounter, flushHardeningDb, HARDENING_DBS, hardeningRedisUrl, publishRaw, rawTask } from '../helpers/hardening.js';
import { requireRedis } from '../helpers/redis.js';

const DB = HARDENING_DBS.poison;
const CAP = 3;

interface Setup {
  name: string;
  broker: () => string;
  backend: () => string;
  amqp: boolean;
}

const memoryName = randomUUID();
const setups: Setup[] = [
  { name: 'memory', broker: () => `memory://${memoryName}`, backend: () => `memory://${memoryName}`, amqp: false },
  { name: 'Redis', broker: () => hardeningRedisUrl(DB), backend: () => hardeningRedisUrl(DB), amqp: false },
  { name: 'RabbitMQ', broker: () => AMQP_TEST_URL, backend: () => hardeningRedisUrl(DB), amqp: true },
];

beforeAll(async () => {
  await requireRedis(DB);
  await flushHardeningDb(DB);
});

afterAll(async () => {
  await flushHardeningDb(DB);
});

describe.each(setups)('poison cap on $name', (setup) => {
  const queue = testQueueName('poison');
  const counter = new ExecutionCounter();
  let app: Celeriac;
  let worker: Worker;
  let release: () => void = () => undefined;

  beforeAll(async () => {
    if (setup.amqp) {
      await requireRabbitMq();
      release = await holdRabbitMqShared();
    }
    app = new Celeriac({ broker: setup.broker(), backend: setup.backend(), defaultQueue: queue, logLevel: 'silent' });
    app.task('hardening.echo', (value: number) => {
      counter.hit(String(value));
      return value;
    });
    worker = await app.worker({ queues: [queue], concurrency: 4, maxHandlingFailures: CAP, handleSignals: false, remoteControl: false }).start();
  }, 30_000);

  afterAll(async () => {
    await worker?.stop({ timeoutMs: 5_000 }).catch(() => undefined);
    await app?.close().catch(() => undefined);
    if (setup.amqp) await deleteTestQueues([queue]).finally(release);
  }, 30_000);

  it('runs a task whose callback cannot be rebuilt at most the cap, then fails and dead-letters it', async () => {
    const { broker } = (await app.connect()) as { broker: Broker };
    const id = randomUUID();
    const bogus = { task: 'hardening.echo', args: [], kwargs: {}, options: {}, subtask_type: 'bogus', immutable: false };
    await publishRaw(broker, queue, rawTask('hardening.echo', id, [7], { callbacks: [bogus] }));
    await expect(app.asyncResult(id).get({ timeout: 20_000 })).rejects.toThrow(/bogus/);
    const dead = await waitFor(async () => {
      const letters = await broker.deadLetters(queue);
      return letters.length >= 1 && letters;
    }, 20_000, 'the poison message dead-lettered');
    expect(dead).toHaveLength(1);
    expect(dead[0]!.reason).toMatch(/^poison: handling failed 3 times: .*bogus/);
    expect(counter.get('7')).toBe(CAP);
    // Still serving, and the poison message did not come back.
    expect(await app.sendTask('hardening.echo', [8]).then((result) => result.get({ timeout: 10_000 }))).toBe(8);
    expect(counter.get('7')).toBe(CAP);
  }, 60_000);
});
