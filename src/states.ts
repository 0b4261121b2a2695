/**
 * Task states, spelled exactly as Celery spells them on the wire.
 * @module
 */

/** The states a task result can be in. Custom strings are allowed by Celery; we keep them as `string`. */
export const States = {
  PENDING: 'PENDING',
  RECEIVED: 'RECEIVED',
  STARTED: 'STARTED',
  SUCCESS: 'SUCCESS',
  FAILURE: 'FAILURE',
  REVOKED: 'REVOKED',
  REJECTED: 'REJECTED',
  RETRY: 'RETRY',
  IGNORED: 'IGNORED',
} as const;

/** A known task state, or a custom one. */
export type TaskState = (typeof States)[keyof typeof States] | (string & {});

/** States after which a result never changes. */
export const READY_STATES: ReadonlySet<string> = new Set([States.SUCCESS, States.FAILURE, States.REVOKED]);
/** States whose `result` is an exception dict. */
export const EXCEPTION_STATES: ReadonlySet<string> = new Set([States.RETRY, States.FAILURE, States.REVOKED]);
/** States that fail a chord they belong to. */
export const PROPAGATE_STATES: ReadonlySet<string> = new Set([States.FAILURE, States.REVOKED]);

/** True when `state` is final (SUCCESS, FAILURE or REVOKED). */
export function isReady(state: string): boolean {
  return READY_STATES.has(state);
}
