/**
 * Registered task implementations, by name.
 * @module
 */

/** Per-task settings (every field documents its default). */
export interface TaskSettings {
  /** Retries allowed before the task fails for good. Default: 3 (Celery's). */
  maxRetries?: number;
  /** Seconds before a retry when `retry()` gives no countdown. Default: 180 (Celery's). */
  defaultRetryDelay?: number;
  /** Exponential backoff for retries: `true` (factor 1 s) or the factor in seconds. Default: off. */
  retryBackoff?: boolean | number;
  /** Upper bound of a backoff delay, seconds. Default: 600. */
  retryBackoffMax?: number;
  /** Randomize backoff delays in [0, delay]. Default: true (when backoff is on). */
  retryJitter?: boolean;
  /** Error classes that trigger an automatic retry. Default: none. */
  autoretryFor?: ReadonlyArray<new (...args: never[]) => Error>;
  /** Hard time limit, seconds. Default: none. */
  timeLimit?: number;
  /** Soft time limit, seconds (the abort signal fires). Default: none. */
  softTimeLimit?: number;
  /** Do not store SUCCESS results. Default: false. */
  ignoreResult?: boolean;
  /** Store STARTED before running. Default: false. */
  trackStarted?: boolean;
  /** Queue this task is routed to. Default: the app's default queue. */
  queue?: string;
}

/** A task implementation: positional args in, result (or promise of it) out. */
export type TaskFunction = (...args: never[]) => unknown;

/** A registered task. */
export interface RegisteredTask {
  readonly name: string;
  readonly fn: TaskFunction;
  readonly settings: TaskSettings;
}

/** Name → task. */
export class TaskRegistry {
  private readonly tasks = new Map<string, RegisteredTask>();

  register(task: RegisteredTask): void {
    this.tasks.set(task.name, task);
  }

  get(name: string): RegisteredTask | undefined {
    return this.tasks.get(name);
  }

  has(name: string): boolean {
    return this.tasks.has(name);
  }

  names(): string[] {
    return [...this.tasks.keys()].sort();
  }
}
