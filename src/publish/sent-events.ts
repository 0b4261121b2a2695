/**
 * Celery's `task-sent` event (sent by producers when `events: true`, as Celery's
 * `task_send_sent_event`): the fields Celery's `amqp.send_task_message` puts in it.
 * @module
 */
import type { PlannedMessage } from '../canvas/plan-types.js';

/** The `task-sent` fields of one published message. */
export function taskSentFields(planned: PlannedMessage): Record<string, unknown> {
  const h = planned.message.headers;
  return {
    uuid: h.id,
    root_id: h.root_id ?? h.id,
    parent_id: h.parent_id ?? null,
    name: h.task,
    args: h.argsrepr,
    kwargs: h.kwargsrepr,
    retries: h.retries ?? 0,
    eta: h.eta ?? null,
    expires: h.expires ?? null,
    queue: planned.queue,
    exchange: '',
    routing_key: planned.queue,
  };
}
