/**
 * The poison cap: a message whose handling keeps failing on the worker side (not the task: a
 * callback that cannot be rebuilt, a result that cannot be stored, …) is requeued a bounded number
 * of times, then stored as FAILURE (so `get()` does not wait forever) and dead-lettered with the
 * reason. Failures are counted in the result backend per delivery (task id + retry number), so the
 * count survives redeliveries and worker restarts. When the count cannot be taken (the backend is
 * down: likely transient), the message is requeued as before.
 * @module
 */
import type { ResultBackend } from '../backend/backend.js';
import type { Delivery } from '../broker/broker.js';
import type { Logger } from '../logger.js';
import { toExceptionInfo } from '../protocol/exceptions.js';
import type { TaskMessage } from '../protocol/message.js';
import { States } from '../states.js';
import { buildMeta, type MetaExtras } from './meta.js';

/** Default of `WorkerOptions.maxHandlingFailures`. */
export const DEFAULT_MAX_HANDLING_FAILURES = 5;

/** What the cap needs. */
export interface PoisonDeps {
  backend: ResultBackend;
  logger: Logger;
  maxHandlingFailures: number;
}

/** Requeue `delivery` after a handling error, or, past the cap, fail and dead-letter it. Never throws. */
export async function settleHandlingError(delivery: Delivery, message: TaskMessage, error: unknown, extras: MetaExtras, deps: PoisonDeps): Promise<void> {
  const h = message.headers;
  const failures = await deps.backend.countHandlingFailure(`${h.id}:${h.retries ?? 0}`).catch(() => undefined);
  if (failures === undefined || failures < deps.maxHandlingFailures) {
    deps.logger.error({ id: h.id, task: h.task, failures, error: String(error) }, 'task handling failed; message requeued');
    await delivery.reject({ requeue: true }).catch(() => undefined);
    return;
  }
  const reason = `poison: handling failed ${failures} times: ${String(error).slice(0, 500)}`;
  deps.logger.error({ id: h.id, task: h.task, failures, error: String(error) }, 'task handling keeps failing; message dead-lettered');
  const traceback = error instanceof Error && error.stack ? error.stack : null;
  await deps.backend.storeMeta(buildMeta(message, States.FAILURE, toExceptionInfo(error), { traceback, extras })).catch(() => undefined);
  await delivery.reject({ requeue: false, reason }).catch(() => delivery.reject({ requeue: true }).catch(() => undefined));
}
