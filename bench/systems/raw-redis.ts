/**
 * The Redis transport-only ceiling: ioredis LPUSH / RPOP, pipelined, with no task semantics (no
 * results, no acks; see `raw-results.ts` for the result-storing ceiling).
 * W1 only. Enqueue = pipelined LPUSH of N; drain = pipelined RPOP batches until N; end-to-end =
 * both at once on two connections.
 * @module
 */
import { Redis } from 'ioredis';
import { CELERIAC_DB, queueName, REDIS_PORT } from '../lib/config.js';
import { cpuPerTask, markCpu, selfCpuMs } from '../lib/cpu.js';
import { rawPayload } from '../lib/payload.js';
import { rate, type BenchSystem, type Sample, type Sizes, type WorkloadId } from '../lib/types.js';

/** Commands per pipeline. */
const BATCH = 100;

/** Raw ioredis on Redis; see the module documentation. */
export class RawRedisSystem implements BenchSystem {
  readonly id = 'raw';
  readonly transport = 'redis';
  readonly label = 'raw ioredis LPUSH/RPOP (transport only)';
  readonly workloads: readonly WorkloadId[] = ['W1'];
  private readonly key = queueName('raw', 'w1');
  private readonly payload = rawPayload();
  private readonly producer = new Redis({ host: '127.0.0.1', port: REDIS_PORT, db: CELERIAC_DB, lazyConnect: true });
  private readonly consumer = new Redis({ host: '127.0.0.1', port: REDIS_PORT, db: CELERIAC_DB, lazyConnect: true });

  async run(workload: WorkloadId, sizes: Sizes): Promise<Sample> {
    if (workload !== 'W1') return {};
    await Promise.all([this.producer.status === 'wait' ? this.producer.connect() : undefined, this.consumer.status === 'wait' ? this.consumer.connect() : undefined]);
    await this.producer.del(this.key);
    const n = sizes.n;
    let t0 = performance.now();
    await this.push(n);
    const enqueueMs = performance.now() - t0;
    t0 = performance.now();
    await this.pop(n);
    const drainMs = performance.now() - t0;
    const mark = markCpu('redis', selfCpuMs, undefined);
    t0 = performance.now();
    await Promise.all([this.push(n), this.pop(n)]);
    const e2eMs = performance.now() - t0;
    const cpu = cpuPerTask('redis', mark, n, selfCpuMs, undefined);
    return { enqueue_rate: rate(n, enqueueMs), drain_rate: rate(n, drainMs), e2e_rate: rate(n, e2eMs), ...cpu };
  }

  async close(): Promise<void> {
    if (this.producer.status !== 'wait') await this.producer.del(this.key);
    this.producer.disconnect();
    this.consumer.disconnect();
  }

  private async push(n: number): Promise<void> {
    const sends: Array<Promise<unknown>> = [];
    for (let sent = 0; sent < n; sent += BATCH) {
      const pipeline = this.producer.pipeline();
      for (let i = sent; i < Math.min(n, sent + BATCH); i += 1) pipeline.lpush(this.key, this.payload);
      sends.push(pipeline.exec());
    }
    await Promise.all(sends);
  }

  private async pop(n: number): Promise<void> {
    let received = 0;
    while (received < n) {
      const pipeline = this.consumer.pipeline();
      for (let i = 0; i < Math.min(BATCH, n - received); i += 1) pipeline.rpop(this.key);
      const replies = (await pipeline.exec()) ?? [];
      const got = replies.filter(([, value]) => value !== null).length;
      received += got;
      if (got === 0 && received < n && (await this.consumer.brpop(this.key, 5)) !== null) received += 1;
    }
  }
}
