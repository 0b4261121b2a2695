/**
 * BullMQ on the same Redis, the Node peer. Producer here, worker in a child process
 * (`workers/bullmq-worker.ts`). Chains are nested flows (each parent waits for its one child),
 * chords are a flow of one parent with N children, groups are `addBulk` + completion events.
 * @module
 */
import { createRequire } from 'node:module';
import { FlowProducer, Queue, QueueEvents, type FlowJob } from 'bullmq';
import { queueName, WORKER } from '../lib/config.js';
import { ChildHandle, workerCommand } from '../lib/child.js';
import { cpuPerTask, markCpu, selfCpuMs } from '../lib/cpu.js';
import { dagShape, drainSample, rate, type BenchSystem, type Sample, type Sizes, type WorkloadId } from '../lib/types.js';
import { BULLMQ_CONNECTION, BULLMQ_QUEUE_OPTIONS } from './bullmq-shared.js';
import { expectValue } from './celeriac.js';

const TIMEOUT_MS = 300_000;
const VERSION = (createRequire(import.meta.url)('bullmq/package.json') as { version: string }).version;

/** One queue with its events listener, which counts completions of the jobs we wait for. */
export class WatchedQueue {
  readonly queue: Queue;
  readonly events: QueueEvents;
  private readonly pending = new Map<string, () => void>();

  constructor(readonly name: string) {
    this.queue = new Queue(name, BULLMQ_QUEUE_OPTIONS);
    this.events = new QueueEvents(name, { connection: BULLMQ_CONNECTION });
    this.events.on('completed', ({ jobId }) => this.pending.get(jobId)?.());
  }

  async ready(): Promise<void> {
    await Promise.all([this.queue.waitUntilReady(), this.events.waitUntilReady()]);
  }

  /** Resolve once every job id completed (registered before the jobs are added). */
  expect(ids: readonly string[]): Promise<void> {
    let left = ids.length;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`BullMQ: ${left} jobs not completed in time`)), TIMEOUT_MS);
      const done = (id: string) => () => {
        if (!this.pending.delete(id)) return;
        left -= 1;
        if (left === 0) {
          clearTimeout(timer);
          resolve();
        }
      };
      for (const id of ids) this.pending.set(id, done(id));
      if (ids.length === 0) resolve();
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.queue.close(), this.events.close()]);
  }
}

/** BullMQ on Redis; see the module documentation. */
export class BullmqSystem implements BenchSystem {
  readonly id = 'bullmq';
  readonly transport = 'redis';
  readonly label = `BullMQ ${VERSION}`;
  readonly workloads: readonly WorkloadId[] = ['W1', 'W2', 'W3', 'W4', 'W6'];
  private readonly w1 = new WatchedQueue(queueName('bullmq', 'w1'));
  private readonly canvas = new WatchedQueue(queueName('bullmq', 'canvas'));
  private readonly flows = new FlowProducer({ connection: BULLMQ_CONNECTION }).setMaxListeners(0);
  private canvasWorker: ChildHandle | undefined;
  private jobCounter = 0;

  async run(workload: WorkloadId, sizes: Sizes): Promise<Sample> {
    await Promise.all([this.w1.ready(), this.canvas.ready()]);
    switch (workload) {
      case 'W1':
        return this.throughput(sizes.n);
      case 'W2':
        return this.chainLatency(sizes.chainSteps);
      case 'W3':
        return this.chordLatency(sizes.fanout);
      case 'W4':
        return this.groupLatency(sizes.fanout);
      case 'W6':
        return this.flowTrees(sizes);
      default:
        return {};
    }
  }

  async close(): Promise<void> {
    await this.canvasWorker?.stop();
    await Promise.all([this.w1.close(), this.canvas.close(), this.flows.close()]);
  }

  private async throughput(n: number): Promise<Sample> {
    const queue = this.w1.queue;
    const send = () => Promise.all(Array.from({ length: n }, () => queue.add('noop', {})));
    let t0 = performance.now();
    await send();
    const enqueueMs = performance.now() - t0;

    const worker = await startWorker(this.w1.name, n);
    try {
      const cpu0 = worker.cpuMs();
      const drainMs = Number((await worker.waitFor('drained', TIMEOUT_MS))['ms']);
      const drain = drainSample(n, drainMs, worker.cpuMs() - cpu0);
      const workerCpu = () => worker.cpuMs();
      const mark = markCpu('redis', selfCpuMs, workerCpu);
      t0 = performance.now();
      const ids = Array.from({ length: n }, () => this.nextId());
      const completed = this.w1.expect(ids);
      await Promise.all(ids.map((jobId) => queue.add('noop', {}, { jobId })));
      await completed;
      const e2eMs = performance.now() - t0;
      const cpu = cpuPerTask('redis', mark, n, selfCpuMs, workerCpu);
      const rss = worker.peakRssMb();
      return {
        enqueue_rate: rate(n, enqueueMs),
        ...drain,
        e2e_rate: rate(n, e2eMs),
        ...cpu,
        ...(rss !== undefined ? { worker_rss: rss } : {}),
      };
    } finally {
      await worker.stop();
    }
  }

  /** W2: a nested flow `steps` deep; the leaf has x = 0, every parent adds 1. */
  private async chainLatency(steps: number): Promise<Sample> {
    await this.ensureCanvasWorker();
    const cpu0 = this.canvasWorker!.cpuMs();
    const t0 = performance.now();
    const value = await this.runFlow(nestedFlow(this.canvas.name, steps));
    const ms = performance.now() - t0;
    const cpuMs = this.canvasWorker!.cpuMs() - cpu0;
    expectValue(value, steps, 'W2 BullMQ chain');
    return { chain_total: ms, chain_hop: ms / steps, chain_cpu: (cpuMs * 1000) / steps };
  }

  /** W3: one xsum parent with `n` inc children. */
  private async chordLatency(n: number): Promise<Sample> {
    await this.ensureCanvasWorker();
    const t0 = performance.now();
    const children = Array.from({ length: n }, (_, i) => ({ name: 'inc', queueName: this.canvas.name, data: { x: i } }));
    const value = await this.runFlow({ name: 'xsum', queueName: this.canvas.name, data: {}, children });
    const ms = performance.now() - t0;
    expectValue(value, (n * (n + 1)) / 2, 'W3 BullMQ flow');
    return { chord_ms: ms };
  }

  /** W4: addBulk of `n` inc jobs, then wait until all completed. */
  private async groupLatency(n: number): Promise<Sample> {
    await this.ensureCanvasWorker();
    const t0 = performance.now();
    const ids = Array.from({ length: n }, () => this.nextId());
    const completed = this.canvas.expect(ids);
    await this.canvas.queue.addBulk(ids.map((jobId, i) => ({ name: 'inc', data: { x: i }, opts: { jobId } })));
    await completed;
    return { group_ms: performance.now() - t0 };
  }

  /**
   * W6: BullMQ has no DAGs (a flow job has one parent), so the closest equivalent of the layered DAG
   * is `width` flow trees `layers` deep added at once (`addBulk`): the same node count and depth,
   * each node waiting for the one below and reading its value (`getChildrenValues()`).
   */
  private async flowTrees(sizes: Sizes): Promise<Sample> {
    await this.ensureCanvasWorker();
    const { layers, width } = dagShape(sizes);
    const tree = (): FlowJob => {
      let flow: FlowJob = { name: 'inc', queueName: this.canvas.name, data: { x: 0 } };
      for (let i = 1; i < layers; i += 1) flow = { name: 'inc', queueName: this.canvas.name, data: {}, children: [flow] };
      return flow;
    };
    const t0 = performance.now();
    const nodes = await this.flows.addBulk(Array.from({ length: width }, tree));
    const values = await Promise.all(nodes.map((node) => node.job.waitUntilFinished(this.canvas.events, TIMEOUT_MS)));
    const ms = performance.now() - t0;
    for (const value of values) expectValue(value, layers, 'W6 BullMQ flow tree');
    return { wf_dag_ms: ms };
  }

  private async runFlow(flow: FlowJob): Promise<unknown> {
    const node = await this.flows.add(flow);
    return node.job.waitUntilFinished(this.canvas.events, TIMEOUT_MS);
  }

  private async ensureCanvasWorker(): Promise<void> {
    this.canvasWorker ??= await startWorker(this.canvas.name, 0);
  }

  private nextId(): string {
    this.jobCounter += 1;
    return `bench-${process.pid}-${this.jobCounter}`;
  }
}

/** BullMQ's chain: a flow `steps` deep; the leaf `inc` has x = 0, every parent adds 1 to its child's value. */
export function nestedFlow(queueName: string, steps: number): FlowJob {
  let flow: FlowJob = { name: 'inc', queueName, data: { x: 0 } };
  for (let i = 1; i < steps; i += 1) flow = { name: 'inc', queueName, data: {}, children: [flow] };
  return flow;
}

/** Start a BullMQ worker child on `queue` (announcing a drain after `expect` completions when > 0). */
export async function startWorker(queue: string, expect: number): Promise<ChildHandle> {
  const { command, args } = workerCommand('bullmq-worker');
  const child = ChildHandle.spawn(command, args, {
    name: 'BullMQ worker',
    env: { BENCH_QUEUE: queue, BENCH_EXPECT: String(expect), BENCH_CONCURRENCY: String(WORKER.nodeConcurrency) },
  });
  await child.waitFor('ready', 60_000);
  return child;
}
