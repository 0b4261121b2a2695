/**
 * Every error celeriac throws. Each class says when it is thrown and carries readonly context.
 * Errors that cross the wire (a task failure read back from the result backend) are
 * {@link RemoteTaskError}s; they keep the remote exception type, module, message and traceback.
 * @module
 */
import type { SignatureDict } from './protocol/message.js';

/** Base class of every celeriac error. */
export class CeleriacError extends Error {
  override name = 'CeleriacError';
}

/** Thrown when a canvas or signature is built or configured wrongly (before anything is sent). */
export class CanvasError extends CeleriacError {
  override name = 'CanvasError';
}

/** Thrown when configuration is invalid (unknown URL scheme, bad option). */
export class ConfigError extends CeleriacError {
  override name = 'ConfigError';
}

/** Thrown by the worker when a message names a task it does not know. Stored as Celery's `NotRegistered`. */
export class NotRegisteredError extends CeleriacError {
  override name = 'NotRegistered';
  constructor(readonly taskName: string) {
    super(`Task of kind '${taskName}' is not registered`);
  }
}

/**
 * Thrown when a message cannot be decoded (bad envelope, bad base64, broken JSON/msgpack, missing
 * headers, unsupported content type, too large). The worker dead-letters such messages with `reason`.
 */
export class MessageDecodeError extends CeleriacError {
  override name = 'MessageDecodeError';
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** Thrown by `AsyncResult.get()` when the result did not become ready before the timeout. */
export class TimeoutError extends CeleriacError {
  override name = 'TimeoutError';
  constructor(
    readonly taskId: string,
    readonly timeoutMs: number,
  ) {
    super(`The operation timed out after ${timeoutMs} ms waiting for task ${taskId}`);
  }
}

/** Thrown when a broker or backend connection fails or a publish is refused. */
export class TransportError extends CeleriacError {
  override name = 'TransportError';
}

/**
 * A task failure read back from the result backend: the remote exception's type, module, message
 * (Celery's `exc_message` list) and traceback. Thrown by `get()` on FAILURE/REVOKED (with `propagate`).
 */
export class RemoteTaskError extends CeleriacError {
  override name = 'RemoteTaskError';
  constructor(
    /** The remote exception class name, e.g. `ValueError`, `ChordError`. */
    readonly excType: string,
    /** The remote exception module, e.g. `builtins`, `celery.exceptions`, `celeriac`. */
    readonly excModule: string,
    /** The exception arguments (Celery's `exc_message`). */
    readonly excArgs: readonly unknown[],
    /** The remote traceback, when one was stored. */
    readonly remoteTraceback: string | null,
    /** The id of the task that failed. */
    readonly taskId: string,
    /** The state the task ended in (FAILURE or REVOKED). */
    readonly state: string,
  ) {
    super(`${excType}: ${excArgs.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(', ')}`);
  }
}

/** Thrown inside a task by `retry()`; the worker catches it and republishes the task. */
export class RetryRequest extends CeleriacError {
  override name = 'Retry';
  constructor(
    readonly countdownMs: number,
    override readonly cause?: unknown,
    /** Overrides the task's `maxRetries` for this retry. */
    readonly maxRetries?: number,
  ) {
    super(`Retry in ${countdownMs} ms`);
  }
}

/**
 * Thrown inside a task by `replace()`; the worker catches it and sends `replacement` in the task's
 * place (same id, chain position, callbacks, errbacks and chord membership). Nothing is stored for
 * the replaced run itself.
 */
export class ReplaceRequest extends CeleriacError {
  override name = 'Ignore';
  constructor(
    /** The replacement canvas as Celery's signature dict (it crosses thread boundaries as data). */
    readonly replacement: SignatureDict,
  ) {
    super(`Replaced by new task ${replacement.task}`);
  }
}

/**
 * A canvas or configuration Celery also refuses, under Celery's name (`celery.exceptions
 * .ImproperlyConfigured`) so a Python client catches it: e.g. replacing a task with an empty chain.
 */
export class ImproperlyConfigured extends ConfigError {
  override name = 'ImproperlyConfigured';
}

/** Raised when a task exceeds `maxRetries`; wraps the last error. */
export class MaxRetriesExceededError extends CeleriacError {
  override name = 'MaxRetriesExceededError';
}

/** Stored (as Celery's `TaskRevokedError`) for a task that was revoked or expired before it ran. */
export class TaskRevokedError extends CeleriacError {
  override name = 'TaskRevokedError';
}

/** Stored for a chord body whose header had a failure (Celery's `ChordError`). */
export class ChordError extends CeleriacError {
  override name = 'ChordError';
}

/** Thrown when a task exceeds its soft or hard time limit. */
export class TimeLimitExceededError extends CeleriacError {
  override name = 'TimeLimitExceeded';
  constructor(
    readonly limitSeconds: number,
    readonly hard: boolean,
  ) {
    super(`${hard ? 'Hard' : 'Soft'} time limit (${limitSeconds}s) exceeded`);
  }
}

/**
 * `url` with its password (everything between `user:` and the last `@`, so an unencoded `@` in
 * the password is covered too) replaced by `***`, for logs and error messages. A URL carrying only
 * `secret@host` is masked whole.
 */
export function redactUrl(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)(.*)@(.*)$/is.exec(url);
  if (!match) return url;
  const [, scheme, userinfo, rest] = match as unknown as [string, string, string, string];
  const colon = userinfo.indexOf(':');
  return `${scheme}${colon === -1 ? '****' : `${userinfo.slice(0, colon)}:****`}@${rest}`;
}

/** True when `error` is a TLS certificate or handshake failure. */
export function isTlsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    (typeof code === 'string' && /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH)/.test(code)) ||
    (error instanceof Error && /certificate|self[- ]signed|SSL routines|wrong version number/i.test(error.message))
  );
}
