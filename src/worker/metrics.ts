/**
 * Prometheus metrics of a worker (`celeriac worker --metrics-port 9808`, worker option `metrics`),
 * through prom-client (an optional dependency, loaded only when metrics are on):
 * - `celeriac_tasks_total{task,state}`: tasks finished, by name and end state;
 * - `celeriac_task_runtime_seconds{task}`: histogram of the task function's runtime;
 * - `celeriac_tasks_active` / `celeriac_prefetch_in_use`: running now / fetched and held;
 * - `celeriac_queue_depth{queue}`: messages waiting in each consumed queue (read on scrape);
 * plus Node's default process metrics. A {@link TaskObserver} on the worker's instrumentation.
 * @module
 */
import { createServer, type Server } from 'node:http';
import type { TaskMessage } from '../protocol/message.js';
import { ConfigError } from '../errors.js';
import type { TaskEnding, TaskObserver } from './instrument.js';

/** What the metrics read from the worker on each scrape. */
export interface MetricsSource {
  active(): number;
  held(): number;
  queues(): string[];
  queueLength(queue: string): Promise<number>;
}

type PromClient = typeof import('prom-client');

async function loadPromClient(): Promise<PromClient> {
  try {
    return await import('prom-client');
  } catch {
    throw new ConfigError('metrics need the optional dependency prom-client: npm install prom-client');
  }
}

/** A worker's metrics and the HTTP server that serves them on `/metrics`. */
export class WorkerMetrics implements TaskObserver {
  private constructor(
    private readonly finishedTotal: import('prom-client').Counter<'task' | 'state'>,
    private readonly runtime: import('prom-client').Histogram<'task'>,
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Load prom-client, register the metrics, listen on `port` (0: any free port). */
  static async start(port: number, source: MetricsSource, host = '0.0.0.0'): Promise<WorkerMetrics> {
    const prom = await loadPromClient();
    const registry = new prom.Registry();
    prom.collectDefaultMetrics({ register: registry });
    const finishedTotal = new prom.Counter({ name: 'celeriac_tasks_total', help: 'Tasks finished, by task name and end state', labelNames: ['task', 'state'] as const, registers: [registry] });
    const runtime = new prom.Histogram({ name: 'celeriac_task_runtime_seconds', help: 'Runtime of task functions', labelNames: ['task'] as const, buckets: [0.001, 0.005, 0.025, 0.1, 0.5, 2.5, 10, 60], registers: [registry] });
    new prom.Gauge({ name: 'celeriac_tasks_active', help: 'Tasks running now', registers: [registry], collect() { this.set(source.active()); } });
    new prom.Gauge({ name: 'celeriac_prefetch_in_use', help: 'Messages fetched and held (running or waiting for a slot)', registers: [registry], collect() { this.set(source.held()); } });
    new prom.Gauge({
      name: 'celeriac_queue_depth',
      help: 'Messages waiting in each consumed queue',
      labelNames: ['queue'] as const,
      registers: [registry],
      async collect() {
        for (const queue of source.queues()) this.set({ queue }, await source.queueLength(queue).catch(() => Number.NaN));
      },
    });
    const server = createServer((request, response) => {
      if (request.url !== '/metrics') {
        response.writeHead(404).end('not found; metrics are on /metrics\n');
        return;
      }
      registry.metrics().then(
        (text) => response.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
        (error: unknown) => response.writeHead(500).end(String(error)),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const address = server.address();
    return new WorkerMetrics(finishedTotal, runtime, server, typeof address === 'object' && address ? address.port : port);
  }

  finished(message: TaskMessage, _queue: string, ending: TaskEnding, runtimeMs: number): void {
    const task = message.headers.task;
    this.finishedTotal.inc({ task, state: ending.state });
    this.runtime.observe({ task }, runtimeMs / 1000);
  }

  revoked(message: TaskMessage): void {
    this.finishedTotal.inc({ task: message.headers.task, state: 'REVOKED' });
  }

  /** Stop serving. */
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
