/**
 * The delivery info a running task sees (Celery's `self.request.delivery_info`): where the message
 * came from and how, plus its message properties.
 * @module
 */
import type { Delivery } from '../broker/broker.js';
import type { TaskProperties } from '../protocol/message.js';

/** How the running task's message was delivered (Celery's `request.delivery_info`). */
export interface DeliveryInfo {
  /** The exchange it was published to (`''`: the default exchange, where celeriac and Redis publish). */
  readonly exchange: string;
  /** Its routing key (the queue name when published to the default exchange). */
  readonly routingKey: string;
  /** Its priority property, or null when it has none. */
  readonly priority: number | null;
  /** True when the broker delivered it before (requeued or restored after a worker died). */
  readonly redelivered: boolean;
}

/** The delivery info of `delivery`, whose decoded properties are `properties`. */
export function deliveryInfoOf(delivery: Pick<Delivery, 'queue' | 'redelivered' | 'exchange' | 'routingKey'>, properties: TaskProperties): DeliveryInfo {
  return {
    exchange: delivery.exchange ?? '',
    routingKey: delivery.routingKey ?? delivery.queue,
    priority: typeof properties.priority === 'number' ? properties.priority : null,
    redelivered: delivery.redelivered,
  };
}
