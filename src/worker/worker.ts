/**
 * The worker: consumes queues, runs tasks with bounded concurrency, and shuts down gracefully.
 * Lifecycle: `idle → running → draining → stopped`. No I/O happens in the constructor.
 *
 * Delivery is **at-least-once**: a message is acknowledged only after its task finished and its
 * follow-ups and result were stored. A worker that dies mid-task leaves the message to be
 * delivered again, so tasks should be idempotent (chord counting already is).
 * @module
 */
import { hostname as osHostname } from 'node:os';
import type { ResultBackend } from '../backend/backend.js';
import type { Broker, Delivery } from '../broker/broker.js';
import type { ControlTarget, RemoteControl } from '../broker/control/types.js';
import { ConfigError, TaskRevokedError } from '../errors.js';
import { TaskAbort } from './abort.js';
import { executeTask } from './execute.js';
import { ThreadPool } from './pool/thread-pool.js';
import { LevelledLogger, type Logger } from '../logger.js';
import { Instrumentation } from './instrument.js';
import { Signals } from './signals.js';
import type { EventDispatcher } from '../broker/events/dispatcher.js';
import { WorkerEvents } from './events.js';
import { WorkerMetrics } from './metrics.js';
import { ConsumerSet } from './consumers.js';
import { workerControlTarget, type RunningRequest } from './control-target.js';
import type { Publisher } from '../publish/publisher.js';
import { Dispatcher } from './dispatch.js';
import { GuardedDelivery } from './guarded-delivery.js';
import { handleDelivery, type HandlerDeps } from './handle.js';
import type { WorkerHooks } from './hooks.js';
import type { TaskMessage } from '../protocol/message.js';
import { DEFAULT_MAX_HANDLING_FAILURES } from './poison.js';
import { handleShutdownSignals } from './shutdown.js';
import type { TaskRegistry } from './registry.js';

/** Worker options. Every field documents its default. */
export interface WorkerOptions {
  /** Queues to consume, served in this order. Default: the app's default queue (`celery`). */
  queues?: string[];
  /** Tasks run at once. Default: 16 (async tasks share one thread; raise it for I/O-bound work). */
  concurrency?: number;
  /** Messages fetched ahead per concurrency slot (prefetch = concurrency × this). Default: 4 (Celery's). */
  prefetchMultiplier?: number;
  /** Node name in results, logs and remote control (unique per node). Default: `celeriac.<pid>@<hostname>`. */
  hostname?: string;
  /** Store extended result metas. Default: the app's `resultExtended`. */
  resultExtended?: boolean;
  /** Reject (dead-letter) message bodies larger than this many bytes. Default: no limit. */
  maxBodyBytes?: number;
  /**
   * Poison cap: a message whose handling fails this many times on the worker side (not the task
   * itself: e.g. a callback that cannot be rebuilt) is stored as FAILURE and dead-lettered with the
   * reason instead of being requeued again. Counted in the result backend. Default: 5.
   */
  maxHandlingFailures?: number;
  /** Stop gracefully on SIGTERM/SIGINT when started with `run()`. Default: true. */
  handleSignals?: boolean;
  /** ETAs closer than this many ms run in place instead of being deferred through the broker. Default: 1000. */
  etaSlackMs?: number;
  /**
   * How often running tasks are checked against revocations (revoke / cancelWorkflow), in ms. A
   * revoked running task gets its abort signal; its result is REVOKED. Default: 250.
   */
  revokeCheckMs?: number;
  /** After aborting a revoked task, stop waiting for it after this many ms. Default: 5000. */
  revokeGraceMs?: number;
  /**
   * Answer Celery's remote control (pidbox) on the broker: broadcast `revoke`/`terminate` from
   * Python's `app.control.revoke(...)`, and `ping`. Default: true when the app's broker is a Redis
   * or RabbitMQ URL (there is no remote control on memory, or on a broker passed as an adapter).
   */
  remoteControl?: boolean;
  /**
   * `'async'` (default): tasks run on this thread's event loop; a hard time limit stops waiting for
   * a task but cannot stop a synchronous CPU loop. `'threads'`: tasks run in a pool of worker
   * threads (one task per thread, `concurrency` threads) loaded from `threads.module`; a hard time
   * limit or a terminating revoke kills the thread and replaces it.
   */
  pool?: 'async' | 'threads';
  /** With `pool: 'threads'`: the module exporting the app, and Node flags for the threads. */
  threads?: { module: string | URL; execArgv?: string[] };
  /**
   * Send Celery's task events and worker heartbeats (`celery worker -E`) so `celery events` and
   * Flower see this worker (Redis and RabbitMQ). Remote control `enable_events`/`disable_events`
   * switch them at run time. Default: the app's `events` (false).
   */
  events?: boolean;
  /**
   * Serve Prometheus metrics on `http://<host>:<port>/metrics` (needs the optional dependency
   * prom-client). Port 0 picks a free port (read it from `worker.metricsPort`). Default: off.
   */
  metrics?: { port: number; host?: string };
}

/** Worker lifecycle states. */
export type WorkerState = 'idle' | 'running' | 'draining' | 'stopped';

/** What the worker gets from its app when it starts. */
export interface WorkerDeps {
  broker: Broker;
  backend: ResultBackend;
  publisher: Publisher;
  registry: TaskRegistry;
  logger: Logger;
  /** Hooks of layers above the canvas (the workflow engine). */
  hooks?: WorkerHooks;
  /** The app's signals (emitted besides the worker's own). */
  signals?: Signals;
  /** The app's configuration as `celery inspect conf` shows it (URLs without passwords). */
  conf?: Record<string, unknown>;
  /** Opens a Celery event dispatcher for this node; absent when the broker has none (memory). */
  openEvents?(hostname: string): Promise<EventDispatcher | undefined>;
  /** Starts the broker's remote-control listener for this worker; absent when the broker has none. */
  startRemoteControl?(target: ControlTarget): Promise<RemoteControl | undefined>;
}

/** Consumes and runs tasks; see the module documentation. */
export class Worker {
  private stateValue: WorkerState = 'idle';
  private consumers: ConsumerSet | undefined;
  private concurrencyValue: number;
  private readonly startedAt = Date.now();
  private readonly totals: Record<string, number> = {};
  private deps: HandlerDeps | undefined;
  private readonly waiting: Delivery[] = [];
  private readonly active = new Set<Promise<void>>();
  /** Running tasks' abort handles and their deliveries (handed back on a cold shutdown). */
  private readonly inflight = new Map<TaskAbort, GuardedDelivery>();
  private cold = false;
  private readonly running = new Map<TaskAbort, RunningRequest>();
  private readonly localRevoked = new Set<string>();
  private revokeTimer: NodeJS.Timeout | undefined;
  private remoteControl: RemoteControl | undefined;
  private pool: ThreadPool | undefined;
  private taskStarted: ((message: TaskMessage) => void) | undefined;
  private drained: (() => void) | undefined;
  private stopped: Promise<void> | undefined;
  private resolveStopped: (() => void) | undefined;
  readonly hostname: string;
  /** This worker's signals (`worker.signals.on('taskFailure', …)`); the app's signals fire too. */
  readonly signals = new Signals();
  private instrument: Instrumentation | undefined;
  private events: WorkerEvents | undefined;
  private metrics: WorkerMetrics | undefined;
  private openEvents: WorkerDeps['openEvents'];
  /** Messages handled so far (heartbeats and `inspect stats`). */
  processed = 0;

  constructor(
    private readonly connect: () => Promise<WorkerDeps>,
    readonly options: WorkerOptions = {},
  ) {
    this.hostname = options.hostname ?? `celeriac.${process.pid}@${osHostname()}`;
    this.concurrencyValue = Math.max(1, options.concurrency ?? 16);
  }

  /** The lifecycle state. */
  get state(): WorkerState {
    return this.stateValue;
  }

  /** Tasks running right now. */
  get activeCount(): number {
    return this.active.size;
  }

  /** Connect and start consuming. Resolves once consuming. */
  async start(): Promise<this> {
    if (this.stateValue !== 'idle') return this;
    this.stateValue = 'running';
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
    const base = await this.connect();
    const dispatcher = new Dispatcher({ publisher: base.publisher, backend: base.backend, applier: base.publisher, logger: base.logger, ...(base.hooks ? { hooks: base.hooks } : {}) });
    this.taskStarted = base.hooks?.taskStarted?.bind(base.hooks);
    const logger = base.logger instanceof LevelledLogger ? base.logger : new LevelledLogger(base.logger, 'debug');
    this.signals.onListenerError = (signal, error) => logger.error({ signal, err: error }, `a ${signal} listener failed: ${String(error)}`);
    this.instrument = new Instrumentation(logger, base.signals ? [this.signals, base.signals] : [this.signals], this.hostname);
    this.deps = {
      registry: base.registry,
      backend: base.backend,
      publisher: base.publisher,
      dispatcher,
      logger: base.logger,
      instrument: this.instrument,
      hostname: this.hostname,
      resultExtended: this.options.resultExtended ?? false,
      maxBodyBytes: this.options.maxBodyBytes,
      etaSlackMs: this.options.etaSlackMs ?? 1000,
      revokeGraceMs: this.options.revokeGraceMs ?? 5000,
      maxHandlingFailures: this.options.maxHandlingFailures ?? DEFAULT_MAX_HANDLING_FAILURES,
      execute: executeTask,
      isRevoked: async (id, rootId) => this.localRevoked.has(id) || (await base.backend.isRevoked(id, rootId)),
      isRevokedNow: (id, rootId) => this.localRevoked.has(id) || base.backend.isRevokedNow?.(id, rootId),
    };
    const concurrency = this.concurrency();
    const queues = this.options.queues ?? ['celery'];
    if (this.options.pool === 'threads') {
      if (!this.options.threads?.module) throw new ConfigError("pool: 'threads' needs threads.module (the module exporting the app)");
      this.pool = new ThreadPool({ module: this.options.threads.module, size: concurrency, ...(this.options.threads.execArgv ? { execArgv: this.options.threads.execArgv } : {}) });
      await this.pool.start();
      this.deps.execute = this.pool.execute;
    }
    if (this.options.remoteControl !== false && base.startRemoteControl) {
      this.remoteControl = await base.startRemoteControl(this.controlTarget(base));
    }
    this.consumers = new ConsumerSet(base.broker, () => ({
      prefetch: this.concurrencyValue * (this.options.prefetchMultiplier ?? 4),
      onMessage: (delivery) => this.enqueue(delivery),
      onMalformed: (malformed) => base.logger.error({ queue: malformed.queue, reason: malformed.reason }, 'dead-lettered a malformed message'),
    }));
    await this.consumers.start(queues);
    this.revokeTimer = setInterval(() => void this.abortRevoked(), this.options.revokeCheckMs ?? 250);
    this.revokeTimer.unref();
    this.openEvents = base.openEvents;
    if (this.options.metrics) await this.startMetrics(base, this.options.metrics);
    if (this.options.events) await this.enableEvents();
    base.logger.info(`worker ${this.hostname} consuming ${queues.join(', ')} (concurrency ${concurrency})`);
    if (this.instrument.listened('workerReady')) this.instrument.emit('workerReady', { hostname: this.hostname, queues, concurrency });
    return this;
  }

  /** Start, then wait until stopped (by `stop()` or SIGTERM/SIGINT). */
  async run(): Promise<void> {
    await this.start();
    const release = this.options.handleSignals !== false && this.deps ? handleShutdownSignals(this, this.deps.logger) : undefined;
    await this.stopped;
    release?.();
  }

  /**
   * Stop consuming and return the messages fetched but not started to the broker. Warm (default):
   * let running tasks finish (up to `timeoutMs`, default: wait). Cold (`cold: true`, also while a
   * warm stop is under way): abort running tasks and hand their messages back to the broker now, so
   * another worker gets them without waiting for a visibility timeout.
   */
  async stop(options: { timeoutMs?: number; cold?: boolean } = {}): Promise<void> {
    if (this.stateValue === 'stopped' || this.stateValue === 'idle') {
      this.stateValue = 'stopped';
      return;
    }
    if (options.cold) this.goCold();
    if (this.stateValue === 'draining') return this.stopped;
    this.stateValue = 'draining';
    clearInterval(this.revokeTimer);
    await this.consumers?.cancelAll();
    for (const delivery of this.waiting.splice(0)) await delivery.reject({ requeue: true }).catch(() => undefined);
    if (this.active.size > 0) {
      const done = new Promise<void>((resolve) => {
        this.drained = resolve;
        if (this.cold) resolve();
      });
      const timeout = options.timeoutMs;
      if (timeout === undefined) await done;
      else {
        await Promise.race([done, new Promise((resolve) => setTimeout(resolve, timeout).unref())]);
        for (const abort of this.inflight.keys()) abort.abort(new Error('worker shutdown'));
      }
    }
    await Promise.all(this.handingBack);
    await this.disableEvents();
    await this.metrics?.close();
    await this.remoteControl?.close();
    await this.pool?.close();
    this.stateValue = 'stopped';
    if (this.instrument?.listened('workerShutdown')) this.instrument.emit('workerShutdown', { hostname: this.hostname, cold: this.cold });
    this.resolveStopped?.();
  }

  /** The port metrics are served on (when the `metrics` option is set and the worker started). */
  get metricsPort(): number | undefined {
    return this.metrics?.port;
  }

  private async startMetrics(base: WorkerDeps, options: { port: number; host?: string }): Promise<void> {
    this.metrics = await WorkerMetrics.start(options.port, {
      active: () => this.inflight.size,
      held: () => this.inflight.size + this.waiting.length,
      queues: () => this.consumers?.queues() ?? this.options.queues ?? [],
      queueLength: (queue) => base.broker.queueLength(queue),
    }, options.host);
    this.instrument?.observers.add(this.metrics);
    base.logger.info(`worker ${this.hostname} serving metrics on :${this.metrics.port}/metrics`);
  }

  /** Start sending Celery events (`enable_events`); false when the broker has none. */
  async enableEvents(): Promise<boolean> {
    if (this.events) return true;
    const dispatcher = await this.openEvents?.(this.hostname);
    if (!dispatcher || !this.instrument) return false;
    this.events = new WorkerEvents(dispatcher, { active: () => this.inflight.size, processed: () => this.processed });
    this.instrument.observers.add(this.events);
    this.events.online();
    return true;
  }

  /** Stop sending Celery events (`disable_events`); sends `worker-offline`. */
  async disableEvents(): Promise<void> {
    const events = this.events;
    if (!events) return;
    this.events = undefined;
    this.instrument?.observers.delete(events);
    await events.offline().catch(() => undefined);
  }

  /** Messages of running tasks being handed back by a cold shutdown. */
  private readonly handingBack: Array<Promise<unknown>> = [];

  /** Cold shutdown: abort running tasks, requeue their messages now, stop waiting for them. */
  private goCold(): void {
    if (this.cold) return;
    this.cold = true;
    for (const [abort, delivery] of this.inflight) {
      this.handingBack.push(delivery.handBack().catch(() => false));
      abort.abort(new Error('cold shutdown'));
    }
    this.drained?.();
  }

  /** Tasks running now (their messages are handed back on a cold shutdown). */
  get runningCount(): number {
    return this.inflight.size;
  }

  /**
   * Revoke task ids in this worker only (what Celery's broadcast `revoke` does): they are not run
   * when they arrive (REVOKED), and running ones get their abort signal now. With `terminate`, the
   * worker stops waiting for them at once.
   */
  revokeLocally(taskIds: readonly string[], options: { terminate?: boolean } = {}): void {
    for (const id of taskIds) this.localRevoked.add(id);
    for (const [abort, task] of this.running) {
      if (!abort.aborted && this.localRevoked.has(task.id)) {
        abort.abort(Object.assign(new TaskRevokedError('revoked'), { terminate: options.terminate === true }));
      }
    }
  }

  /** Abort running tasks whose id or workflow root was revoked since they started. */
  private async abortRevoked(): Promise<void> {
    const deps = this.deps;
    if (!deps || this.running.size === 0) return;
    for (const [abort, task] of this.running) {
      if (abort.aborted) continue;
      if (await deps.isRevoked(task.id, task.rootId).catch(() => false)) {
        deps.logger.info({ id: task.id }, 'aborting a revoked task');
        abort.abort(new TaskRevokedError('revoked'));
      }
    }
  }

  private concurrency(): number {
    return this.concurrencyValue;
  }

  /** Consume `queue` too (Celery's `add_consumer`). */
  async addConsumer(queue: string): Promise<string> {
    if (!this.consumers) throw new ConfigError('the worker is not started');
    return this.consumers.add(queue);
  }

  /** Stop consuming `queue` (Celery's `cancel_consumer`). */
  async cancelConsumer(queue: string): Promise<{ ok: boolean; message: string }> {
    return this.consumers ? this.consumers.cancel(queue) : { ok: false, message: 'the worker is not started' };
  }

  /** Change how many tasks run at once by `delta` (Celery's `pool_grow` / `pool_shrink`). */
  resize(delta: number): { ok: boolean; message: string } {
    if (this.pool) return { ok: false, message: 'the threads pool cannot be resized while running' };
    const next = this.concurrencyValue + Math.trunc(delta);
    if (next < 1) return { ok: false, message: `cannot shrink below 1 (concurrency is ${this.concurrencyValue})` };
    this.concurrencyValue = next;
    this.pump();
    return { ok: true, message: `concurrency ${next}` };
  }

  private controlTarget(base: WorkerDeps) {
    const registry = base.registry;
    return workerControlTarget(
      {
        hostname: this.hostname,
        registry,
        running: () => this.running.values(),
        waiting: () => this.waiting,
        queues: () => this.consumers?.queues() ?? [],
        concurrency: () => this.concurrencyValue,
        prefetch: () => this.concurrencyValue * (this.options.prefetchMultiplier ?? 4),
        pool: () => (this.pool ? 'threads' : 'async'),
        totals: () => ({ ...this.totals }),
        startedAt: this.startedAt,
        conf: base.conf ?? {},
        transport: base.broker.kind,
      },
      {
        setEvents: async (on) => (on ? this.enableEvents() : (await this.disableEvents(), true)),
        setTimeLimits: (name, soft, hard) => {
          const task = registry.get(name);
          if (!task) return false;
          Object.assign(task.settings, { softTimeLimit: soft || undefined, timeLimit: hard || undefined });
          return true;
        },
        shutdown: () => {
          base.logger.warn(`worker ${this.hostname}: got shutdown from remote`);
          void this.stop();
        },
        addConsumer: (queue) => this.addConsumer(queue),
        cancelConsumer: (queue) => this.cancelConsumer(queue),
        resizePool: (delta) => this.resize(delta),
      },
      {
        revokeLocally: (ids, options) => this.revokeLocally(ids, options),
        runningTaskIds: () => [...this.running.values()].map((task) => task.id),
        revokedTaskIds: () => [...this.localRevoked],
      },
    );
  }

  private enqueue(delivery: Delivery): void {
    if (this.stateValue !== 'running') {
      void delivery.reject({ requeue: true }).catch(() => undefined);
      return;
    }
    this.waiting.push(delivery);
    this.pump();
  }

  private pump(): void {
    const deps = this.deps;
    if (!deps) return;
    while (this.active.size < this.concurrency() && this.waiting.length > 0) {
      const delivery = this.waiting.shift()!;
      // The broker already took it back (its channel closed): it will be delivered again; running it now would duplicate it.
      if (delivery.lost) continue;
      const abort = new TaskAbort();
      const guarded = new GuardedDelivery(delivery);
      this.inflight.set(abort, guarded);
      const onStart = (task: { id: string; rootId: string; message: RunningRequest['message'] }) => {
        this.running.set(abort, { id: task.id, rootId: task.rootId, message: task.message, queue: delivery.queue, redelivered: delivery.redelivered, startedAt: Date.now() });
        const name = task.message.headers.task;
        this.totals[name] = (this.totals[name] ?? 0) + 1;
        this.taskStarted?.(task.message);
      };
      const job: Promise<void> = handleDelivery(guarded, deps, abort, onStart).finally(() => {
        this.active.delete(job);
        this.inflight.delete(abort);
        this.processed += 1;
        this.running.delete(abort);
        if (this.stateValue === 'running') this.pump();
        else if (this.active.size === 0) this.drained?.();
      });
      this.active.add(job);
    }
  }
}
