/**
 * A message handed to a consumer, settled on the channel that delivered it.
 *
 * `reject({requeue: false})` and `defer()` first publish a copy (to the dead-letter queue, or to a
 * delay queue / back to the queue) and wait for RabbitMQ's confirm, and only then ack the original.
 * If the copy cannot be published, the original is requeued and the error is thrown: the message is
 * never lost (a crash in between can leave a duplicate, which at-least-once delivery allows).
 *
 * Only the first settle call counts; later ones are no-ops.
 *
 * When the delivering channel has closed in the meantime (connection lost, broker closed), RabbitMQ
 * has already put the message back on its queue and will deliver it again; settling is then a no-op.
 * @module
 */
import type { Channel, Message } from 'amqplib';
import type { Delivery, WireMessage } from '../broker.js';
import type { AmqpRouter } from './router.js';

/** Settles deliveries of one consumer channel. */
export interface DeliveryContext {
  readonly channel: Channel;
  readonly router: AmqpRouter;
  /** Called once when the delivery is settled (for the consumer's bookkeeping). */
  readonly onSettled: () => void;
  /** True once the delivering channel has closed (RabbitMQ requeued the message). */
  readonly isLost: () => boolean;
}

/** Runs a settle operation on a channel; a closed channel means RabbitMQ already requeued the message. */
function onChannel(channel: Channel, operation: (channel: Channel) => void): void {
  try {
    operation(channel);
  } catch {
    // IllegalOperationError: channel closed; the broker redelivers the message.
  }
}

/** Requeues the original message (after a failed copy). */
export function requeue(channel: Channel, raw: Message): void {
  onChannel(channel, (ch) => ch.nack(raw, false, true));
}

/** Acknowledges the original message. */
export function acknowledge(channel: Channel, raw: Message): void {
  onChannel(channel, (ch) => ch.ack(raw));
}

/** The {@link Delivery} of the AMQP broker. */
export class AmqpDelivery implements Delivery {
  readonly redelivered: boolean;
  readonly exchange: string;
  readonly routingKey: string;
  private settled = false;

  constructor(
    readonly message: WireMessage,
    readonly queue: string,
    private readonly raw: Message,
    private readonly context: DeliveryContext,
  ) {
    this.redelivered = raw.fields.redelivered;
    this.exchange = raw.fields.exchange;
    this.routingKey = raw.fields.routingKey;
  }

  /** True once the delivering channel closed: RabbitMQ has already requeued this message. */
  get lost(): boolean {
    return this.context.isLost();
  }

  /** True the first time; later settle calls are no-ops (acking a tag twice would kill the channel). */
  private claim(): boolean {
    if (this.settled) return false;
    this.settled = true;
    return true;
  }

  async ack(): Promise<void> {
    if (!this.claim()) return;
    acknowledge(this.context.channel, this.raw);
    this.context.onSettled();
  }

  async reject(options: { requeue: boolean; reason?: string }): Promise<void> {
    if (!this.claim()) return;
    if (options.requeue) {
      requeue(this.context.channel, this.raw);
      this.context.onSettled();
      return;
    }
    await this.forward(() => this.context.router.deadLetter(this.queue, this.message, options.reason ?? 'rejected'));
  }

  async defer(deliverAt: number): Promise<void> {
    if (!this.claim()) return;
    await this.forward(() => this.context.router.publish({ queue: this.queue, deliverAt }, this.message));
  }

  private async forward(publishCopy: () => Promise<void>): Promise<void> {
    try {
      await publishCopy();
      acknowledge(this.context.channel, this.raw);
    } catch (error) {
      requeue(this.context.channel, this.raw);
      throw error;
    } finally {
      this.context.onSettled();
    }
  }
}
