/**
 * Symmetric conversion between JavaScript errors and Celery's exception dict
 * (`{exc_type, exc_message, exc_module}`), so failures cross the language boundary both ways.
 * @module
 */
import { RemoteTaskError } from '../errors.js';
import type { ExceptionInfo } from './result-meta.js';

/** Python builtin exception names a JS error of the same name maps onto (`exc_module: builtins`). */
const PYTHON_BUILTINS = new Set([
  'Exception', 'ValueError', 'TypeError', 'KeyError', 'IndexError', 'RuntimeError', 'ZeroDivisionError',
  'AttributeError', 'NotImplementedError', 'AssertionError', 'LookupError', 'ArithmeticError',
  'OverflowError', 'OSError', 'IOError', 'TimeoutError', 'ConnectionError', 'PermissionError',
  'FileNotFoundError', 'StopIteration', 'RecursionError', 'UnicodeError', 'MemoryError',
]);

/** Celery's own exception names and the module Python imports them from. */
const CELERY_EXCEPTIONS: Record<string, string> = {
  NotRegistered: 'celery.exceptions',
  ChordError: 'celery.exceptions',
  TaskRevokedError: 'celery.exceptions',
  TimeLimitExceeded: 'billiard.exceptions',
  SoftTimeLimitExceeded: 'billiard.exceptions',
  MaxRetriesExceededError: 'celery.exceptions',
  Retry: 'celery.exceptions',
  ImproperlyConfigured: 'celery.exceptions',
};

/**
 * The Celery exception dict for a thrown value. The module is `celeriac` for JS-only error types.
 * An error may set `excType`, `excModule` and `excArgs` properties to stand for a Python exception
 * (e.g. `excType: 'ExpectedException', excModule: 't.integration.tasks'`), so that a Python client
 * catches it by its class.
 */
export function toExceptionInfo(error: unknown): ExceptionInfo {
  if (error instanceof RemoteTaskError) {
    return { exc_type: error.excType, exc_message: [...error.excArgs], exc_module: error.excModule };
  }
  if (error instanceof Error) {
    // An error standing for a Python exception may name it: `excType`, `excModule`, `excArgs`.
    const extra = error as Error & { excArgs?: unknown; excType?: unknown; excModule?: unknown };
    const name = typeof extra.excType === 'string' ? extra.excType : error.name === 'Error' ? 'Exception' : error.name || error.constructor.name;
    const module = typeof extra.excModule === 'string' ? extra.excModule : CELERY_EXCEPTIONS[name] ?? (PYTHON_BUILTINS.has(name) ? 'builtins' : 'celeriac');
    const args = Array.isArray(extra.excArgs) ? extra.excArgs : [error.message];
    return { exc_type: name, exc_message: args, exc_module: module };
  }
  return { exc_type: 'Exception', exc_message: [String(error)], exc_module: 'builtins' };
}

/** The typed error `get()` throws for a stored failure. */
export function fromExceptionInfo(
  info: unknown,
  context: { taskId: string; state: string; traceback: string | null },
): RemoteTaskError {
  const record = (typeof info === 'object' && info !== null ? info : {}) as Partial<ExceptionInfo>;
  const args = Array.isArray(record.exc_message) ? record.exc_message : record.exc_message === undefined ? [String(info)] : [record.exc_message];
  return new RemoteTaskError(
    typeof record.exc_type === 'string' ? record.exc_type : 'Exception',
    typeof record.exc_module === 'string' ? record.exc_module : 'builtins',
    args,
    context.traceback,
    context.taskId,
    context.state,
  );
}
