/**
 * Decides where a message goes and publishes it there through the confirming publisher:
 * - straight to its task queue (default exchange, routing key = queue, as Celery does);
 * - to a delay queue when it is due later (see `delay.ts`);
 * - to the queue's dead-letter queue with a reason.
 * @module
 */
import type { PublishTarget, WireMessage } from '../broker.js';
import { delayBucketFor } from './delay.js';
import { bodyBuffer, toPublishOptions } from './message-codec.js';
import { DEAD_AT_HEADER, DEAD_QUEUE_HEADER, DEAD_REASON_HEADER, DELIVER_AT_HEADER, deadQueueName, delayQueueName } from './names.js';
import type { AmqpPublisher } from './publisher.js';
import type { AmqpTopology } from './topology.js';

/** Routes messages to task, delay and dead-letter queues. */
export class AmqpRouter {
  constructor(
    private readonly publisher: AmqpPublisher,
    private readonly topology: AmqpTopology,
  ) {}

  /** Publishes `message` to `target.queue`, now or (via a delay queue) at `target.deliverAt`. */
  publish(target: PublishTarget, message: WireMessage): Promise<void> {
    const queue = target.queue;
    const remainingMs = target.deliverAt === undefined ? 0 : target.deliverAt - Date.now();
    const extraHeaders: Record<string, unknown> = {};
    if (target.deliverAt !== undefined && remainingMs > 0) extraHeaders[DELIVER_AT_HEADER] = Math.ceil(target.deliverAt);
    const bucket = delayBucketFor(remainingMs);
    if (bucket === undefined) {
      const options = toPublishOptions(message, { priority: target.priority, extraHeaders });
      return this.publisher.send({ queue, content: bodyBuffer(message), options, declare: () => this.topology.ensureTaskQueue(queue) });
    }
    // Parked messages must not expire in the delay queue (RabbitMQ would move them on early).
    const options = toPublishOptions(message, { priority: target.priority, extraHeaders, dropExpiration: true });
    return this.publisher.send({
      queue: delayQueueName(queue, bucket),
      content: bodyBuffer(message),
      options,
      declare: async () => {
        await this.topology.ensureTaskQueue(queue); // must exist when the delay queue dead-letters into it
        await this.topology.ensureDelayQueue(queue, bucket);
      },
    });
  }

  /** Publishes a copy of `message` to the dead-letter queue of `queue`, carrying `reason`. */
  deadLetter(queue: string, message: WireMessage, reason: string): Promise<void> {
    const options = toPublishOptions(message, {
      extraHeaders: { [DEAD_REASON_HEADER]: reason, [DEAD_QUEUE_HEADER]: queue, [DEAD_AT_HEADER]: Date.now() },
      dropExpiration: true,
    });
    return this.publisher.send({
      queue: deadQueueName(queue),
      content: bodyBuffer(message),
      options,
      declare: () => this.topology.ensureDeadQueue(queue),
    });
  }
}
