/**
 * `WorkflowRun`: a handle on one run (`run.id`, `run.wait()`), and the push-based wait behind it:
 * subscribe to the run's events first, then read its state, so a finish in between is never missed.
 * @module
 */
import { TimeoutError } from '../errors.js';
import type { WorkflowStore } from './store/store.js';
import { isFinalRunStatus, type CancelOutcome, type RunWaitOptions, type WorkflowRecord } from './types.js';

/** What a run handle needs from `app.workflows`. */
export interface RunHandleHost {
  store(): Promise<WorkflowStore>;
  get(runId: string): Promise<WorkflowRecord>;
  cancel(runId: string): Promise<CancelOutcome>;
}

/** A handle on one run. */
export class WorkflowRun<P = unknown> {
  constructor(
    /** The run id (also the root id of its task messages). */
    readonly id: string,
    private readonly host: RunHandleHost,
  ) {}

  /** The run's current record. */
  get(): Promise<WorkflowRecord<P>> {
    return this.host.get(this.id) as Promise<WorkflowRecord<P>>;
  }

  /** Cancel the run (idempotent). */
  cancel(): Promise<CancelOutcome> {
    return this.host.cancel(this.id);
  }

  /**
   * Wait until the run finished (`success`, `error` or `canceled`) and return its record. Push-based:
   * no polling. Throws `TimeoutError` after `timeout` ms, the signal's reason on abort.
   */
  async wait(options: RunWaitOptions = {}): Promise<WorkflowRecord<P>> {
    const store = await this.host.store();
    let finished!: () => void;
    const changed = new Promise<void>((resolve) => (finished = resolve));
    const unsubscribe = await store.subscribe((event) => {
      if (event.kind === 'run' && event.runId === this.id && isFinalRunStatus(event.status)) finished();
    });
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      const first = await this.get();
      if (isFinalRunStatus(first.status)) return first;
      const stops: Array<Promise<never>> = [];
      if (options.timeout !== undefined) {
        const ms = options.timeout;
        stops.push(new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new TimeoutError(this.id, ms)), ms))));
      }
      if (options.signal) {
        const signal = options.signal;
        signal.throwIfAborted();
        stops.push(new Promise<never>((_, reject) => signal.addEventListener('abort', (onAbort = () => reject(signal.reason)), { once: true })));
      }
      await Promise.race([changed, ...stops]);
      return await this.get();
    } finally {
      if (timer) clearTimeout(timer);
      if (onAbort) options.signal?.removeEventListener('abort', onAbort);
      await unsubscribe();
    }
  }
}
