/**
 * The composition root: configuration (URLs), task registration, sending, results and workers.
 * The only module that wires concrete adapters together.
 * @module
 */
import { hostname } from 'node:os';
import type { ResultBackend } from './backend/backend.js';
import { resolveBackend } from './backend/resolve.js';
import type { Broker } from './broker/broker.js';
import { startRemoteControl, supportsRemoteControl } from './broker/control/resolve.js';
import type { ControlTarget } from './broker/control/types.js';
import { resolveBroker } from './broker/resolve.js';
import { setCurrentApplier, type AnyCanvas, type ApplyCall, type CanvasApplier } from './canvas/canvas.js';
import type { SignatureOptions } from './canvas/options.js';
import type { PlanConfig } from './canvas/plan-types.js';
import { Signature } from './canvas/signature.js';
import { newId } from './ids.js';
import { consoleLogger, type Logger, type LogLevel } from './logger.js';
import type { SerializerName } from './protocol/serializer.js';
import { Publisher } from './publish/publisher.js';
import type { AsyncResult } from './result/async-result.js';
import { BackendResultFactory } from './result/factory.js';
import type { GroupResult } from './result/group-result.js';
import { Task, type StoredResult } from './task.js';
import { runningTask } from './worker/context.js';
import { registerBuiltins } from './worker/builtins.js';
import { TaskRegistry, type TaskFunction, type TaskSettings } from './worker/registry.js';
import { Worker, type WorkerOptions } from './worker/worker.js';

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
   */
  continuations?: 'inline' | 'reference';
  /** With `continuations: 'reference'`, dicts larger than this many JSON bytes are referenced. Default: 1024. */
  referenceThresholdBytes?: number;
  /** Refuse a canvas with a message larger than this many bytes, before sending any. Default: 32 MiB. */
  maxMessageBytes?: number;
  /** Logger. Default: a stderr logger at `logLevel`. */
  logger?: Logger;
  /** Level of the default logger. Default: `'info'`. */
  logLevel?: LogLevel;
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
  readonly logger: Logger;
  readonly options: Readonly<CeleriacOptions>;
  private connecting: Promise<Connected> | undefined;
  /** Result handles created before the app connected resolve their backend on first use. */
  private lazyResults: BackendResultFactory | undefined;
  private readonly planConfig: PlanConfig;

  constructor(options: CeleriacOptions = {}) {
    this.options = options;
    this.logger = options.logger ?? consoleLogger(options.logLevel ?? 'info');
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
          ...(control ? { startRemoteControl: (target: ControlTarget) => startRemoteControl(control.url, target, { ...control, logger: this.logger }) } : {}),
        };
      },
      { queues: [this.defaultQueue], resultExtended: this.options.resultExtended ?? false, ...options },
    );
  }

  /** Open broker and backend connections (done lazily by every other method). */
  connect(): Promise<Connected> {
    this.connecting ??= this.open();
    return this.connecting;
  }

  /** Close connections. */
  async close(): Promise<void> {
    if (!this.connecting) return;
    const { broker, backend } = await this.connecting;
    this.connecting = undefined;
    await Promise.all([broker.close(), backend.close()]);
  }

  /** @internal `canvas.applyAsync()` lands here. */
  async applyCanvas(canvas: AnyCanvas, call: ApplyCall): Promise<unknown> {
    return (await this.connect()).publisher.applyCanvas(canvas, call);
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
    await Promise.all([broker.connect(), backend.connect()]);
    const results = new BackendResultFactory(backend);
    const publisher = new Publisher(broker, backend, this.planConfig, results, runningTask, {
      ...(o.continuations ? { continuations: o.continuations } : {}),
      ...(o.referenceThresholdBytes !== undefined ? { referenceThresholdBytes: o.referenceThresholdBytes } : {}),
      ...(o.maxMessageBytes !== undefined ? { maxMessageBytes: o.maxMessageBytes } : {}),
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
