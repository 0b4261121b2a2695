/**
 * The composition root: configuration (URLs), task registration, sending, results and workers.
 * The only module that wires concrete adapters together.
 * @module
 */
import { hostname } from 'node:os';
import { ConfigError } from './errors.js';
import { maskUrl } from './mask-url.js';
import type { ResultBackend } from './backend/backend.js';
import { resolveBackend } from './backend/resolve.js';
import type { Broker } from './broker/broker.js';
import { startRemoteControl, supportsRemoteControl } from './broker/control/resolve.js';
import type { EventDispatcher } from './broker/events/dispatcher.js';
import type { ControlTarget } from './broker/control/types.js';
import { resolveBroker } from './broker/resolve.js';
import { setCurrentApplier, type AnyCanvas, type ApplyCall, type CanvasApplier } from './canvas/canvas.js';
import type { SignatureOptions } from './canvas/options.js';
import type { PlanConfig, PlannedMessage } from './canvas/plan-types.js';
import { Signature } from './canvas/signature.js';
import { signatureFromDict } from './canvas/from-dict.js';
import { newId } from './ids.js';
import { LevelledLogger, levelOf, type Logger, type LogLevel } from './logger.js';
import { defaultLogger } from './logger-pino.js';
import type { SerializerName } from './protocol/serializer.js';
import { checkContinuations, Publisher, type Continuations } from './publish/publisher.js';
import { taskSentFields } from './publish/sent-events.js';
import type { AsyncResult } from './result/async-result.js';
import { BackendResultFactory } from './result/factory.js';
import type { GroupResult } from './result/group-result.js';
import { Task, type StoredResult } from './task.js';
import { runningTask } from './worker/context.js';
import { registerBuiltins } from './worker/builtins.js';
import { TaskRegistry, type TaskFunction, type TaskSettings } from './worker/registry.js';
import { Signals } from './worker/signals.js';
import { Worker, type WorkerOptions } from './worker/worker.js';
import { Beat, type BeatOptions } from './schedule/beat.js';
import { Schedules } from './schedule/schedules.js';
import { resolveScheduleStore } from './schedule/store/resolve.js';
import type { ScheduleStore } from './schedule/store/store.js';
import { beatHost, schedulesHost } from './schedule/wire.js';
import { WorkflowRuntime } from './workflow/runtime.js';
import { resolveWorkflowStore } from './workflow/store/resolve.js';
import type { WorkflowStore } from './workflow/store/store.js';
import { Workflows } from './workflow/workflows.js';
import { fireEvent, type FireOptions, type FireOutcome } from './workflow/fire.js';
import { Triggers } from './workflow/triggers/triggers.js';
import { registerTriggerTasks, triggerHooks } from './workflow/triggers/runtime.js';

/** App configuration. Every field documents its default. */
export interface CeleriacOptions {
  /** Broker URL or adapter. Default: `'memory://'` (embedded, in-process). */
  broker?: string | Broker;
  /** Result backend URL or adapter. Default: `'memory://'` (embedded, in-process). */
  backend?: string | ResultBackend;
  /** Options passed to the broker adapter's constructor (e.g. `visibilityTimeoutMs`, `maxPriority`). */
  brokerOptions?: Record<string, unknown>;
  /** Options passed to the backend adapter's constructor (e.g. `expiresSeconds`). Default: none. */
  backendOptions?: Record<string, unknown>;
  /** Queue for tasks without a route. Default: `'celery'` (Celery's). */
  defaultQueue?: string;
  /** Task name → queue. Default: none (everything goes to `defaultQueue`). */
  routes?: Record<string, string>;
  /** Body serializer for task messages. Default: `'json'` (Celery's). */
  serializer?: SerializerName;
  /** Result serializer (also `backendOptions.serializer`). Default: `'json'`. */
  resultSerializer?: SerializerName;
  /** Result expiry in seconds; 0 disables it. Default: 86400 (one day, Celery's). */
  resultExpires?: number;
  /** Store name, args, kwargs, worker, retries and queue in result metas. Default: false. */
  resultExtended?: boolean;
  /**
   * How chord bodies and remaining chain steps travel. `'inline'` (default): inside every message, as
   * Python Celery expects. `'reference'`: large ones are stored once in the result backend and
   * referenced, keeping canvases linear in size; every worker on those routes must be celeriac.
   * `{ referenceQueues: ['ts', …] }`: the queues only celeriac workers consume; a message is sent
   * with references when its queue and the queues of everything its continuations send are all
   * listed, inline otherwise (safe on apps whose other routes have Python workers).
   */
  continuations?: Continuations;
  /** When continuations are referenced, dicts larger than this many JSON bytes are. Default: 1024. */
  referenceThresholdBytes?: number;
  /** Refuse a canvas with a message larger than this many bytes, before sending any. Default: 32 MiB. */
  maxMessageBytes?: number;
  /**
   * Send Celery's monitoring events (`task-sent` from this app's producers; task and worker events
   * from its workers, as `celery worker -E`) on Redis and RabbitMQ, so `celery events` and Flower
   * see them. Default: false.
   */
  events?: boolean;
  /**
   * Logger, called as pino is (`info(fields, message)`): pass a pino logger as is. Default: pino
   * writing JSON lines to stderr (loaded on the first entry written).
   */
  logger?: Logger;
  /** Entries below this level are dropped. Default: the `logger`'s own `level` if it has one, else `'info'`. */
  logLevel?: LogLevel;
  /**
   * Where workflow runs are stored. Default: the store that matches `backend` (memory of the same
   * name, or the same Redis database).
   */
  workflowStore?: WorkflowStore;
  /**
   * Queue of the workflow engine's own messages (node callbacks sent by Python workers, run
   * deadlines): a celeriac worker must consume it. Default: `defaultQueue`.
   */
  workflowQueue?: string;
  /** Where schedules are stored. Default: the store that matches `backend` (memory of the same name, or the same Redis database). */
  scheduleStore?: ScheduleStore;
}

interface Connected {
  broker: Broker;
  backend: ResultBackend;
  publisher: Publisher;
  results: BackendResultFactory;
}

/**
 * A celeriac app: register tasks, send canvases, read results, start workers.
 * Creating one does no I/O; connections open on first use.
 */
export class Celeriac implements CanvasApplier {
  readonly registry = new TaskRegistry();
  /** The app's logger (filters by level; see {@link Celeriac.setLogLevel}). */
  readonly logger: LevelledLogger;
  /** The configuration (broker and backend may be changed before connecting: {@link Celeriac.configureConnections}). */
  options: Readonly<CeleriacOptions>;
  /**
   * Signals of every worker of this app: `app.signals.on('taskFailure', ({ id, name, error }) => …)`.
   * Each worker also has its own `worker.signals`.
   */
  readonly signals = new Signals();
  private connecting: Promise<Connected> | undefined;
  /** What {@link connecting} resolved to, while it stands. */
  private opened: Connected | undefined;
  /** Result handles created before the app connected resolve their backend on first use. */
  private lazyResults: BackendResultFactory | undefined;
  private readonly planConfig: PlanConfig;
  private readonly workflowRuntime: WorkflowRuntime;
  private workflowStore: Promise<WorkflowStore> | undefined;
  /** Workflows: define/load definitions, run them, read, list, cancel, relaunch, resume runs, follow events. */
  readonly workflows: Workflows;
  /** Schedules: add, remove and list periodic tasks and workflows (fired by `app.beat()`). */
  readonly schedules: Schedules;
  private scheduleStore: Promise<ScheduleStore> | undefined;
  /** Triggers (WORKFLOWS.md §W6): tasks run once named events fired in a session; replay, skip, statuses. */
  readonly triggers: Triggers;
  /** The producer's event dispatcher (`task-sent`), opened on the first send with `events: true`. */
  private producerEvents: Promise<EventDispatcher | undefined> | undefined;

  constructor(options: CeleriacOptions = {}) {
    checkContinuations(options.continuations);
    this.options = options;
    const level = options.logLevel ?? (options.logger ? levelOf(options.logger) : undefined) ?? 'info';
    this.logger = new LevelledLogger(options.logger ?? defaultLogger(level), level);
    if (options.logLevel) this.logger.setLevel(options.logLevel);
    this.signals.onListenerError = (signal, error) => this.logger.error({ signal, err: error }, `a ${signal} listener failed: ${String(error)}`);
    const routes = options.routes ?? {};
    this.planConfig = {
      defaultQueue: options.defaultQueue ?? 'celery',
      route: (name) => routes[name] ?? this.registry.get(name)?.settings.queue,
      serializer: options.serializer ?? 'json',
      origin: `gen${process.pid}@${hostname()}`,
      replyTo: newId(),
      now: () => Date.now(),
    };
    registerBuiltins(this.registry);
    setCurrentApplier(this);
    this.workflowRuntime = new WorkflowRuntime({
      connect: async () => ({ ...(await this.connect()), store: await this.openWorkflowStore() }),
      applier: this,
      logger: this.logger,
      callbackQueue: options.workflowQueue ?? this.planConfig.defaultQueue,
      expiresSeconds: options.resultExpires ?? 86_400,
    });
    this.workflowRuntime.registerTasks(this.registry);
    this.workflows = new Workflows({
      connect: () => this.workflowRuntime.connect(),
      expiresSeconds: options.resultExpires ?? 86_400,
      logger: this.logger,
      sendDeadline: (runId, seconds) => this.workflowRuntime.sendDeadline(runId, seconds),
    });
    this.schedules = new Schedules(schedulesHost(this, () => this.openScheduleStore()));
    this.triggers = new Triggers({
      signals: async () => (await this.workflowRuntime.connect()).store.signals(),
      send: async (dict) => void (await this.connect()).publisher.send(signatureFromDict(dict, this), {}),
      revoke: (taskIds) => this.revoke(taskIds),
      fire: (name, data, fireOptions) => this.fire(name, data, fireOptions),
      expiresSeconds: options.resultExpires ?? 86_400,
      callbackQueue: options.workflowQueue ?? this.planConfig.defaultQueue,
      logger: this.logger,
    });
    registerTriggerTasks(this.registry, this.triggers, async () => (await this.connect()).backend);
    this.workflowRuntime.addHooks(triggerHooks(this.triggers, this.logger));
  }

  /** A beat that fires this app's schedules (call `start()`); any number may run at once. */
  beat(options: BeatOptions = {}): Beat {
    return new Beat(beatHost(this, () => this.openScheduleStore(), this.schedules), options);
  }

  /** The default queue name. */
  get defaultQueue(): string {
    return this.planConfig.defaultQueue;
  }

  /**
   * Register a task. The function gets positional args; its kwargs, id, retries and abort signal
   * are in `currentTask()`.
   */
  task<A extends unknown[], R>(name: string, fn: (...args: A) => R | Promise<R>, settings: TaskSettings = {}): Task<A, StoredResult<Awaited<R>>> {
    this.registry.register({ name, fn: fn as unknown as TaskFunction, settings });
    return new Task<A, StoredResult<Awaited<R>>>(name, fn as unknown as (...args: A) => StoredResult<Awaited<R>>, settings, this);
  }

  /** A signature for a task by name (e.g. one implemented by Python workers). */
  signature<R = unknown>(name: string, args: readonly unknown[] = [], kwargs: Record<string, unknown> = {}, options: SignatureOptions = {}): Signature<R> {
    return new Signature<R>({ task: name, args, kwargs }, this).set(options);
  }

  /** Send a task by name (Celery's `send_task`). */
  sendTask<R = unknown>(name: string, args: readonly unknown[] = [], kwargs: Record<string, unknown> = {}, options: SignatureOptions = {}): Promise<AsyncResult<R>> {
    return this.signature<R>(name, args, kwargs, options).applyAsync();
  }

  /** A result handle for a task id. */
  asyncResult<R = unknown>(id: string): AsyncResult<R> {
    this.lazyResults ??= new BackendResultFactory(lazyBackend(this));
    return this.lazyResults.task<R>(id);
  }

  /** Restore a group saved with `GroupResult.save()` (by celeriac or Python). */
  async groupResult(groupId: string): Promise<GroupResult | undefined> {
    return (await this.connect()).results.restoreGroup(groupId);
  }

  /** Revoke tasks by id: workers discard them (state REVOKED) and abort them if running. */
  async revoke(taskIds: string | readonly string[]): Promise<void> {
    await (await this.connect()).backend.revoke({ taskIds: typeof taskIds === 'string' ? [taskIds] : taskIds });
  }

  /** Cancel a whole workflow by its root id: no further step starts, running ones are aborted. */
  async cancelWorkflow(rootId: string): Promise<void> {
    await (await this.connect()).backend.revoke({ rootIds: [rootId] });
  }

  /**
   * Fire an external event (WORKFLOWS.md §W6): completes every `wait` node waiting on (name, key)
   * in any run, is retained for waits that start later (`retain` seconds, default the result
   * expiry), and reaches the triggers. Throws `EventNameError` / `EventDataError` on bad input.
   */
  async fire(name: string, data: unknown = {}, options: FireOptions = {}): Promise<FireOutcome> {
    const { engine } = await this.workflowRuntime.connect();
    return fireEvent(engine, name, data, options, this.options.resultExpires ?? 86_400, (event, key, kwargs) => this.triggers.fired(event, key, kwargs));
  }

  /**
   * Point the app at another broker and/or result backend before it connects (the CLI's `--broker`
   * and `--backend` use this, so the module's app keeps its tasks and signals). Throws ConfigError
   * once connected.
   */
  configureConnections(connections: { broker?: string | Broker; backend?: string | ResultBackend }): void {
    if (this.connecting) throw new ConfigError('configureConnections() must be called before the app connects');
    this.options = { ...this.options, ...connections };
  }

  /** Change the log level (the logger's own too when it has one, as pino does). The CLI's `-l` calls this. */
  setLogLevel(level: LogLevel): void {
    this.logger.setLevel(level);
  }

  /** Create a worker for this app (call `start()` or `run()` on it). */
  worker(options: WorkerOptions = {}): Worker {
    return new Worker(
      async () => {
        const c = await this.connect();
        const url = typeof this.options.broker === 'string' ? this.options.broker : undefined;
        const control = url && supportsRemoteControl(url) ? { url, brokerOptions: this.options.brokerOptions ?? {} } : undefined;
        return {
          broker: c.broker,
          backend: c.backend,
          publisher: c.publisher,
          registry: this.registry,
          logger: this.logger,
          hooks: this.workflowRuntime.hooks(),
          signals: this.signals,
          conf: this.inspectConf(),
          ...(url ? { openEvents: (node: string) => this.openEvents(url, node) } : {}),
          ...(control ? { startRemoteControl: (target: ControlTarget) => startRemoteControl(control.url, target, { ...control, logger: this.logger }) } : {}),
        };
      },
      { queues: [this.defaultQueue], resultExtended: this.options.resultExtended ?? false, events: this.options.events ?? false, ...options },
    );
  }

  /** Sends `task-sent` for published messages (the dispatcher opens on first use; never blocks). */
  private sentEvents(url: string): (messages: readonly PlannedMessage[]) => void {
    return (messages) => {
      this.producerEvents ??= this.openEvents(url, this.planConfig.origin).catch(() => undefined);
      void this.producerEvents.then((events) => {
        for (const planned of messages) events?.send('task-sent', taskSentFields(planned));
      });
    };
  }

  /** The configuration `celery inspect conf` shows, in Celery's setting names (no passwords). */
  private inspectConf(): Record<string, unknown> {
    const o = this.options;
    const url = (value: unknown) => (typeof value === 'string' ? maskUrl(value) : value === undefined ? 'memory://' : 'adapter');
    return {
      broker_url: url(o.broker),
      result_backend: url(o.backend),
      task_default_queue: this.defaultQueue,
      task_routes: o.routes ?? {},
      task_serializer: o.serializer ?? 'json',
      result_serializer: o.resultSerializer ?? 'json',
      result_expires: o.resultExpires ?? 86400,
      result_extended: o.resultExtended ?? false,
      worker_send_task_events: o.events ?? false,
    };
  }

  private async openEvents(url: string, node: string): Promise<EventDispatcher | undefined> {
    const { openEventDispatcher } = await import('./broker/events/resolve.js');
    let warned = false;
    return openEventDispatcher(url, node, {
      brokerOptions: this.options.brokerOptions ?? {},
      onDrop: (error) => {
        if (!warned) this.logger.warn({ err: error }, `events: could not send an event (dropped; further drops logged at debug): ${String(error)}`);
        else this.logger.debug({ err: error }, 'events: event dropped');
        warned = true;
      },
    });
  }

  /** Open broker and backend connections (done lazily by every other method). */
  connect(): Promise<Connected> {
    if (!this.connecting) {
      const opening = this.open();
      this.connecting = opening;
      opening.then(
        (connected) => {
          if (this.connecting === opening) this.opened = connected;
        },
        // A failed open is forgotten, so a later call tries again (and close() has nothing to close).
        () => {
          if (this.connecting === opening) this.connecting = undefined;
        },
      );
    }
    return this.connecting;
  }

  /** Close connections. */
  async close(): Promise<void> {
    await this.workflows.close();
    const store = this.workflowStore;
    this.workflowStore = undefined;
    this.workflowRuntime.reset();
    if (store) await (await store.catch(() => undefined))?.close();
    const schedules = this.scheduleStore;
    this.scheduleStore = undefined;
    if (schedules) await (await schedules.catch(() => undefined))?.close();
    if (!this.connecting) return;
    const connected = await this.connecting.catch(() => undefined);
    this.connecting = undefined;
    this.opened = undefined;
    const events = this.producerEvents;
    this.producerEvents = undefined;
    await (await events)?.close();
    if (connected) await Promise.all([connected.broker.close(), connected.backend.close()]);
  }

  private openWorkflowStore(): Promise<WorkflowStore> {
    this.workflowStore ??= (async () => {
      const o = this.options;
      const store = o.workflowStore ?? (await resolveWorkflowStore(typeof o.backend === 'string' ? o.backend : o.backend ? `${o.backend.kind}://` : 'memory://', o.backendOptions));
      await store.connect();
      return store;
    })();
    this.workflowStore.catch(() => (this.workflowStore = undefined));
    return this.workflowStore;
  }

  private openScheduleStore(): Promise<ScheduleStore> {
    this.scheduleStore ??= (async () => {
      const o = this.options;
      const store = o.scheduleStore ?? (await resolveScheduleStore(typeof o.backend === 'string' ? o.backend : o.backend ? `${o.backend.kind}://` : 'memory://', o.backendOptions));
      await store.connect();
      return store;
    })();
    this.scheduleStore.catch(() => (this.scheduleStore = undefined));
    return this.scheduleStore;
  }

  /** @internal `canvas.applyAsync()` lands here. */
  applyCanvas(canvas: AnyCanvas, call: ApplyCall): Promise<unknown> {
    // Once connected, straight to the publisher in the caller's turn: a loop of sends then encodes
    // each one as it is made instead of parking every send behind an await first.
    const open = this.opened;
    if (open) return open.publisher.applyCanvas(canvas, call);
    return this.connect().then((connected) => connected.publisher.applyCanvas(canvas, call));
  }

  private async open(): Promise<Connected> {
    const o = this.options;
    const broker = typeof o.broker === 'object' ? o.broker : await resolveBroker(o.broker ?? 'memory://', o.brokerOptions);
    const backendOptions = {
      serializer: o.resultSerializer ?? 'json',
      ...(o.resultExpires !== undefined ? { expiresSeconds: o.resultExpires } : {}),
      ...o.backendOptions,
    };
    const backend = typeof o.backend === 'object' ? o.backend : await resolveBackend(o.backend ?? 'memory://', backendOptions);
    try {
      await Promise.all([broker.connect(), backend.connect()]);
    } catch (error) {
      // Nothing may keep reconnecting in the background after a failed open (a wrong password, a bad certificate).
      await Promise.allSettled([broker.close(), backend.close()]);
      throw error;
    }
    const results = new BackendResultFactory(backend);
    const publisher = new Publisher(broker, backend, this.planConfig, results, runningTask, {
      ...(o.continuations ? { continuations: o.continuations } : {}),
      ...(o.referenceThresholdBytes !== undefined ? { referenceThresholdBytes: o.referenceThresholdBytes } : {}),
      ...(o.maxMessageBytes !== undefined ? { maxMessageBytes: o.maxMessageBytes } : {}),
      ...(o.events && typeof o.broker === 'string' ? { onSent: this.sentEvents(o.broker) } : {}),
    });
    return { broker, backend, publisher, results };
  }
}

/** A backend proxy that connects the app on first use. */
function lazyBackend(app: Celeriac): ResultBackend {
  return new Proxy({} as ResultBackend, {
    get(_target, property: keyof ResultBackend) {
      if (property === 'kind') return 'lazy';
      return async (...args: unknown[]) => {
        const { backend } = await app.connect();
        const method = backend[property] as unknown as (...a: unknown[]) => unknown;
        return method.apply(backend, args);
      };
    },
  });
}
