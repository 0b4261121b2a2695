/**
 * Hooks the app gives a worker for layers built on top of the canvas (the workflow engine): handle
 * some callbacks in-process instead of sending them as messages, and hear when a task starts.
 * The worker imports no such layer; it only calls these.
 * @module
 */
import type { SignatureDict, TaskMessage } from '../protocol/message.js';
import type { ExceptionInfo } from '../protocol/result-meta.js';

/** How the task whose callback this is ended. */
export type CallbackOutcome =
  | { readonly kind: 'success'; readonly value: unknown }
  | { readonly kind: 'failure'; readonly exc: ExceptionInfo; readonly traceback: string | null };

/** Optional hooks; every one is awaited only where it says so. */
export interface WorkerHooks {
  /**
   * Run a link callback / errback in this process. Resolve true when handled (it is then not sent);
   * false to send it as usual. A rejection fails the task's handling (the message is redelivered).
   */
  inlineCallback?(callback: SignatureDict, outcome: CallbackOutcome, message: TaskMessage): Promise<boolean>;
  /** A task is about to run (not awaited; errors are the hook's own). */
  taskStarted?(message: TaskMessage): void;
}
