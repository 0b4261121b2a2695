/**
 * Build Celery result metas for a request (key order as Python writes it).
 * @module
 */
import { dateDoneNow, type ResultTuple, type TaskMeta } from '../protocol/result-meta.js';
import { isReady } from '../states.js';
import type { TaskMessage } from '../protocol/message.js';

/** Extended-result details (Celery's `result_extended`). */
export interface MetaExtras {
  extended: boolean;
  hostname: string;
  queue: string;
}

/** The meta to store for `message` in `status` with `result`. */
export function buildMeta(
  message: Pick<TaskMessage, 'headers' | 'args' | 'kwargs'>,
  status: string,
  result: unknown,
  options: { traceback?: string | null; children?: ResultTuple[]; taskId?: string; extras?: MetaExtras },
): TaskMeta {
  const h = message.headers;
  // Built in Python's key order: ..., date_done, group_id?, parent_id?, extended?, task_id.
  const ordered = {
    status,
    result,
    traceback: options.traceback ?? null,
    children: options.children ?? [],
    date_done: isReady(status) ? dateDoneNow() : null,
  } as TaskMeta;
  if (h.group) ordered.group_id = h.group;
  if (h.parent_id) ordered.parent_id = h.parent_id;
  if (options.extras?.extended) {
    ordered.name = h.task;
    ordered.args = message.args;
    ordered.kwargs = message.kwargs;
    ordered.worker = options.extras.hostname;
    ordered.retries = h.retries;
    ordered.queue = options.extras.queue;
  }
  ordered.task_id = options.taskId ?? h.id;
  return ordered;
}
