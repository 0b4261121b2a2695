/**
 * A task's stored exception (Celery's `{exc_type, exc_message}`) as a node / instance error.
 * @module
 */
import type { ExceptionInfo } from '../protocol/result-meta.js';
import type { NodeError } from './types.js';

/** `{ type, message, traceback }` from an exception as Celery stores it. */
export function errorOfException(exc: ExceptionInfo, traceback: string | null): NodeError {
  const args = Array.isArray(exc.exc_message) ? exc.exc_message : [exc.exc_message];
  return { type: exc.exc_type, message: args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(', '), traceback };
}
