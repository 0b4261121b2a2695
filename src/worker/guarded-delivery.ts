/**
 * A delivery that is settled at most once. A cold shutdown hands running tasks' messages back to
 * the broker at once ({@link GuardedDelivery.handBack}); whatever the abandoned task run does with
 * its delivery afterwards (ack, reject, defer) is then a no-op.
 * @module
 */
import type { Delivery } from '../broker/broker.js';

/** Wraps a delivery so that only its first settlement reaches the broker. */
export class GuardedDelivery implements Delivery {
  private settled = false;

  constructor(private readonly inner: Delivery) {}

  get message(): Delivery['message'] {
    return this.inner.message;
  }
  get queue(): string {
    return this.inner.queue;
  }
  get redelivered(): boolean {
    return this.inner.redelivered;
  }
  get lost(): boolean {
    return this.inner.lost === true;
  }

  /** Requeue now unless already settled; true when this call gave it back. */
  async handBack(): Promise<boolean> {
    if (this.settled) return false;
    this.settled = true;
    await this.inner.reject({ requeue: true });
    return true;
  }

  ack(): Promise<void> {
    return this.once(() => this.inner.ack());
  }
  reject(options: { requeue: boolean; reason?: string }): Promise<void> {
    return this.once(() => this.inner.reject(options));
  }
  defer(deliverAt: number): Promise<void> {
    return this.once(() => this.inner.defer(deliverAt));
  }

  private once(settle: () => Promise<void>): Promise<void> {
    if (this.settled) return Promise.resolve();
    this.settled = true;
    return settle();
  }
}
