/**
 * The result-storing ceiling on Redis (system id `ceiling`, issue 16): what a hand-written Node
 * producer and worker move through ioredis when each task also stores one result and the producer
 * reads every result back. W1 only.
 *
 * - producer (this process): pipelined `LPUSH` of a ~900-byte envelope carrying a fresh task id
 *   (`lib/payload.ts`), 100 commands per pipeline, all pipelines at once;
 * - worker (a child process, `workers/raw-results-worker.ts`, measured like celeriac's and
 *   BullMQ's): pipelined `RPOP`, parse, run a no-op, `SET celery-task-meta-<id> … EX 86400` +
 *   `PUBLISH` on the same name, pipelined;
 * - results: ONE connection with one long-lived `PSUBSCRIBE celery-task-meta-*`, made before the
 *   sends (so no result can be missed), counting until every id arrived with status SUCCESS.
 *
 * No acks, retries, routing or events: an upper bound for a task system that returns results, and
 * fairer than the transport-only `raw` loop, which stores nothing.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { ChildHandle, workerCommand } from '../lib/child.js';
import { CELERIAC_DB, queueName, REDIS_PORT, WORKER } from '../lib/config.js';
import { cpuPerTask, markCpu, selfCpuMs } from '../lib/cpu.js';
import { taskPayloadFactory } from '../lib/payload.js';
import { drainSample, rate, type BenchSystem, type Sample, type Sizes, type WorkloadId } from '../lib/types.js';

const TIMEOUT_MS = 300_000;
/** Commands per pipeline (producer). */
const BATCH = 100;
const META_PREFIX = 'celery-task-meta-';

/** The result-storing ceiling; see the module documentation. */
export class ResultCeilingSystem implements BenchSystem {
  readonly id = 'ceiling';
  readonly transport = 'redis';
  readonly label = 'ceiling (ioredis, results stored)';
  readonly workloads: readonly WorkloadId[] = ['W1'];
  private readonly key = queueName('ceiling', 'w1');
  private readonly payload = taskPayloadFactory();
  private readonly options = { host: '127.0.0.1', port: REDIS_PORT, db: CELERIAC_DB, lazyConnect: true };
  private readonly producer = new Redis(this.options);
  private readonly subscriber = new Redis(this.options);
  /** Ids whose result is awaited → called with the result JSON. */
  private readonly pending = new Map<string, (json: string) => void>();

  constructor() {
    this.subscriber.on('pmessage', (_pattern: string, channel: string, message: string) => this.pending.get(channel.slice(META_PREFIX.length))?.(message));
  }

  async run(workload: WorkloadId, sizes: Sizes): Promise<Sample> {
    if (workload !== 'W1') return {};
    for (const connection of [this.producer, this.subscriber]) if (connection.status === 'wait') await connection.connect();
    await this.producer.del(this.key);
    const n = sizes.n;

    const ids = newIds(n);
    let t0 = performance.now();
    await this.push(ids);
    const enqueueMs = performance.now() - t0;
    const queued = await this.producer.llen(this.key);
    if (queued !== n) throw new Error(`ceiling enqueue: expected ${n} messages queued, found ${queued}`);

    const worker = await startWorker(this.key, n);
    try {
      const cpu0 = worker.cpuMs();
      const drainMs = Number((await worker.waitFor('drained', TIMEOUT_MS))['ms']);
      const drain = drainSample(n, drainMs, worker.cpuMs() - cpu0);
      await this.checkStored(ids);

      const workerCpu = () => worker.cpuMs();
      await this.subscriber.psubscribe(`${META_PREFIX}*`);
      const next = newIds(n);
      const mark = markCpu('redis', selfCpuMs, workerCpu);
      t0 = performance.now();
      const arrived = this.collect(next);
      await this.push(next);
      await arrived;
      const e2eMs = performance.now() - t0;
      const cpu = cpuPerTask('redis', mark, n, selfCpuMs, workerCpu);
      await this.subscriber.punsubscribe(`${META_PREFIX}*`);
      const rss = worker.peakRssMb();
      return { enqueue_rate: rate(n, enqueueMs), ...drain, e2e_rate: rate(n, e2eMs), ...cpu, ...(rss !== undefined ? { worker_rss: rss } : {}) };
    } finally {
      this.pending.clear();
      await worker.stop();
    }
  }

  async close(): Promise<void> {
    if (this.producer.status !== 'wait') await this.producer.del(this.key);
    this.producer.disconnect();
    this.subscriber.disconnect();
  }

  private async push(ids: readonly string[]): Promise<void> {
    const sends: Array<Promise<unknown>> = [];
    for (let sent = 0; sent < ids.length; sent += BATCH) {
      const pipeline = this.producer.pipeline();
      for (let i = sent; i < Math.min(ids.length, sent + BATCH); i += 1) pipeline.lpush(this.key, this.payload(ids[i]!));
      sends.push(pipeline.exec());
    }
    await Promise.all(sends);
  }

  /** Resolve once every id's result arrived on the subscription with status SUCCESS. */
  private collect(ids: readonly string[]): Promise<void> {
    let left = ids.length;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`ceiling: ${left} results not received in time`)), TIMEOUT_MS);
      const arrived = (id: string) => (json: string) => {
        if (!this.pending.delete(id)) return;
        const meta = JSON.parse(json) as { status?: unknown; task_id?: unknown };
        if (meta.status !== 'SUCCESS' || meta.task_id !== id) {
          clearTimeout(timer);
          reject(new Error(`ceiling: result of ${id} is ${json}`));
          return;
        }
        left -= 1;
        if (left === 0) {
          clearTimeout(timer);
          resolve();
        }
      };
      for (const id of ids) this.pending.set(id, arrived(id));
    });
  }

  /** After the drain (untimed): every task's stored result is there and says SUCCESS. */
  private async checkStored(ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 1_000) {
      const chunk = ids.slice(i, i + 1_000);
      const metas = await this.producer.mget(chunk.map((id) => `${META_PREFIX}${id}`));
      metas.forEach((json, j) => {
        const meta = json === null ? undefined : (JSON.parse(json) as { status?: unknown; task_id?: unknown });
        if (meta?.status !== 'SUCCESS' || meta.task_id !== chunk[j]) throw new Error(`ceiling drain: no SUCCESS result stored for ${chunk[j]}`);
      });
    }
  }
}

function newIds(n: number): string[] {
  return Array.from({ length: n }, () => randomUUID());
}

async function startWorker(queue: string, expect: number): Promise<ChildHandle> {
  const { command, args } = workerCommand('raw-results-worker');
  const child = ChildHandle.spawn(command, args, {
    name: 'ceiling worker',
    env: {
      BENCH_QUEUE: queue,
      BENCH_EXPECT: String(expect),
      BENCH_CONCURRENCY: String(WORKER.nodeConcurrency),
      BENCH_PREFETCH_MULTIPLIER: String(WORKER.prefetchMultiplier),
    },
  });
  await child.waitFor('ready', 60_000);
  return child;
}
