/**
 * Python Celery 5.2.6 on the same Redis / RabbitMQ. The producer is a long-lived Python driver
 * (`python/driver.py`, one JSON command per line, timing inside Python so interpreter start-up is
 * never counted); workers are `celery worker --pool=prefork -c 8` child processes (threads with
 * `BENCH_CELERY_POOL=threads`) stopped by PID.
 * @module
 */
import { fileURLToPath } from 'node:url';
import { celeryUrls, PYTHON, QUEUE_PREFIX, queueName, WORKER, type Transport } from '../lib/config.js';
import { ChildHandle } from '../lib/child.js';
import { cpuPerTask, markCpu } from '../lib/cpu.js';
import { drainSample, rate, type BenchSystem, type Sample, type Sizes, type WorkloadId } from '../lib/types.js';
import { expectValue } from './celeriac.js';

const PYTHON_DIR = fileURLToPath(new URL('../python/', import.meta.url));
const TIMEOUT_MS = 600_000;
let workerSerial = 0;

/** Python Celery on Redis or RabbitMQ; see the module documentation. */
export class CelerySystem implements BenchSystem {
  readonly id = 'celery';
  readonly label = `Celery 5.2.6 (${WORKER.celeryPool} ×${WORKER.celeryConcurrency})`;
  readonly workloads: readonly WorkloadId[] = ['W1', 'W2', 'W3', 'W4'];
  private readonly w1Queue = queueName('celery', 'w1');
  private readonly canvasQueue = queueName('celery', 'canvas');
  private driver: ChildHandle | undefined;
  private canvasWorker: ChildHandle | undefined;

  constructor(readonly transport: Exclude<Transport, 'memory'>) {}

  async run(workload: WorkloadId, sizes: Sizes): Promise<Sample> {
    switch (workload) {
      case 'W1':
        return this.throughput(sizes.n);
      case 'W2': {
        const { ms, value } = await this.canvasCommand({ op: 'chain', steps: sizes.chainSteps });
        expectValue(value, sizes.chainSteps, 'W2 Celery chain');
        return { chain_total: ms, chain_hop: ms / sizes.chainSteps };
      }
      case 'W3': {
        const n = sizes.fanout;
        const { ms, value } = await this.canvasCommand({ op: 'chord', n });
        expectValue(value, (n * (n + 1)) / 2, 'W3 Celery chord');
        return { chord_ms: ms };
      }
      case 'W4': {
        const { ms, value } = await this.canvasCommand({ op: 'group', n: sizes.fanout });
        expectValue(value, sizes.fanout, 'W4 Celery group');
        return { group_ms: ms };
      }
      default:
        return {};
    }
  }

  async close(): Promise<void> {
    await this.canvasWorker?.stop();
    if (this.driver) {
      await this.driver.request({ op: 'quit' }, 1_000).catch(() => undefined);
      await this.driver.stop(5_000);
    }
  }

  private async throughput(n: number): Promise<Sample> {
    const driver = await this.ensureDriver();
    const enqueue = await driver.request({ op: 'enqueue', n, queue: this.w1Queue }, TIMEOUT_MS);
    const worker = await this.startWorker(this.w1Queue, n);
    try {
      const cpu0 = worker.cpuMs();
      const drainMs = Number((await worker.waitFor('drained', TIMEOUT_MS))['ms']);
      const drain = drainSample(n, drainMs, worker.cpuMs() - cpu0);
      const producerCpu = () => driver.cpuMs();
      const workerCpu = () => worker.cpuMs();
      const mark = markCpu(this.transport, producerCpu, workerCpu);
      const e2e = await driver.request({ op: 'e2e', n, queue: this.w1Queue }, TIMEOUT_MS);
      const cpu = cpuPerTask(this.transport, mark, n, producerCpu, workerCpu);
      const rss = worker.peakRssMb();
      return {
        enqueue_rate: rate(n, Number(enqueue['ms'])),
        ...drain,
        e2e_rate: rate(n, Number(e2e['ms'])),
        ...cpu,
        ...(rss !== undefined ? { worker_rss: rss } : {}),
      };
    } finally {
      await worker.stop();
    }
  }

  private async canvasCommand(command: Record<string, unknown>): Promise<{ ms: number; value: unknown }> {
    const driver = await this.ensureDriver();
    this.canvasWorker ??= await this.startWorker(this.canvasQueue, 0);
    const reply = await driver.request(command, TIMEOUT_MS);
    return { ms: Number(reply['ms']), value: reply['value'] };
  }

  private env(queue: string, expect: number): Record<string, string> {
    const { broker, backend } = celeryUrls(this.transport);
    return { BENCH_BROKER: broker, BENCH_BACKEND: backend, BENCH_QUEUE: queue, BENCH_EXPECT: String(expect), PYTHONDONTWRITEBYTECODE: '1' };
  }

  private async ensureDriver(): Promise<ChildHandle> {
    if (!this.driver) {
      this.driver = ChildHandle.spawn(PYTHON, ['driver.py'], { name: `Celery driver (${this.transport})`, cwd: PYTHON_DIR, env: this.env(this.canvasQueue, 0) });
      await this.driver.waitFor('ready', 60_000);
    }
    return this.driver;
  }

  private async startWorker(queue: string, expect: number): Promise<ChildHandle> {
    workerSerial += 1;
    const args = [
      '-m', 'celery', '-A', 'bench_app', 'worker',
      `--pool=${WORKER.celeryPool}`, '-c', String(WORKER.celeryConcurrency),
      '-Q', queue,
      '-n', `${QUEUE_PREFIX}celery_worker_${process.pid}_${workerSerial}@%h`,
      '--without-gossip', '--without-mingle', '--without-heartbeat',
      '-l', 'warning',
    ];
    const worker = ChildHandle.spawn(PYTHON, args, { name: `Celery worker (${this.transport})`, cwd: PYTHON_DIR, env: this.env(queue, expect) });
    await worker.waitFor('ready', 60_000);
    return worker;
  }
}
