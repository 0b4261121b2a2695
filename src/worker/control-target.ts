/**
 * The worker as Celery's remote control sees it: the answers of `celery inspect active | reserved
 * | scheduled | registered | stats | query_task | conf | active_queues`, and the `celery control`
 * actions (events on/off, time limits, shutdown, add/cancel consumer, pool grow/shrink).
 * @module
 */
import type { Delivery } from '../broker/broker.js';
import type { ControlActions, ControlTarget, InspectTarget, RequestInfo } from '../broker/control/types.js';
import { decodeTaskMessage } from '../protocol/decode.js';
import type { TaskMessage } from '../protocol/message.js';
import type { TaskRegistry } from './registry.js';

/** A task running in the worker. */
export interface RunningRequest {
  id: string;
  rootId: string;
  message: TaskMessage;
  queue: string;
  redelivered: boolean;
  startedAt: number;
}

/** What the control target reads from the worker. */
export interface WorkerView {
  hostname: string;
  registry: TaskRegistry;
  running(): Iterable<RunningRequest>;
  waiting(): readonly Delivery[];
  queues(): string[];
  concurrency(): number;
  prefetch(): number;
  pool(): 'async' | 'threads';
  totals(): Record<string, number>;
  startedAt: number;
  conf: Record<string, unknown>;
  transport: string;
}

function info(view: WorkerView, message: TaskMessage, queue: string, redelivered: boolean, startedAt: number | null): RequestInfo {
  const h = message.headers;
  return {
    id: h.id,
    name: h.task,
    args: message.args,
    kwargs: message.kwargs,
    type: h.task,
    hostname: view.hostname,
    time_start: startedAt === null ? null : startedAt / 1000,
    acknowledged: false,
    delivery_info: { exchange: '', routing_key: queue, priority: typeof message.properties.priority === 'number' ? message.properties.priority : null, redelivered },
    worker_pid: startedAt === null ? null : process.pid,
  };
}

function reserved(view: WorkerView): RequestInfo[] {
  const out: RequestInfo[] = [];
  for (const delivery of view.waiting()) {
    try {
      out.push(info(view, decodeTaskMessage(delivery.message), delivery.queue, delivery.redelivered, null));
    } catch {
      // an undecodable message will be dead-lettered when its turn comes
    }
  }
  return out;
}

function inspectTarget(view: WorkerView): InspectTarget {
  const active = () => [...view.running()].map((r) => info(view, r.message, r.queue, r.redelivered, r.startedAt));
  return {
    active,
    reserved: () => reserved(view),
    scheduled: () => [],
    registered: () => view.registry.names().filter((name) => !name.startsWith('celery.') && !name.startsWith('celeriac.')).sort(),
    activeQueues: () => view.queues().map((name) => ({ name, exchange: { name, type: 'direct' }, routing_key: name, durable: true, exclusive: false, auto_delete: false, no_ack: false })),
    stats: () => {
      const usage = process.resourceUsage();
      return {
        total: view.totals(),
        pid: process.pid,
        uptime: Math.round((Date.now() - view.startedAt) / 1000),
        pool: { 'max-concurrency': view.concurrency(), processes: [process.pid], implementation: `celeriac:${view.pool()}`, 'put-guarded-by-semaphore': false, timeouts: [0, 0] },
        broker: { transport: view.transport },
        prefetch_count: view.prefetch(),
        rusage: { utime: usage.userCPUTime / 1e6, stime: usage.systemCPUTime / 1e6, maxrss: usage.maxRSS },
        sw_ident: 'celeriac',
      };
    },
    conf: () => view.conf,
    queryTask: (ids) => {
      const wanted = new Set(ids);
      const found: Record<string, [string, RequestInfo]> = {};
      for (const request of active()) if (wanted.has(request.id)) found[request.id] = ['active', request];
      for (const request of reserved(view)) if (wanted.has(request.id)) found[request.id] ??= ['reserved', request];
      return found;
    },
  };
}

/** The control target of a worker (`view` to read it, `actions` to change it, `base` for revoke). */
export function workerControlTarget(view: WorkerView, actions: ControlActions, base: Omit<ControlTarget, 'inspect' | 'control' | 'hostname'>): ControlTarget {
  return { hostname: view.hostname, ...base, inspect: inspectTarget(view), control: actions };
}
