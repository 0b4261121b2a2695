/**
 * The running task's context, reachable from inside a task without changing its signature:
 * `currentTask()` returns its id, retries, workflow ids, kwargs, delivery info, abort signal, and
 * the control calls `retry()`, `replace()` and `addToChord()`.
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AnyCanvas } from '../canvas/canvas.js';
import { RetryRequest } from '../errors.js';
import type { SignatureDict } from '../protocol/message.js';
import type { ResultTuple } from '../protocol/result-meta.js';
import type { Sendable } from './add-to-chord.js';
import type { DeliveryInfo } from './delivery-info.js';

/** Options of {@link TaskContext.retry}. */
export interface RetryOptions {
  /** Seconds to wait before the retry. Default: the task's retry policy (backoff or `defaultRetryDelay`). */
  countdown?: number;
  /** The error that caused the retry; raised instead of MaxRetriesExceededError when retries run out. */
  exc?: unknown;
  /** Override the task's `maxRetries` for this retry. */
  maxRetries?: number;
}

/** What a running task can know about itself. */
export interface TaskContext {
  readonly id: string;
  readonly name: string;
  readonly args: readonly unknown[];
  /** Keyword arguments from the message (Python callers use them). */
  readonly kwargs: Readonly<Record<string, unknown>>;
  /** How many times this task was retried so far (0 on the first run). */
  readonly retries: number;
  readonly rootId: string;
  readonly parentId: string | null;
  readonly groupId: string | null;
  readonly groupIndex: number | null;
  /** The worker's node name. */
  readonly hostname: string;
  /** The queue the message came from. */
  readonly queue: string;
  /** How the message was delivered: exchange, routing key, priority, redelivered (Celery's `request.delivery_info`). */
  readonly deliveryInfo: DeliveryInfo;
  /** The message properties (`correlation_id`, `reply_to`, `delivery_mode`, `priority`, …). */
  readonly properties: Readonly<Record<string, unknown>>;
  /** Aborted at the soft time limit, on revoke/cancel of the task or its workflow, and on forced shutdown. */
  readonly signal: AbortSignal;
  /** Ask for a retry: throws; let it propagate (`throw ctx.retry()` reads well too). */
  retry(options?: RetryOptions): never;
  /**
   * Store a custom state and its meta for this task now (Celery's `update_state`), e.g.
   * `updateState('PROGRESS', { done: 3, total: 10 })`: `AsyncResult.state()` reads `'PROGRESS'` and
   * `.info()` the meta, from TypeScript and from Python, until the task finishes.
   */
  updateState(state: string, meta?: unknown): Promise<void>;
  /**
   * Replace this task with `canvas` (a signature, chain, group or chord), as Celery's
   * `Task.replace`: throws a request the worker handles (let it propagate; `return
   * ctx.replace(sig)` reads well). The replacement's result is stored under this task's id; it
   * inherits this task's callbacks, errbacks, group and chord membership, and the rest of its chain
   * runs after it with its result. A group is replaced by its joined list of results.
   * @throws ImproperlyConfigured for an empty chain or a canvas that is already part of a chord.
   */
  replace(canvas: AnyCanvas): never;
  /**
   * Add `canvas` to the header of the chord this task is a part of, and send it (Celery's
   * `Task.add_to_chord`): the chord's body waits for it too and gets its result with the others.
   * Resolves to what `canvas.applyAsync()` returns.
   * @throws CanvasError when this task is not a chord header part.
   */
  addToChord<T>(canvas: Sendable<T>): Promise<T>;
}

/** The context plus the worker's private bookkeeping. */
export interface RunningTask extends TaskContext {
  readonly children: ResultTuple[];
  /** The message's link callbacks (the workflow layer finds its node reference there). */
  readonly callbacks: readonly SignatureDict[];
  addChild(tuple: ResultTuple): void;
}

const storage = new AsyncLocalStorage<RunningTask>();

/** The task running in the current async context, or undefined outside a task. */
export function currentTask(): TaskContext | undefined {
  return storage.getStore();
}

/** Internal: the running task with its bookkeeping. */
export function runningTask(): RunningTask | undefined {
  return storage.getStore();
}

/** Run `fn` with `task` as the current task. */
export function runInTaskContext<T>(task: RunningTask, fn: () => T): T {
  return storage.run(task, fn);
}

/** Build the `retry()` of a context: it throws a {@link RetryRequest} the worker handles. */
export function retryThrower(resolveCountdownMs: (options: RetryOptions) => number): (options?: RetryOptions) => never {
  return (options: RetryOptions = {}) => {
    throw new RetryRequest(resolveCountdownMs(options), options.exc, options.maxRetries);
  };
}
