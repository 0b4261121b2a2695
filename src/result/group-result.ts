/**
 * A handle on a group's results: member results in order, joined with one push-based wait each.
 * @module
 */
import type { ResultBackend } from '../backend/backend.js';
import { TimeoutError, type RemoteTaskError } from '../errors.js';
import { waitEndedError } from './wait-ended.js';
import { fromExceptionInfo } from '../protocol/exceptions.js';
import type { ResultTuple, TaskMeta } from '../protocol/result-meta.js';
import { PROPAGATE_STATES, States, isReady, type TaskState } from '../states.js';
import { AsyncResult, type GetOptions, type ResultFactory } from './async-result.js';

/** A member's value from its ready meta: the result, or its error (thrown when `propagate`). */
function memberValue(id: string, meta: TaskMeta, propagate: boolean): unknown {
  if (!PROPAGATE_STATES.has(meta.status)) return meta.result;
  const error = fromExceptionInfo(meta.result, { taskId: id, state: meta.status, traceback: meta.traceback });
  if (propagate) throw error;
  return error;
}

/**
 * The results of a group, in member order. It is also an {@link AsyncResult} of the whole list:
 * `get()` is `join()`.
 * @typeParam R - the tuple (or array) of member result types.
 */
export class GroupResult<R extends readonly unknown[] = unknown[]> extends AsyncResult<R> {
  constructor(
    id: string,
    /** Member results, in member order. */
    readonly results: ReadonlyArray<AsyncResult<unknown>>,
    backend: ResultBackend,
    parent?: AsyncResult<unknown>,
    factory?: ResultFactory,
  ) {
    super(id, backend, parent, factory);
  }

  /**
   * Wait for every member and return their results in order (one deadline for all). Reads all
   * members in one round trip, then waits (push-based) only on the last member still pending and
   * reads the rest again, so a group of 10,000 costs a few reads, not 10,000 subscriptions.
   */
  async join(options: GetOptions = {}): Promise<R> {
    const startedAt = Date.now();
    const deadline = options.timeout !== undefined ? startedAt + options.timeout : undefined;
    const metas: Array<TaskMeta | undefined> = new Array(this.results.length);
    let pending = this.results.map((_, index) => index);
    while (pending.length > 0) {
      const read = await this.backend.getMetas(pending.map((index) => this.results[index]!.id));
      pending = pending.filter((index, i) => {
        const meta = read[i];
        if (meta && isReady(meta.status)) metas[index] = meta;
        return metas[index] === undefined;
      });
      const last = pending[pending.length - 1];
      if (last === undefined) break;
      const left = deadline === undefined ? undefined : deadline - Date.now();
      if (left !== undefined && left <= 0) throw new TimeoutError(this.id, options.timeout ?? 0);
      const waited = await this.backend.waitFor(this.results[last]!.id, { ...(left !== undefined ? { timeoutMs: left } : {}), ...(options.signal ? { signal: options.signal } : {}) });
      if (!waited) throw waitEndedError(this.id, options, startedAt);
    }
    const propagate = options.propagate ?? true;
    return metas.map((meta, index) => memberValue(this.results[index]!.id, meta!, propagate)) as unknown as R;
  }

  /** Same as {@link join}. */
  override get(options?: GetOptions & { propagate?: true }): Promise<R>;
  override get(options: GetOptions & { propagate: false }): Promise<R | RemoteTaskError>;
  override get(options?: GetOptions): Promise<R | RemoteTaskError>;
  override get(options: GetOptions = {}): Promise<R | RemoteTaskError> {
    return this.join(options);
  }

  private async states(): Promise<TaskState[]> {
    const metas = await this.backend.getMetas(this.results.map((r) => r.id));
    return metas.map((meta) => meta?.status ?? States.PENDING);
  }

  /** How many members are ready (succeeded, failed or revoked). */
  async completedCount(): Promise<number> {
    return (await this.states()).filter((state) => state === States.SUCCESS).length;
  }

  /** True when every member is ready. */
  override async ready(): Promise<boolean> {
    return (await this.states()).every(isReady);
  }

  /** True when every member succeeded. */
  override async successful(): Promise<boolean> {
    return (await this.states()).every((state) => state === States.SUCCESS);
  }

  /** True when any member failed or was revoked. */
  override async failed(): Promise<boolean> {
    return (await this.states()).some((state) => PROPAGATE_STATES.has(state));
  }

  /** True while some member is not ready. */
  async waiting(): Promise<boolean> {
    return !(await this.ready());
  }

  /** SUCCESS when all succeeded, FAILURE when any failed, else PENDING (a group has no meta of its own). */
  override async state(): Promise<TaskState> {
    const states = await this.states();
    if (states.some((s) => PROPAGATE_STATES.has(s))) return States.FAILURE;
    return states.every((s) => s === States.SUCCESS) ? States.SUCCESS : States.PENDING;
  }

  /** Forget every member's result and the saved group. */
  override async forget(): Promise<void> {
    await Promise.all(this.results.map((r) => r.forget()));
    await this.backend.deleteGroup(this.id);
  }

  /** Save the group (Celery's `celery-taskset-meta-<id>`) so it can be restored by id. */
  async save(): Promise<void> {
    await this.backend.saveGroup(this.id, this.asTuple());
  }

  /** The members of Celery's group result tuple `[[gid, parent], [members...]]`. */
  protected override membersTuple(): ResultTuple[] {
    return this.results.map((r) => r.asTuple());
  }
}
