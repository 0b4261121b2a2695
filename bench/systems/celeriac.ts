/**
 * celeriac under test. The producer runs in this process; on Redis and RabbitMQ the worker runs
 * in a child process (`workers/celeriac-worker.ts`) so its RSS is measured alone. On `memory://`
 * the worker must share the process with the producer, so no RSS is reported there.
 * @module
 */
import { chain, chord, group, type Worker } from '../../src/index.js';
import { queueName, WORKER, type Transport } from '../lib/config.js';
import { ChildHandle, workerCommand } from '../lib/child.js';
import { cpuPerTask, markCpu, selfCpuMs } from '../lib/cpu.js';
import { dagShape, drainSample, rate, type BenchSystem, type Sample, type Sizes, type WorkloadId } from '../lib/types.js';
import { benchApp, untilIdle, type BenchTasks } from './celeriac-tasks.js';
import { expectRun, lastLayerValue, layeredWorkflow, linearWorkflow } from './workflow-shapes.js';

const TIMEOUT_MS = 300_000;

/** A worker somewhere: in a child process, or in this process on `memory://`. */
interface RunningWorker {
  /** Resolves once `expect` noop tasks are done: drain time and worker CPU time over it (ms). */
  drained(): Promise<{ ms: number; cpuMs?: number }>;
  peakRssMb(): number | undefined;
  /** CPU ms used so far by the worker child (undefined in-process). */
  cpuMs: (() => number) | undefined;
  stop(): Promise<void>;
}

/** celeriac on one transport; see the module documentation. */
export class CeleriacSystem implements BenchSystem {
  readonly id = 'celeriac';
  readonly label = 'celeriac';
  readonly workloads: readonly WorkloadId[] = ['W1', 'W2', 'W3', 'W4', 'W6'];
  private readonly w1Queue = queueName('celeriac', 'w1');
  private readonly canvasQueue = queueName('celeriac', 'canvas');
  private readonly producer: BenchTasks;
  /** The same app with `continuations: 'reference'` (W2's second mode), sharing the canvas worker. */
  private readonly producerRef: BenchTasks;
  private canvasWorker: RunningWorker | undefined;
  /** Counts noop calls of the in-process worker (memory transport). */
  private localNoops = { count: 0, expect: 0, reached: (): void => undefined };
  private workflowsWarm = false;

  constructor(readonly transport: Transport) {
    this.producer = benchApp(transport, this.canvasQueue, () => this.onLocalNoop());
    this.producerRef = benchApp(transport, this.canvasQueue, () => this.onLocalNoop(), { continuations: 'reference' });
  }

  async run(workload: WorkloadId, sizes: Sizes): Promise<Sample> {
    switch (workload) {
      case 'W1':
        return this.throughput(sizes.n);
      case 'W2':
        return this.chains(sizes.chainSteps);
      case 'W3':
        return this.chordLatency(sizes.fanout);
      case 'W4':
        return this.groupLatency(sizes.fanout);
      case 'W6':
        return this.workflows(sizes);
      default:
        return {};
    }
  }

  async close(): Promise<void> {
    await this.canvasWorker?.stop();
    this.canvasWorker = undefined;
    await this.producer.app.close();
    await this.producerRef.app.close();
  }

  /** W1: enqueue into an idle queue, drain it with a fresh worker, then enqueue-and-wait. */
  private async throughput(n: number): Promise<Sample> {
    const { noop, app } = this.producer;
    const broker = (await app.connect()).broker;
    await broker.purge(this.w1Queue);
    const send = () => Promise.all(Array.from({ length: n }, () => noop.applyAsync([], { queue: this.w1Queue })));

    let t0 = performance.now();
    await send();
    const enqueueMs = performance.now() - t0;

    const worker = await this.startWorker(this.w1Queue, n);
    try {
      const { ms, cpuMs } = await worker.drained();
      const drain = drainSample(n, ms, cpuMs);
      const mark = markCpu(this.transport, selfCpuMs, worker.cpuMs);
      t0 = performance.now();
      const results = await send();
      await Promise.all(results.map((r) => r.get({ timeout: TIMEOUT_MS })));
      const e2eMs = performance.now() - t0;
      const cpu = worker.cpuMs ? cpuPerTask(this.transport, mark, n, selfCpuMs, worker.cpuMs) : {};
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

  /** W2: the chain in both `continuations` modes (inline: Celery's format; reference: a stored chain and a cursor per hop). */
  private async chains(steps: number): Promise<Sample> {
    const inline = await this.chainLatency(steps);
    const reference = await this.chainLatency(steps, 'reference');
    return {
      ...inline,
      ...(reference.chain_hop !== undefined ? { chain_hop_ref: reference.chain_hop } : {}),
      ...(reference.chain_cpu !== undefined ? { chain_cpu_ref: reference.chain_cpu } : {}),
    };
  }

  /**
   * A chain of `steps` inc tasks from 0, sent by the app in `mode`: total, per hop, and (worker in a
   * child) the worker's CPU per hop in µs, from its /proc counters before and after.
   */
  private async chainLatency(steps: number, mode: 'inline' | 'reference' = 'inline'): Promise<Sample> {
    await this.ensureCanvasWorker();
    const { inc } = mode === 'reference' ? this.producerRef : this.producer;
    const cpu = this.canvasWorker?.cpuMs;
    const cpu0 = cpu?.();
    const t0 = performance.now();
    const result = await chain(inc.s(0), ...Array.from({ length: steps - 1 }, () => inc.s())).applyAsync();
    const value = await result.get({ timeout: TIMEOUT_MS });
    const ms = performance.now() - t0;
    const cpuMs = cpu && cpu0 !== undefined ? cpu() - cpu0 : undefined;
    expectValue(value, steps, `W2 chain (${mode})`);
    return { chain_total: ms, chain_hop: ms / steps, ...(cpuMs !== undefined ? { chain_cpu: (cpuMs * 1000) / steps } : {}) };
  }

  /** W3: a chord of `n` inc headers into xsum. */
  private async chordLatency(n: number): Promise<Sample> {
    await this.ensureCanvasWorker();
    const { inc, xsum } = this.producer;
    const t0 = performance.now();
    const result = await chord(Array.from({ length: n }, (_, i) => inc.s(i)), xsum.s()).applyAsync();
    const value = await result.get({ timeout: TIMEOUT_MS });
    const ms = performance.now() - t0;
    expectValue(value, (n * (n + 1)) / 2, 'W3 chord');
    return { chord_ms: ms };
  }

  /** W4: a group of `n` inc tasks, joined. */
  private async groupLatency(n: number): Promise<Sample> {
    await this.ensureCanvasWorker();
    const { inc } = this.producer;
    const t0 = performance.now();
    const result = await group(...Array.from({ length: n }, (_, i) => inc.s(i))).applyAsync();
    const values = await result.join({ timeout: TIMEOUT_MS });
    const ms = performance.now() - t0;
    expectValue(values.length, n, 'W4 group');
    return { group_ms: ms };
  }

  /**
   * W6: a linear workflow as long as W2's chain and W2's chain itself, back to back (per-node
   * overhead ÷ per-hop, same round), then the layered DAG end to end.
   */
  private async workflows(sizes: Sizes): Promise<Sample> {
    await this.ensureCanvasWorker();
    const { app } = this.producer;
    const steps = sizes.chainSteps;
    const linear = linearWorkflow(app, steps);
    if (!this.workflowsWarm) {
      // The first run of a process pays for the store connection, the event subscription and the
      // JIT: one untimed workflow and chain of the same length first.
      await (await app.workflows.run(linear, {})).wait({ timeout: TIMEOUT_MS });
      await this.chainLatency(steps);
      this.workflowsWarm = true;
    }
    let t0 = performance.now();
    const linearRecord = await (await app.workflows.run(linear, {})).wait({ timeout: TIMEOUT_MS });
    const linearMs = performance.now() - t0;
    expectRun(linearRecord, `wfstep#${steps}`, steps, 'W6 linear workflow');
    const { chain_hop: hop } = await this.chainLatency(steps);
    const { layers, width } = dagShape(sizes);
    const dag = layeredWorkflow(app, layers, width);
    t0 = performance.now();
    const dagRecord = await (await app.workflows.run(dag, {})).wait({ timeout: TIMEOUT_MS });
    const dagMs = performance.now() - t0;
    expectRun(dagRecord, `n${layers - 1}_0`, lastLayerValue(layers), 'W6 layered DAG');
    const perNode = linearMs / steps;
    return { wf_linear_node: perNode, wf_chain_hop: hop!, wf_overhead: perNode / hop!, wf_dag_ms: dagMs };
  }

  private async ensureCanvasWorker(): Promise<void> {
    this.canvasWorker ??= await this.startWorker(this.canvasQueue, 0);
  }

  private startWorker(queue: string, expect: number): Promise<RunningWorker> {
    return this.transport === 'memory' ? this.startLocalWorker(queue, expect) : startChildWorker(this.transport, queue, expect);
  }

  private async startLocalWorker(queue: string, expect: number): Promise<RunningWorker> {
    const reached = new Promise<void>((resolve) => (this.localNoops = { count: 0, expect, reached: resolve }));
    const worker: Worker = this.producer.app.worker({
      queues: [queue],
      concurrency: WORKER.nodeConcurrency,
      prefetchMultiplier: WORKER.prefetchMultiplier,
    });
    const t0 = performance.now();
    await worker.start();
    return {
      drained: async () => {
        await reached;
        await untilIdle(() => worker.activeCount);
        return { ms: performance.now() - t0 };
      },
      peakRssMb: () => undefined,
      cpuMs: undefined,
      stop: () => worker.stop({ timeoutMs: 5_000 }),
    };
  }

  private onLocalNoop(): void {
    const local = this.localNoops;
    local.count += 1;
    if (local.count === local.expect) local.reached();
  }
}

/** Start a celeriac worker child on `queue` (announcing a drain after `expect` noop tasks when > 0). */
export async function startChildWorker(transport: Transport, queue: string, expect: number): Promise<RunningWorker> {
  const { command, args } = workerCommand('celeriac-worker');
  const child = ChildHandle.spawn(command, args, {
    name: `celeriac worker (${transport})`,
    env: {
      BENCH_TRANSPORT: transport,
      BENCH_QUEUE: queue,
      BENCH_EXPECT: String(expect),
      BENCH_CONCURRENCY: String(WORKER.nodeConcurrency),
      BENCH_PREFETCH_MULTIPLIER: String(WORKER.prefetchMultiplier),
    },
  });
  await child.waitFor('ready', 60_000);
  const cpu0 = child.cpuMs();
  return {
    drained: async () => {
      const event = await child.waitFor('drained', TIMEOUT_MS);
      return { ms: Number(event['ms']), cpuMs: child.cpuMs() - cpu0 };
    },
    peakRssMb: () => child.peakRssMb(),
    cpuMs: () => child.cpuMs(),
    stop: () => child.stop(),
  };
}

/** Fail the measurement when a workload computed the wrong thing. */
export function expectValue(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) throw new Error(`${what}: expected ${String(expected)}, got ${String(actual)}`);
}
