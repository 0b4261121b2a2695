/**
 * The RabbitMQ broker (amqplib), wire-compatible with Celery 5.2.6 on py-amqp: Python producers and
 * workers can share its queues.
 *
 * - Topology as Celery declares it: durable queue `Q`, durable direct exchange `Q`, binding `Q`;
 *   messages go to the default exchange with routing key `Q`, persistent, with kombu's properties.
 * - Headers typed so py-amqp reads them (integers as int32/int64, never int8/int16).
 * - `publish` resolves only after RabbitMQ confirmed the message; nacks, unroutable messages and
 *   confirm timeouts are {@link TransportError}s. While disconnected, publishes wait in a bounded
 *   buffer and are sent after the reconnect.
 * - Manual acks, prefetch via `basic.qos`; RabbitMQ redelivers what a dead consumer held.
 * - Dead letters go to `Q.celeriac.dead` with the reason in a header (works on queues declared by
 *   Python without DLX arguments); delayed messages wait in per-bucket delay queues (see `amqp/delay.ts`).
 * - Reconnects with backoff, re-declares topology and re-consumes.
 *
 * @example
 * ```ts
 * const broker = new AmqpBroker({ url: 'amqp://guest:guest@127.0.0.1:5672//' });
 * await broker.publish({ queue: 'celery' }, message);
 * const consumer = await broker.consume(['celery'], { prefetch: 4, onMessage: (d) => void d.ack() });
 * ```
 * @module
 */
import type { Broker, ConsumeOptions, Consumer, DeadLetter, PublishTarget, WireMessage } from './broker.js';
import { TransportError } from '../errors.js';
import { AmqpConnection } from './amqp/connection.js';
import { AmqpConsumer } from './amqp/consumer.js';
import { purgeAmqpDeadLetters, readDeadLetters, replayAmqpDeadLetters } from './amqp/dead-letters.js';
import { resolveAmqpOptions, type AmqpBrokerOptions, type ResolvedAmqpOptions } from './amqp/options.js';
import { AmqpPublisher } from './amqp/publisher.js';
import { AmqpRouter } from './amqp/router.js';
import { AmqpTopology } from './amqp/topology.js';

export type { AmqpBrokerEvent, AmqpBrokerOptions, AmqpReconnectOptions } from './amqp/options.js';
export { DEFAULT_AMQP_URL } from './amqp/options.js';
export { MAX_DELAY_BUCKET_MS, MIN_DELAY_BUCKET_MS } from './amqp/delay.js';
export { deadQueueName, delayQueueName, DEAD_REASON_HEADER, DELIVER_AT_HEADER } from './amqp/names.js';

/** The RabbitMQ {@link Broker}. No I/O happens in the constructor; `connect()` (or any call) opens. */
export class AmqpBroker implements Broker {
  readonly kind = 'amqp';
  private readonly options: ResolvedAmqpOptions;
  private readonly connection: AmqpConnection;
  private readonly topology: AmqpTopology;
  private readonly publisher: AmqpPublisher;
  private readonly router: AmqpRouter;
  private readonly consumers = new Set<AmqpConsumer>();
  private closed = false;

  /** Throws `ConfigError` for invalid options. */
  constructor(options: AmqpBrokerOptions = {}) {
    this.options = resolveAmqpOptions(options);
    this.connection = new AmqpConnection(this.options);
    this.topology = new AmqpTopology(this.connection, this.options);
    this.publisher = new AmqpPublisher(this.connection, this.options, (queue) => this.topology.invalidate(queue));
    this.router = new AmqpRouter(this.publisher, this.topology);
    // Order matters: caches are reset before the publisher resumes sending.
    this.connection.addListener(this.topology);
    this.connection.addListener(this.publisher);
  }

  /**
   * Opens the connection: one attempt, rejecting with {@link TransportError} when RabbitMQ cannot
   * be reached. Idempotent; resolves at once while a dropped connection is being re-established.
   */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(new TransportError('The AMQP broker was closed'));
    return this.connection.connect();
  }

  /** Publishes one message; resolves once RabbitMQ confirmed it (see the module doc). */
  async publish(target: PublishTarget, message: WireMessage): Promise<void> {
    await this.connect();
    await this.router.publish(target, message);
  }

  /** Publishes all messages back to back, then waits for every confirm; throws the first failure. */
  async publishBatch(items: ReadonlyArray<{ target: PublishTarget; message: WireMessage }>): Promise<void> {
    await this.connect();
    const sent = items.map(({ target, message }) => this.router.publish(target, message));
    const outcomes = await Promise.allSettled(sent);
    const failures = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    const first = failures[0];
    if (first) {
      const error = first.reason instanceof Error ? first.reason : new TransportError(String(first.reason));
      if (failures.length === 1) throw error;
      throw new TransportError(`${failures.length} of ${items.length} messages were not published; first: ${error.message}`, { cause: error });
    }
  }

  /** Consumes the queues (declared as Celery does) until the returned consumer is cancelled. */
  async consume(queues: readonly string[], options: ConsumeOptions): Promise<Consumer> {
    await this.connect();
    const consumer = new AmqpConsumer({ connection: this.connection, topology: this.topology, router: this.router, options: this.options }, queues, options);
    await consumer.start();
    this.consumers.add(consumer);
    return {
      cancel: async () => {
        this.consumers.delete(consumer);
        await consumer.cancel();
      },
    };
  }

  /** Ready messages in the queue (not unacknowledged ones, not delayed ones); 0 when it does not exist. */
  async queueLength(queue: string): Promise<number> {
    await this.connect();
    return this.topology.messageCount(queue);
  }

  /** Purges the ready messages of the queue; returns how many. Delayed and dead letters stay. */
  async purge(queue: string): Promise<number> {
    await this.connect();
    return this.topology.purge(queue);
  }

  /** The dead letters of `queue` (oldest first), left in place; kombu-style envelope strings as `raw`. */
  async deadLetters(queue: string): Promise<DeadLetter[]> {
    await this.connect();
    return readDeadLetters(this.topology, queue);
  }

  /** Republishes dead letters of `queue` onto it (oldest first, at most `limit`); returns how many. */
  async replayDeadLetters(queue: string, limit?: number): Promise<number> {
    await this.connect();
    return replayAmqpDeadLetters(this.topology, this.router, queue, limit);
  }

  /** Purges the dead-letter queue of `queue`; returns how many letters it held. */
  async purgeDeadLetters(queue: string): Promise<number> {
    await this.connect();
    return purgeAmqpDeadLetters(this.topology, queue);
  }

  /**
   * Cancels consumers (their unsettled deliveries return to RabbitMQ), waits for outstanding
   * publish confirms while connected, and closes the connection. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const consumer of this.consumers) await consumer.close();
    this.consumers.clear();
    await this.publisher.close();
    await this.connection.close();
  }
}
