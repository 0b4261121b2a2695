/**
 * Crash and restart on Redis (serial pass): a 2,020-task canvas (a group of 20 chords × 100) keeps
 * going when
 * - its worker process is killed with SIGKILL mid-run and another worker finishes it (the killed
 *   worker's deliveries come back after `visibilityTimeoutMs`, 3 s here);
 * - the Redis that is broker AND backend (a private redis-server on a port the OS picked, with an append-only
 *   file) is stopped with SIGTERM mid-run and restarted on the same port.
 * Every result is present, the final result is correct, and duplicates stay within the tasks in
 * flight at the disruption. The figures are printed. Counters: shared Redis DB 9 (flushed).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectCanvasSurvived } from '../fixtures/crash/expect.js';
import { runCrashScenario } from '../fixtures/crash/scenario.js';
import { FAILURE_DBS, flushOwnDb, pause, pingUntilAnswered, PrivateRedis, redisUrl, requireRedis } from '../helpers/crash.js';

const DB = FAILURE_DBS.crashRedis;
const CONCURRENCY = 8;
const PREFETCH = 4;
const brokerOptions = { visibilityTimeoutMs: 3_000 };

beforeAll(async () => {
  await requireRedis();
});

beforeEach(async () => {
  await flushOwnDb(DB);
});

afterEach(async () => {
  await flushOwnDb(DB);
});

describe('crash and restart on Redis', () => {
  it('a worker killed with SIGKILL mid-run: another worker finishes the canvas', async () => {
    const figures = await runCrashScenario({
      label: 'Redis, worker SIGKILL',
      config: { broker: redisUrl(DB), backend: redisUrl(DB), counters: redisUrl(DB), queue: 'crash_redis_kill', brokerOptions, workMs: 5 },
      concurrency: CONCURRENCY,
      prefetchMultiplier: PREFETCH,
      disruptAfter: 600,
      disrupt: async ({ first, startWorker }) => {
        await first.kill('SIGKILL');
        return [await startWorker('second')];
      },
    });
    expectCanvasSurvived(figures);
  }, 240_000);

  it('the broker and backend Redis restarts mid-run: the canvas completes', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'celeriac-crash-redis-'));
    const server = await PrivateRedis.create(dataDir);
    await server.start();
    const url = redisUrl(0, server.port);
    try {
      const figures = await runCrashScenario({
        label: 'Redis, broker+backend restart',
        config: { broker: url, backend: url, counters: redisUrl(DB), queue: 'crash_redis_restart', brokerOptions, workMs: 5 },
        concurrency: CONCURRENCY,
        prefetchMultiplier: PREFETCH,
        disruptAfter: 600,
        disrupt: async () => {
          await server.stop();
          await pause(1_000);
          await server.start();
          return [];
        },
        // The worker's remote control came back too: Python's ping reaches it again.
        afterwards: async (nodes) => {
          const replies = await pingUntilAnswered(url, nodes);
          for (const node of nodes) expect(replies).toContainEqual({ [node]: { ok: 'pong' } });
        },
      });
      expectCanvasSurvived(figures);
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});
