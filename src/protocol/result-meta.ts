/**
 * The result backend's meta format (Celery's `celery-task-meta-<id>` value) and result tuples.
 * See shared/celery-wire/README.md §5.2–§5.5.
 * @module
 */

/** Celery's exception dict, stored as the `result` of FAILURE/RETRY/REVOKED. */
export interface ExceptionInfo {
  exc_type: string;
  exc_message: unknown[];
  exc_module: string;
}

/**
 * Celery's result tuple: `[[id, parentTuple|null], null]` for a task,
 * `[[gid, parentTuple|null], [tuple, ...]]` for a group.
 */
export type ResultTuple = [[string, ResultTuple | null], ResultTuple[] | null];

/** A task meta as stored in `celery-task-meta-<id>`. */
export interface TaskMeta {
  status: string;
  result: unknown;
  traceback: string | null;
  children: ResultTuple[];
  date_done: string | null;
  group_id?: string;
  parent_id?: string;
  /** Extended fields (`result_extended`). */
  name?: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  worker?: string;
  retries?: number;
  queue?: string;
  task_id: string;
  [key: string]: unknown;
}

/** True when `value` looks like Celery's exception dict. */
export function isExceptionInfo(value: unknown): value is ExceptionInfo {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>)['exc_type'] === 'string' &&
    Array.isArray((value as Record<string, unknown>)['exc_message'])
  );
}

/** Celery 5.2.6's `date_done`: naive UTC ISO with microseconds (6 digits). */
export function dateDoneNow(now?: Date): string {
  if (now) return dateDoneOf(now.getTime());
  // A busy worker stores many results per millisecond: format each millisecond once.
  const ms = Date.now();
  if (ms !== lastDateDone.ms) lastDateDone = { ms, text: dateDoneOf(ms) };
  return lastDateDone.text;
}

let lastDateDone = { ms: Number.NaN, text: '' };

function dateDoneOf(ms: number): string {
  // `YYYY-MM-DDTHH:mm:ss.sssZ` → microseconds, no offset (Celery's naive UTC isoformat).
  return `${new Date(ms).toISOString().slice(0, -1)}000`;
}

/** Parse a Celery `date_done` (with or without fraction and offset) into a Date; naive means UTC. */
export function parseDateDone(value: string): Date {
  const hasOffset = /([zZ]|[+-]\d{2}:?\d{2})$/.test(value);
  const normalized = value.replace(/(\.\d{3})\d+/, '$1');
  return new Date(hasOffset ? normalized : `${normalized}Z`);
}
