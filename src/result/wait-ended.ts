/**
 * Why a result wait ended without a ready result, as the error `get()` / `join()` throw: the
 * caller's abort (its signal's reason), the timeout ({@link TimeoutError}), or the result backend
 * being closed under the wait ({@link TransportError}). The backend contract resolves `undefined`
 * for all three, so the reason is told apart here, where the options are known.
 * @module
 */
import { TimeoutError, TransportError } from '../errors.js';

/** What a wait was given. */
export interface WaitInput {
  readonly timeout?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** The error for a wait on `id` (started at `startedAt`, epoch ms) that ended without a result. */
export function waitEndedError(id: string, options: WaitInput, startedAt: number): unknown {
  if (options.signal?.aborted) return options.signal.reason;
  if (options.timeout !== undefined && Date.now() - startedAt >= options.timeout - 1) return new TimeoutError(id, options.timeout);
  return new TransportError(`The result backend was closed while waiting for task ${id}`);
}
