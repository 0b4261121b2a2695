/**
 * Everything the worker reports about a task's life, in one place: Celery-shaped log lines, typed
 * signals (app and worker), and any further {@link TaskObserver} (wire events, metrics). The
 * delivery handler makes one call per lifecycle point; each sink does nothing when it is off.
 *
 * Log lines, as Celery's worker writes them:
 *   INFO  Task add[id] received
 *   INFO  Task add[id] succeeded in 0.003s: 4
 *   ERROR Task boom[id] raised unexpected: Error('kaboom')   (stack in `err`)
 *   INFO  Task flaky[id] retry: Retry in 2s: Error('busy')
 *   INFO  Discarding revoked task: add[id]   /   Task add[id] revoked
 * @module
 */
import type { LevelledLogger } from '../logger.js';
import { pythonRepr } from '../protocol/pyrepr.js';
import type { TaskMessage } from '../protocol/message.js';
import type { SignalMap, Signals, SignalName, TaskSignalBase } from './signals.js';

/** How a run ended, as the handler settled it. */
export type TaskEnding =
  | { state: 'SUCCESS'; result: unknown }
  | { state: 'FAILURE'; error: unknown; traceback: string | null }
  | { state: 'RETRY'; error: unknown; countdownMs: number }
  | { state: 'REVOKED'; error: unknown };

/** A further sink of task lifecycle points (wire events, metrics). Every method is optional. */
export interface TaskObserver {
  received?(message: TaskMessage, queue: string): void;
  started?(message: TaskMessage, queue: string): void;
  finished?(message: TaskMessage, queue: string, ending: TaskEnding, runtimeMs: number): void;
  revoked?(message: TaskMessage, queue: string, reason: 'revoked' | 'expired'): void;
}

/** Results longer than this are truncated in log lines (Celery's `resultrepr_maxsize`). */
const RESULT_REPR_MAX = 1024;

/** `Error('kaboom')`: an error as Celery's logs show an exception. */
export function errorRepr(error: unknown): string {
  if (error instanceof Error) return `${error.name}(${pythonRepr(error.message, RESULT_REPR_MAX)})`;
  return pythonRepr(error, RESULT_REPR_MAX);
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

/** The worker's instrumentation (see module docs). */
export class Instrumentation {
  /** Further sinks; add or remove at any time. */
  readonly observers = new Set<TaskObserver>();

  constructor(
    private readonly logger: LevelledLogger,
    private readonly signals: readonly Signals[],
    private readonly hostname: string,
  ) {}

  /** A registered task's message arrived. */
  received(message: TaskMessage, queue: string): void {
    const h = message.headers;
    if (this.logger.enabled('info')) this.logger.info({ task: h.task, taskId: h.id }, `Task ${h.task}[${h.id}] received`);
    if (this.listened('taskReceived')) this.emit('taskReceived', { ...this.base(message, queue), eta: h.eta ?? null });
    for (const observer of this.observers) observer.received?.(message, queue);
  }

  /** The task was not run: revoked before it started, or expired. */
  revoked(message: TaskMessage, queue: string, reason: 'revoked' | 'expired'): void {
    const h = message.headers;
    if (this.logger.enabled('info')) this.logger.info({ task: h.task, taskId: h.id, reason }, `Discarding ${reason} task: ${h.task}[${h.id}]`);
    if (this.listened('taskRevoked')) this.emit('taskRevoked', { ...this.base(message, queue), reason, terminated: false, runtimeMs: null });
    for (const observer of this.observers) observer.revoked?.(message, queue, reason);
  }

  /** The task is about to run; returns the start time to hand to {@link Instrumentation.finished}. */
  started(message: TaskMessage, queue: string): number {
    if (this.listened('taskPrerun')) this.emit('taskPrerun', this.base(message, queue));
    for (const observer of this.observers) observer.started?.(message, queue);
    return performance.now();
  }

  /** The run ended and its outcome was settled (stored, follow-ups sent). */
  finished(message: TaskMessage, queue: string, ending: TaskEnding, startedAt: number): void {
    const runtimeMs = performance.now() - startedAt;
    this.log(message, ending, runtimeMs);
    const specific = SPECIFIC[ending.state];
    if (this.listened('taskPostrun') || this.listened(specific)) {
      const base = this.base(message, queue);
      switch (ending.state) {
        case 'SUCCESS':
          this.emit('taskSuccess', { ...base, result: ending.result, runtimeMs });
          break;
        case 'FAILURE':
          this.emit('taskFailure', { ...base, error: ending.error, traceback: ending.traceback, runtimeMs });
          break;
        case 'RETRY':
          this.emit('taskRetry', { ...base, error: ending.error, countdownMs: ending.countdownMs, runtimeMs });
          break;
        case 'REVOKED':
          this.emit('taskRevoked', { ...base, reason: 'revoked', terminated: true, runtimeMs });
          break;
      }
      const outcome = ending.state === 'SUCCESS' ? { result: ending.result } : { error: ending.error };
      this.emit('taskPostrun', { ...base, state: ending.state, ...outcome, runtimeMs });
    }
    for (const observer of this.observers) observer.finished?.(message, queue, ending, runtimeMs);
  }

  /** True when any of the signal emitters has listeners for `signal`. */
  listened(signal: SignalName): boolean {
    for (const signals of this.signals) if (signals.has(signal)) return true;
    return false;
  }

  /** Emit on every emitter (app and worker). */
  emit<K extends SignalName>(signal: K, payload: SignalMap[K]): void {
    for (const signals of this.signals) signals.emit(signal, payload);
  }

  private log(message: TaskMessage, ending: TaskEnding, runtimeMs: number): void {
    if (ending.state !== 'FAILURE' && !this.logger.enabled('info')) return;
    const h = message.headers;
    const task = `${h.task}[${h.id}]`;
    const fields = { task: h.task, taskId: h.id, state: ending.state, runtimeMs };
    switch (ending.state) {
      case 'SUCCESS':
        if (this.logger.enabled('info')) this.logger.info(fields, `Task ${task} succeeded in ${seconds(runtimeMs)}s: ${pythonRepr(ending.result, RESULT_REPR_MAX)}`);
        return;
      case 'FAILURE':
        this.logger.error({ ...fields, err: ending.error }, `Task ${task} raised unexpected: ${errorRepr(ending.error)}`);
        return;
      case 'RETRY':
        if (this.logger.enabled('info')) this.logger.info({ ...fields, err: ending.error }, `Task ${task} retry: Retry in ${seconds(ending.countdownMs).replace(/\.?0+$/, '')}s: ${errorRepr(ending.error)}`);
        return;
      case 'REVOKED':
        if (this.logger.enabled('info')) this.logger.info(fields, `Task ${task} revoked: ${errorRepr(ending.error)}`);
        return;
    }
  }

  private base(message: TaskMessage, queue: string): TaskSignalBase {
    const h = message.headers;
    return { id: h.id, name: h.task, args: message.args, kwargs: message.kwargs, queue, hostname: this.hostname, retries: h.retries ?? 0, rootId: h.root_id ?? h.id, parentId: h.parent_id ?? null };
  }
}

const SPECIFIC = { SUCCESS: 'taskSuccess', FAILURE: 'taskFailure', RETRY: 'taskRetry', REVOKED: 'taskRevoked' } as const satisfies Record<TaskEnding['state'], SignalName>;
