/**
 * Crash and restart on RabbitMQ (serial pass; results on the shared Redis, DB 15): a 2,020-task
 * canvas (a group of 20 chords × 100) keeps going when
 * - its worker process is killed with SIGKILL mid-run and another worker finishes it (RabbitMQ
 *   redelivers what the dead connection held);
 * - RabbitMQ is stopped (`rabbitmqctl stop_app`) mid-run and started again (`start_app`, always in
 *   a finally, under the cross-process RabbitMQ test lock).
 * Every result is present, the final result is correct, and duplicates stay within the tasks in
 * flight at the disruption. The figures are printed.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectCanvasSurvived } from '../fixtures/crash/expect.js';
import { runCrashScenario } from '../fixtures/crash/scenario.js';
import { deleteTestQueues, holdRabbitMqExclusive, holdRabbitMqShared, requireRabbitMq, testQueueName } from '../helpers/amqp.js';
import { AMQP_URL, FAILURE_DBS, flushOwnDb, pause, pingUntilAnswered, redisUrl, requireRedis } from '../helpers/crash.js';

const run = promisify(execFile);
const DB = FAILURE_DBS.crashAmqp;
const CONCURRENCY = 8;
const PREFETCH = 4;
const queues: string[] = [];

async function rabbitmqctl(...args: string[]): Promise<void> {
  try {
    await run('rabbitmqctl', ['-q', ...args], { timeout: 60_000 });
  } catch (error) {
    throw new Error(`rabbitmqctl ${args.join(' ')} failed (is rabbitmqctl on PATH and allowed?): ${(error as Error).message}`);
  }
}

beforeAll(async () => {
  await requireRedis();
  await requireRabbitMq();
});

beforeEach(async () => {
  await flushOwnDb(DB);
});

afterEach(async () => {
  await flushOwnDb(DB);
});

afterAll(async () => {
  const release = await holdRabbitMqShared();
  try {
    await deleteTestQueues(queues);
  } finally {
    release();
  }
}, 60_000);

function config(label: string) {
  const queue = testQueueName(label);
  queues.push(queue);
  return { broker: AMQP_URL, backend: redisUrl(DB), counters: redisUrl(DB), queue, workMs: 5 };
}

describe('crash and restart on RabbitMQ', () => {
  it('a worker killed with SIGKILL mid-run: another worker finishes the canvas', async () => {
    const release = await holdRabbitMqShared();
    try {
      const figures = await runCrashScenario({
        label: 'RabbitMQ, worker SIGKILL',
        config: config('crash_kill'),
        concurrency: CONCURRENCY,
        prefetchMultiplier: PREFETCH,
        disruptAfter: 600,
        disrupt: async ({ first, startWorker }) => {
          await first.kill('SIGKILL');
          return [await startWorker('second')];
        },
      });
      expectCanvasSurvived(figures);
    } finally {
      release();
    }
  }, 240_000);

  it('RabbitMQ stops and starts mid-run: the canvas completes', async () => {
    const release = await holdRabbitMqExclusive(120_000);
    try {
      const figures = await runCrashScenario({
        label: 'RabbitMQ, broker stop_app/start_app',
        config: config('crash_restart'),
        concurrency: CONCURRENCY,
        prefetchMultiplier: PREFETCH,
        disruptAfter: 600,
        disrupt: async () => {
          try {
            await rabbitmqctl('stop_app');
            await pause(500);
          } finally {
            await rabbitmqctl('start_app');
            await rabbitmqctl('await_startup');
          }
          return [];
        },
        // The worker's remote control came back too: Python's ping reaches it again.
        afterwards: async (nodes) => {
          const replies = await pingUntilAnswered(AMQP_URL, nodes);
          for (const node of nodes) expect(replies).toContainEqual({ [node]: { ok: 'pong' } });
        },
      });
      expectCanvasSurvived(figures);
    } finally {
      await rabbitmqctl('start_app').catch(() => undefined); // make sure the shared node is up
      release();
    }
  }, 240_000);
});
