/**
 * A handle on one task's result in the result backend. Works on results of tasks run by celeriac
 * or by Python Celery workers alike (they share Celery's meta format).
 * @module
 */
import type { ResultBackend, WaitOptions } from '../backend/backend.js';
import type { RemoteTaskError } from '../errors.js';
import { waitEndedError } from './wait-ended.js';
import { oldestFirst } from '../lineage.js';
import { fromExceptionInfo } from '../protocol/exceptions.js';
import type { ResultTuple, TaskMeta } from '../protocol/result-meta.js';
import { PROPAGATE_STATES, States, isReady, type TaskState } from '../states.js';

/** Options of {@link AsyncResult.get}. */
export interface GetOptions {
  /** Give up after this many **milliseconds** with a {@link TimeoutError}. Default: wait forever. */
  timeout?: number;
  /** Throw a {@link RemoteTaskError} when the task failed or was revoked. Default: true. */
  propagate?: boolean;
  /** Abort the wait. */
  signal?: AbortSignal;
}

/** Builds result handles from result tuples (`children`), so results never import the app. */
export interface ResultFactory {
  fromTuple(tuple: ResultTuple): AsyncResult<unknown>;
}

/**
 * A task's result.
 * @typeParam R - the result type.
 */
export class AsyncResult<R = unknown> {
  constructor(
    /** The task id. */
    readonly id: string,
    protected readonly backend: ResultBackend,
    /** The previous step's result (chain predecessor, or a chord's header), when known. */
    readonly parent?: AsyncResult<unknown>,
    protected readonly factory?: ResultFactory,
  ) {}

  /** The stored meta, or undefined while PENDING. */
  meta(): Promise<TaskMeta | undefined> {
    return this.backend.getMeta(this.id);
  }

  /** The current state (`PENDING` when nothing is stored). */
  async state(): Promise<TaskState> {
    return (await this.meta())?.status ?? States.PENDING;
  }

  /**
   * The stored result as it is (Celery's `.info`): the meta of a custom state such as
   * `PROGRESS` (see `currentTask().updateState`), the return value on SUCCESS, the exception
   * dict on FAILURE; null while PENDING.
   */
  async info(): Promise<unknown> {
    return (await this.meta())?.result ?? null;
  }

  /** True once the task succeeded, failed or was revoked. */
  async ready(): Promise<boolean> {
    return isReady(await this.state());
  }

  /** True when the task succeeded. */
  async successful(): Promise<boolean> {
    return (await this.state()) === States.SUCCESS;
  }

  /** True when the task failed (or was revoked). */
  async failed(): Promise<boolean> {
    return PROPAGATE_STATES.has(await this.state());
  }

  /** The stored traceback of a failure, or null. */
  async traceback(): Promise<string | null> {
    return (await this.meta())?.traceback ?? null;
  }

  /**
   * Wait for the result (push-based: subscribes, then reads, so nothing is missed) and return it.
   * Throws {@link TimeoutError} after `timeout` ms, the signal's reason when `signal` aborts, a
   * {@link TransportError} when the app (its result backend) is closed meanwhile, and
   * {@link RemoteTaskError} for a failed or revoked task unless `propagate: false` (then the error
   * is returned as the value).
   */
  get(options?: GetOptions & { propagate?: true }): Promise<R>;
  get(options: GetOptions & { propagate: false }): Promise<R | RemoteTaskError>;
  get(options?: GetOptions): Promise<R | RemoteTaskError>;
  async get(options: GetOptions = {}): Promise<R | RemoteTaskError> {
    const waitOptions: WaitOptions = {};
    if (options.timeout !== undefined) waitOptions.timeoutMs = options.timeout;
    if (options.signal) waitOptions.signal = options.signal;
    const startedAt = Date.now();
    const meta = await this.backend.waitFor(this.id, waitOptions);
    if (!meta) throw waitEndedError(this.id, options, startedAt);
    return this.valueOf(meta, options.propagate ?? true);
  }

  /** The results of the tasks this one sent while running (next chain step, callbacks, retries). */
  async children(): Promise<Array<AsyncResult<unknown>>> {
    const meta = await this.meta();
    if (!meta || !this.factory) return [];
    return (meta.children ?? []).map((tuple) => this.factory!.fromTuple(tuple));
  }

  /** The parent task's result read from the backend (`parent_id` of the stored meta). */
  async fetchParent(): Promise<AsyncResult<unknown> | undefined> {
    if (this.parent) return this.parent;
    const parentId = (await this.meta())?.parent_id;
    return parentId ? new AsyncResult(parentId, this.backend, undefined, this.factory) : undefined;
  }

  /** Delete the stored result. */
  async forget(): Promise<void> {
    await this.backend.forget(this.id);
  }

  /**
   * Celery's result tuple for this handle. Built oldest parent first, without recursing along the
   * parents (a chain of 10,000 steps has 10,000 of them).
   */
  asTuple(): ResultTuple {
    let tuple: ResultTuple | null = null;
    for (const r of oldestFirst<AsyncResult<unknown>>(this, (r) => r.parent)) tuple = [[r.id, tuple], r.membersTuple()];
    return tuple!;
  }

  /** The members part of this handle's tuple: none for a task (a group lists its members). */
  protected membersTuple(): ResultTuple[] | null {
    return null;
  }

  /** The value of a ready meta: the result, or the error (thrown when `propagate`). */
  protected valueOf(meta: TaskMeta, propagate: boolean): R | RemoteTaskError {
    if (PROPAGATE_STATES.has(meta.status)) {
      const error = fromExceptionInfo(meta.result, { taskId: this.id, state: meta.status, traceback: meta.traceback });
      if (propagate) throw error;
      return error;
    }
    return meta.result as R;
  }
}
