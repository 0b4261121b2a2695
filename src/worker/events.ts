/**
 * The worker's Celery events (`-E` / `events: true`), as Celery 5.2.6's worker sends them:
 * `task-received`, `task-started`, `task-succeeded`, `task-failed`, `task-retried`, `task-revoked`,
 * and `worker-online`, `worker-heartbeat` (every 2 s), `worker-offline`, so `celery events` and
 * Flower show celeriac workers and their tasks. A {@link TaskObserver} on the instrumentation.
 * @module
 */
import { loadavg } from 'node:os';
import type { EventDispatcher } from '../broker/events/dispatcher.js';
import { argsRepr, kwargsRepr, pythonRepr } from '../protocol/pyrepr.js';
import type { TaskMessage } from '../protocol/message.js';
import { errorRepr, type TaskEnding, type TaskObserver } from './instrument.js';

/** Celery's heartbeat interval (`worker_heartbeat` freq), seconds. */
export const HEARTBEAT_SECONDS = 2;

const SOFTWARE = { sw_ident: 'celeriac', sw_ver: '0.1.0', sw_sys: process.platform === 'linux' ? 'Linux' : process.platform };

/** What the heartbeat reports about the worker. */
export interface WorkerLoad {
  active(): number;
  processed(): number;
}

/** Sends a worker's events through a dispatcher. */
export class WorkerEvents implements TaskObserver {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly dispatcher: EventDispatcher,
    private readonly load: WorkerLoad,
  ) {}

  /** Send `worker-online` and start the heartbeat. */
  online(): void {
    this.worker('worker-online');
    this.timer = setInterval(() => this.worker('worker-heartbeat'), HEARTBEAT_SECONDS * 1000);
    this.timer.unref();
  }

  /** Stop the heartbeat, send `worker-offline`, close the dispatcher. */
  async offline(): Promise<void> {
    clearInterval(this.timer);
    this.worker('worker-offline');
    await new Promise((resolve) => setImmediate(resolve));
    await this.dispatcher.close();
  }

  received(message: TaskMessage, queue: string): void {
    const h = message.headers;
    this.dispatcher.send('task-received', {
      uuid: h.id,
      name: h.task,
      args: h.argsrepr ?? argsRepr(message.args),
      kwargs: h.kwargsrepr ?? kwargsRepr(message.kwargs),
      root_id: h.root_id ?? h.id,
      parent_id: h.parent_id ?? null,
      retries: h.retries ?? 0,
      eta: h.eta ?? null,
      expires: h.expires ?? null,
      queue,
    });
  }

  started(message: TaskMessage): void {
    this.dispatcher.send('task-started', { uuid: message.headers.id, pid: process.pid });
  }

  finished(message: TaskMessage, _queue: string, ending: TaskEnding, runtimeMs: number): void {
    const uuid = message.headers.id;
    switch (ending.state) {
      case 'SUCCESS':
        this.dispatcher.send('task-succeeded', { uuid, result: pythonRepr(ending.result, 1024), runtime: runtimeMs / 1000 });
        return;
      case 'FAILURE':
        this.dispatcher.send('task-failed', { uuid, exception: errorRepr(ending.error), traceback: ending.traceback });
        return;
      case 'RETRY':
        this.dispatcher.send('task-retried', { uuid, exception: errorRepr(ending.error), traceback: ending.error instanceof Error ? ending.error.stack ?? null : null });
        return;
      case 'REVOKED':
        this.dispatcher.send('task-revoked', { uuid, terminated: true, signum: null, expired: false });
        return;
    }
  }

  revoked(message: TaskMessage, _queue: string, reason: 'revoked' | 'expired'): void {
    this.dispatcher.send('task-revoked', { uuid: message.headers.id, terminated: false, signum: null, expired: reason === 'expired' });
  }

  private worker(type: string): void {
    const [one = 0, five = 0, fifteen = 0] = loadavg();
    this.dispatcher.send(type, {
      freq: HEARTBEAT_SECONDS,
      active: this.load.active(),
      processed: this.load.processed(),
      loadavg: [one, five, fifteen].map((n) => Math.round(n * 100) / 100),
      ...SOFTWARE,
    });
  }
}
