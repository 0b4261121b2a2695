/**
 * Run one task function in its context, with soft and hard time limits.
 * - soft limit: the context's `signal` aborts (reason: TimeLimitExceeded soft); a well-behaved task
 *   stops and throws. The task is not killed.
 * - hard limit: the worker stops waiting and fails the task with TimeLimitExceeded. A task running in
 *   this thread cannot be killed, so its promise is abandoned (CPU-bound work that must really stop
 *   belongs in a child process).
 * @module
 */
import type { AnyCanvas } from '../canvas/canvas.js';
import { ReplaceRequest, RetryRequest, TaskRevokedError, TimeLimitExceededError } from '../errors.js';
import type { ResultTuple } from '../protocol/result-meta.js';
import type { SignatureDict, TaskMessage } from '../protocol/message.js';
import { retryThrower, runInTaskContext, type RetryOptions, type RunningTask } from './context.js';
import type { RegisteredTask } from './registry.js';
import type { TaskAbort } from './abort.js';
import { AsyncResult } from '../result/async-result.js';
import { chordAdder, type ChordGrower, type Sendable } from './add-to-chord.js';
import type { DeliveryInfo } from './delivery-info.js';
import { replaceRequest } from './replace.js';
import { isAutoRetry, retryCountdownMs } from './retry.js';
import { setLongTimeout, type LongTimer } from '../timers.js';

/** How a run ended. */
export type Outcome =
  | { kind: 'success'; value: unknown }
  | { kind: 'failure'; error: unknown }
  | { kind: 'retry'; countdownMs: number; cause: unknown; maxRetries: number | undefined }
  | { kind: 'replace'; replacement: SignatureDict };

/** Runs a task for a message and reports how it ended (in this thread, or in a thread pool). */
export type Executor = (task: RegisteredTask, message: TaskMessage, env: ExecutionEnv) => Promise<{ outcome: Outcome; children: ResultTuple[] }>;

/** Stores a custom state (and its meta) for the running task. */
export type StateUpdater = (state: string, meta: unknown) => Promise<void>;

/** What the executor needs besides the task and message. */
export interface ExecutionEnv {
  /** Backs `currentTask().updateState()`. Default: states are not stored. */
  updateState?: StateUpdater;
  hostname: string;
  queue: string;
  /** Aborted on revoke, soft time limit or forced shutdown. */
  abort: TaskAbort;
  /** After an abort on revocation, stop waiting for the task after this many ms. */
  revokeGraceMs?: number;
  /** How the message was delivered. Default: the default exchange, routing key = queue, not redelivered. */
  delivery?: DeliveryInfo;
  /** Grows a chord's part count, for `addToChord()` (the result backend's `growChord`). */
  growChord?: ChordGrower;
}

/** What {@link runningTaskFor} needs besides the task and message. */
export interface ContextEnv {
  hostname: string;
  queue: string;
  signal: () => AbortSignal;
  delivery?: DeliveryInfo | undefined;
  growChord?: ChordGrower | undefined;
  /** Stores a custom state for the task (`updateState`). */
  updateState?: StateUpdater | undefined;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}

/** The context a task runs with, built from its message. `signal` is read only when the task asks for it. */
export function runningTaskFor(task: RegisteredTask, message: Omit<TaskMessage, 'properties'> & { properties?: TaskMessage['properties'] }, env: ContextEnv): RunningTask {
  return new TaskRun(task, message, env);
}

/**
 * A running task's context. What most tasks never read (delivery info, properties, the control
 * calls) is made on first read by prototype getters, not as a closure and a copy per task;
 * destructuring (`const { retry } = currentTask()!`) still works.
 */
class TaskRun implements RunningTask {
  readonly id: string;
  readonly name: string;
  readonly args: readonly unknown[];
  readonly kwargs: Readonly<Record<string, unknown>>;
  readonly retries: number;
  readonly rootId: string;
  readonly parentId: string | null;
  readonly groupId: string | null;
  readonly groupIndex: number | null;
  readonly hostname: string;
  readonly queue: string;
  readonly children: ResultTuple[] = [];
  readonly callbacks: readonly SignatureDict[];
  readonly addChild = (tuple: ResultTuple): void => void this.children.push(tuple);
  readonly replace = replaceThrower;

  constructor(
    private readonly task: RegisteredTask,
    private readonly message: Omit<TaskMessage, 'properties'> & { properties?: TaskMessage['properties'] },
    private readonly env: ContextEnv,
  ) {
    const h = message.headers;
    this.id = h.id;
    this.name = h.task;
    this.args = message.args;
    this.kwargs = message.kwargs;
    this.retries = h.retries ?? 0;
    this.rootId = h.root_id ?? h.id;
    this.parentId = h.parent_id ?? null;
    this.groupId = h.group ?? null;
    this.groupIndex = h.group_index ?? null;
    this.hostname = env.hostname;
    this.queue = env.queue;
    this.callbacks = message.embed?.callbacks ?? [];
  }

  get deliveryInfo(): DeliveryInfo {
    return this.env.delivery ?? { exchange: '', routingKey: this.env.queue, priority: numberOrNull(this.message.properties?.priority), redelivered: false };
  }

  get properties(): Readonly<Record<string, unknown>> {
    return { ...(this.message.properties ?? {}) };
  }

  get signal(): AbortSignal {
    return this.env.signal();
  }

  get retry(): (options?: RetryOptions) => never {
    const { task, retries } = this;
    return retryThrower((options: RetryOptions) => retryCountdownMs(task.settings, retries, options));
  }

  get updateState(): (state: string, meta?: unknown) => Promise<void> {
    const { env } = this;
    return async (state: string, meta: unknown = null) => env.updateState?.(state, meta);
  }

  get addToChord(): <T>(canvas: Sendable<T>) => Promise<T> {
    return chordAdder(this.message, this.env.growChord);
  }
}

function replaceThrower(canvas: AnyCanvas): never {
  throw replaceRequest(canvas);
}

/** The time limits that apply to a message: its `timelimit` header, else the task's settings. */
export function timeLimitsFor(task: RegisteredTask, message: TaskMessage): { hardSeconds: number | undefined; softSeconds: number | undefined } {
  const [hard, soft] = message.headers.timelimit ?? [null, null];
  return { hardSeconds: hard ?? task.settings.timeLimit, softSeconds: soft ?? task.settings.softTimeLimit };
}

/**
 * Run `task` for `message`; never throws. Returns the outcome and what the task sent. A task
 * function that returns without a promise is done when it returns: its outcome is settled at once,
 * with no time-limit timers or abort listeners (nothing could interrupt it anyway).
 */
export const executeTask: Executor = (task, message, env) => {
  const running = runningTaskFor(task, message, {
    hostname: env.hostname,
    queue: env.queue,
    signal: () => env.abort.signal,
    delivery: env.delivery,
    growChord: env.growChord,
    updateState: env.updateState,
  });
  const { children } = running;
  let returned: unknown;
  try {
    returned = runInTaskContext(running, () => (task.fn as (...args: unknown[]) => unknown)(...message.args));
    if (!isThenable(returned)) return Promise.resolve({ outcome: { kind: 'success', value: storableValue(returned) }, children });
  } catch (error) {
    return Promise.resolve({ outcome: classifyError(task, running.retries, error), children });
  }
  return awaitRun(task, message, env, returned, running.retries, children);
};

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** Wait for a task function's promise under its time limits and revocation grace. */
async function awaitRun(
  task: RegisteredTask,
  message: TaskMessage,
  env: ExecutionEnv,
  run: PromiseLike<unknown>,
  retries: number,
  children: ResultTuple[],
): Promise<{ outcome: Outcome; children: ResultTuple[] }> {
  const { hardSeconds, softSeconds } = timeLimitsFor(task, message);
  const timers: LongTimer[] = [];
  let stopListening = (): void => undefined;
  try {
    // One promise settles with the run, or rejects once a revoked task had its grace period.
    const racers: Array<Promise<unknown>> = [
      new Promise((resolve, reject) => {
        run.then(resolve, reject);
        stopListening = env.abort.onAbort((reason) => {
          if (!(reason instanceof TaskRevokedError)) return;
          const terminate = (reason as TaskRevokedError & { terminate?: boolean }).terminate === true;
          timers.push(setLongTimeout(() => reject(reason), terminate ? 0 : env.revokeGraceMs ?? 5000));
        });
      }),
    ];
    if (softSeconds) timers.push(setLongTimeout(() => env.abort.abort(new TimeLimitExceededError(softSeconds, false)), softSeconds * 1000));
    if (hardSeconds) {
      racers.push(
        new Promise((_, reject) => {
          timers.push(setLongTimeout(() => {
            env.abort.abort(new TimeLimitExceededError(hardSeconds, true));
            reject(new TimeLimitExceededError(hardSeconds, true));
          }, hardSeconds * 1000));
        }),
      );
    }
    const value = await (racers.length === 1 ? racers[0] : Promise.race(racers));
    return { outcome: { kind: 'success', value: storableValue(value) }, children };
  } catch (error) {
    return { outcome: classifyError(task, retries, error), children };
  } finally {
    stopListening();
    for (const timer of timers) timer.clear();
  }
}

/**
 * What is stored for a task's return value: `null` for `undefined`, and Celery's result tuple for a
 * returned result handle (an AsyncResult or GroupResult), as Celery's backend does.
 */
export function storableValue(value: unknown): unknown {
  if (value === undefined) return null;
  return value instanceof AsyncResult ? value.asTuple() : value;
}

/** How a thrown value ends a run: a replace or retry request, an automatic retry, or a failure. */
export function classifyError(task: RegisteredTask, retries: number, error: unknown): Outcome {
  if (error instanceof ReplaceRequest) return { kind: 'replace', replacement: error.replacement };
  if (error instanceof RetryRequest) {
    return { kind: 'retry', countdownMs: error.countdownMs, cause: error.cause ?? error, maxRetries: error.maxRetries };
  }
  if (isAutoRetry(task.settings, error)) {
    return { kind: 'retry', countdownMs: retryCountdownMs(task.settings, retries), cause: error, maxRetries: undefined };
  }
  return { kind: 'failure', error };
}
