/**
 * A workflow survives a worker SIGKILL on Redis (issue 13, "Bad input and faults"): a 2,000-node
 * layered DAG (20 layers × 100, each node after 2 nodes of the layer above) runs on a worker
 * process that is killed with SIGKILL mid-run; a second worker process finishes it (the killed
 * worker's unacknowledged deliveries come back after `visibilityTimeoutMs`, 3 s here).
 *
 * Checked: the run succeeds with every node's correct result; each node has one task id and every
 * execution belongs to one of them; every node's task ran at least once; no node message was
 * published twice (each delivery carries its publish's token: a child started twice would show a
 * second token); executions beyond one per node stay within what the killed worker held
 * (concurrency × prefetch multiplier). The figures are printed.
 *
 * Resources: a private redis-server on a free port (DB 0: broker, backend and workflow store;
 * DB 1: counters), stopped by PID with the worker processes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { ChildWorker, pause, waitFor } from '../helpers/crash.js';
import { startFreePortRedis, type FreePortRedis } from '../helpers/free-port-redis.js';
import { EXEC_PREFIX, expectedResults, NODES, TOKENS_PREFIX, TOTAL_KEY, WORKFLOW, workflowCrashApp, type WorkflowCrashConfig } from '../fixtures/crash/workflow-app.js';

const CONCURRENCY = 8;
const PREFETCH = 4;
const KILL_AFTER = 600;

let redis: FreePortRedis | undefined;

beforeAll(async () => {
  redis = await startFreePortRedis();
}, 30_000);

afterAll(async () => {
  await redis?.stop();
});

/** `prefix<task id>` → value, for every key of the counter database with that prefix. */
async function perTaskId(counters: Redis, prefix: string, read: (keys: string[]) => Promise<number[]>): Promise<Map<string, number>> {
  const values = new Map<string, number>();
  let cursor = '0';
  do {
    const [next, keys] = await counters.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1_000);
    cursor = next;
    if (keys.length > 0) (await read(keys)).forEach((value, i) => values.set(keys[i]!.slice(prefix.length), value));
  } while (cursor !== '0');
  return values;
}

describe('a workflow when its worker is killed', () => {
  it('SIGKILL mid-run on Redis: a second worker finishes the 2,000-node run, no node published twice', async () => {
    const config: WorkflowCrashConfig = { url: redis!.url(0), counters: redis!.url(1), queue: 'wfcrash', visibilityTimeoutMs: 3_000, workMs: 3 };
    const { app, counters } = workflowCrashApp(config);
    const workers: ChildWorker[] = [];
    const startWorker = async (name: string): Promise<ChildWorker> => {
      const worker = new ChildWorker('workflow-worker.ts', {
        WFCRASH_CONFIG: JSON.stringify(config),
        CRASH_HOSTNAME: `${name}-${process.pid}@wfcrash`,
        CRASH_CONCURRENCY: String(CONCURRENCY),
        CRASH_PREFETCH: String(PREFETCH),
      });
      workers.push(worker);
      await worker.start();
      return worker;
    };
    try {
      await counters.connect();
      const first = await startWorker('first');
      const started = Date.now();
      const run = await app.workflows.run(WORKFLOW, {});
      const before = await waitFor(async () => {
        const total = Number(await counters.get(TOTAL_KEY));
        return total >= KILL_AFTER && total;
      }, 120_000, `${KILL_AFTER} executions before the kill`);
      await first.kill('SIGKILL');
      await startWorker('second');
      const record = await run.wait({ timeout: 240_000 });
      const elapsedMs = Date.now() - started;
      // Let the queue drain (a message published twice would still be in it) before counting.
      const { broker } = await app.connect();
      await waitFor(async () => (await broker.queueLength(config.queue)) === 0, 30_000, 'the queue to drain');
      await pause(500);

      const executions = await perTaskId(counters, EXEC_PREFIX, async (keys) => (await counters.mget(...keys)).map(Number));
      const tokens = await perTaskId(counters, TOKENS_PREFIX, (keys) => Promise.all(keys.map((key) => counters.scard(key))));
      const nodeIds = record.tasks.map((task) => task.id);
      const duplicates = [...executions.values()].reduce((sum, count) => sum + count - 1, 0);
      const republished = [...tokens.values()].reduce((sum, count) => sum + count - 1, 0);
      const inFlightBound = CONCURRENCY * PREFETCH;
      console.log(
        `[workflow crash figures] Redis, worker SIGKILL after ${before} executions: nodes ${record.tasks.length}, ` +
          `executions ${[...executions.values()].reduce((a, b) => a + b, 0)}, duplicate executions ${duplicates} (bound ${inFlightBound}), ` +
          `node messages published twice ${republished}, elapsed ${elapsedMs} ms`,
      );

      expect(record.status).toBe('success');
      expect(record.tasks).toHaveLength(NODES);
      const expected = expectedResults();
      for (const task of record.tasks) {
        expect(task.status, task.key).toBe('success');
        expect(task.result, task.key).toBe(expected.get(task.key));
      }
      // One task id per node, and every execution ran one of them: no node got a second identity.
      expect(new Set(nodeIds).size).toBe(NODES);
      expect([...executions.keys()].filter((id) => !nodeIds.includes(id))).toEqual([]);
      // Every node's task ran at least once, and every node message was delivered from one publish.
      expect(nodeIds.filter((id) => (executions.get(id) ?? 0) < 1)).toEqual([]);
      expect(nodeIds.filter((id) => (tokens.get(id) ?? 0) < 1)).toEqual([]);
      // A child is published again only when its parent's worker died between publishing it and
      // marking it sent (then the parent's redelivery republishes it): bounded by what was in flight.
      expect(republished).toBeLessThanOrEqual(inFlightBound);
      expect(duplicates).toBeLessThanOrEqual(inFlightBound);
    } catch (error) {
      for (const worker of workers) console.error(`--- worker log ---\n${worker.log}`);
      throw error;
    } finally {
      for (const worker of workers) await worker.stop(5_000).catch(() => undefined);
      await Promise.race([app.close().catch(() => undefined), pause(5_000)]);
      counters.disconnect();
    }
  }, 400_000);
});
