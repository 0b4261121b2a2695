/**
 * Issue 12 item 4: a SIGKILL must not fork the rest of a chain. A group of 5 chains × 30 steps runs
 * on one worker process, which is killed with SIGKILL mid-run; a second worker finishes. The step
 * that was running is delivered again; before, it published its successor a second time and the
 * whole tail ran twice. Now a step that already advanced does not advance again, so a task runs
 * more than once only if it was in flight at the kill, on Redis and on RabbitMQ.
 * Results and counters: the shared test Redis, DB 12 (flushed).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCrashScenario, type CrashFigures } from '../fixtures/crash/scenario.js';
import { CHAIN_TASKS, CHAINS, expectedChainEnds } from '../fixtures/crash/tasks.js';
import { deleteTestQueues, holdRabbitMqShared, requireRabbitMq, testQueueName, AMQP_TEST_URL } from '../helpers/amqp.js';
import { flushHardeningDb, HARDENING_DBS, hardeningRedisUrl } from '../helpers/hardening.js';
import { requireRedis } from '../helpers/redis.js';

const DB = HARDENING_DBS.chainFork;
const CONCURRENCY = 8;
const PREFETCH = 4;
const queues: string[] = [];

beforeAll(async () => {
  await requireRedis(DB);
  await requireRabbitMq();
});

beforeEach(async () => {
  await flushHardeningDb(DB);
});

afterAll(async () => {
  await flushHardeningDb(DB);
  const release = await holdRabbitMqShared();
  try {
    await deleteTestQueues(queues);
  } finally {
    release();
  }
}, 60_000);

function expectNoFork(figures: CrashFigures): void {
  expect(figures.sums).toEqual(expectedChainEnds());
  expect(figures.tasks).toBe(CHAIN_TASKS);
  expect(figures.missingResults).toBe(0);
  // Only what was in flight at the kill runs again: per chain, the running step and at most the
  // finished step whose ack had not reached the broker, plus one successor resent after a kill
  // between send and its record. Before the fix the forked tails ran 27–120 tasks twice.
  expect(figures.repeatedTasks).toBeLessThanOrEqual(3 * CHAINS);
  expect(figures.duplicates).toBeLessThanOrEqual(3 * CHAINS);
}

describe('a SIGKILL does not fork a chain', () => {
  it.each([
    { name: 'Redis', broker: () => hardeningRedisUrl(DB), brokerOptions: { visibilityTimeoutMs: 3_000 } },
    { name: 'RabbitMQ', broker: () => AMQP_TEST_URL, brokerOptions: undefined },
  ])('on $name', async ({ name, broker, brokerOptions }) => {
    const queue = testQueueName('chainfork');
    queues.push(queue);
    const figures = await runCrashScenario({
      label: `${name}, chain steps, worker SIGKILL`,
      config: { broker: broker(), backend: hardeningRedisUrl(DB), counters: hardeningRedisUrl(DB), queue, workMs: 20, ...(brokerOptions ? { brokerOptions } : {}) },
      canvas: 'chains',
      concurrency: CONCURRENCY,
      prefetchMultiplier: PREFETCH,
      disruptAfter: 40,
      disrupt: async ({ first, startWorker }) => {
        await first.kill('SIGKILL');
        return [await startWorker('second')];
      },
    });
    expectNoFork(figures);
  }, 240_000);
});
