/**
 * Names of the queues and headers celeriac adds next to Celery's topology. Built only here.
 *
 * For a task queue `Q`:
 * - `Q.celeriac.dead`: durable queue holding dead-lettered copies (reason in a header);
 * - `Q.celeriac.delay.<ms>`: durable delay queues, one per power-of-two delay bucket, whose
 *   `x-message-ttl` is `<ms>` and whose expired messages RabbitMQ dead-letters back into `Q`.
 * @module
 */

/** Header carrying the dead-letter reason on a copy in `Q.celeriac.dead`. */
export const DEAD_REASON_HEADER = 'x-celeriac-dead-reason';
/** Header carrying the queue a dead-lettered message came from. */
export const DEAD_QUEUE_HEADER = 'x-celeriac-dead-queue';
/** Header carrying when the message was dead-lettered (epoch ms). */
export const DEAD_AT_HEADER = 'x-celeriac-dead-at';
/** Header carrying the epoch ms at which a delayed message is due. */
export const DELIVER_AT_HEADER = 'x-celeriac-deliver-at';

/** Headers added by RabbitMQ's own dead-lettering (our delay hops), hidden from consumers. */
const RABBIT_DEATH_HEADERS = ['x-death', 'x-first-death-exchange', 'x-first-death-queue', 'x-first-death-reason',
  'x-last-death-exchange', 'x-last-death-queue', 'x-last-death-reason'] as const;

/** Transport headers stripped before a message is handed to a consumer or republished. */
export const TRANSPORT_HEADERS: readonly string[] = [...RABBIT_DEATH_HEADERS, DELIVER_AT_HEADER];

/** The dead-letter queue of a task queue. */
export function deadQueueName(queue: string): string {
  return `${queue}.celeriac.dead`;
}

/** The delay queue of a task queue for one delay bucket (ms). */
export function delayQueueName(queue: string, bucketMs: number): string {
  return `${queue}.celeriac.delay.${bucketMs}`;
}
