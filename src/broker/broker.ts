/**
 * The broker contract. Adapters (memory, Redis, AMQP) implement it; nothing outside `broker/` knows
 * which one is in use. No driver types leak through this interface.
 *
 * Delivery is at-least-once: a message handed to a consumer stays owned by the broker until
 * {@link Delivery.ack}, {@link Delivery.reject} or {@link Delivery.defer}; a consumer that dies
 * without settling gets its messages delivered again.
 * @module
 */
import type { EncodedMessage } from '../protocol/encode.js';

/** A message as the broker carries it (the protocol layer's {@link EncodedMessage}). */
export type WireMessage = EncodedMessage;

/** Where and how to publish. */
export interface PublishTarget {
  /** Destination queue (routed through the default exchange with routing key = queue, as Celery does). */
  queue: string;
  /** 0–9. Redis: lower is served first (kombu); AMQP: higher wins. The adapter maps it. */
  priority?: number;
  /** Hold the message back until this epoch time (ms). Used for ETA tasks consumed by celeriac workers. */
  deliverAt?: number;
}

/** A message handed to a consumer, owned by it until settled. */
export interface Delivery {
  readonly message: WireMessage;
  /** The queue it came from. */
  readonly queue: string;
  /** True when the broker delivered this message before (restored, requeued, or redelivered). */
  readonly redelivered: boolean;
  /** The exchange the message was published to, when the transport has one. Default: `''` (the default exchange). */
  readonly exchange?: string;
  /** The routing key it was published with, when the transport has one. Default: the queue name. */
  readonly routingKey?: string;
  /**
   * True when the broker has already taken the message back (e.g. its AMQP channel closed): a
   * consumer should not start work on it, another delivery of it is on its way. Optional.
   */
  readonly lost?: boolean;
  /** Done with it: remove it for good. */
  ack(): Promise<void>;
  /**
   * Give it back. `requeue: true` puts it back on its queue; `requeue: false` moves it to the
   * dead-letter place with `reason` (it is never silently dropped).
   */
  reject(options: { requeue: boolean; reason?: string }): Promise<void>;
  /**
   * Settle now and deliver again at `deliverAt` (epoch ms), atomically: used for ETA/countdown
   * tasks so they are not held unacknowledged (no redelivery after a visibility timeout).
   */
  defer(deliverAt: number): Promise<void>;
}

/** A message the broker could not even turn into a {@link Delivery}; it was dead-lettered. */
export interface MalformedMessage {
  readonly queue: string;
  readonly reason: string;
  readonly error: Error;
}

/** Options of {@link Broker.consume}. */
export interface ConsumeOptions {
  /** How many unsettled deliveries this consumer may hold at once. */
  prefetch: number;
  /** Called with each delivery. Must not throw; settle the delivery (ack/reject/defer). */
  onMessage(delivery: Delivery): void;
  /** Called when a raw message could not be parsed and was dead-lettered by the broker. */
  onMalformed?(malformed: MalformedMessage): void;
}

/** A running consumer. */
export interface Consumer {
  /** Stop fetching new messages. Deliveries already handed out can still be settled. */
  cancel(): Promise<void>;
}

/** A message that was dead-lettered, with the reason. */
export interface DeadLetter {
  readonly queue: string;
  readonly reason: string;
  /** The raw message as the broker stored it (an envelope string, or the body). */
  readonly raw: string;
  /** True when the broker kept only the start of a large message (it cannot be replayed). */
  readonly truncated?: boolean;
}

/** The broker contract. */
export interface Broker {
  /** The URL scheme family: `memory`, `redis`, `amqp`. */
  readonly kind: string;
  /** Open connections. Idempotent. Called lazily by publish/consume too. */
  connect(): Promise<void>;
  /** Publish one message. Resolves once the broker accepted it (confirm). */
  publish(target: PublishTarget, message: WireMessage): Promise<void>;
  /** Publish several messages with as few round trips as the transport allows. */
  publishBatch(items: ReadonlyArray<{ target: PublishTarget; message: WireMessage }>): Promise<void>;
  /** Consume from queues (served in the given order when several have messages). */
  consume(queues: readonly string[], options: ConsumeOptions): Promise<Consumer>;
  /** Messages waiting in a queue (not counting unacknowledged or delayed ones). */
  queueLength(queue: string): Promise<number>;
  /** Remove every waiting message of a queue; returns how many. */
  purge(queue: string): Promise<number>;
  /** Read dead-lettered messages of a queue (newest last), for inspection and tests. */
  deadLetters(queue: string): Promise<DeadLetter[]>;
  /**
   * Put dead-lettered messages of a queue back on it (oldest first, at most `limit`), each moved
   * atomically; truncated ones stay. Returns how many were replayed.
   */
  replayDeadLetters(queue: string, limit?: number): Promise<number>;
  /** Delete every dead-lettered message of a queue; returns how many. */
  purgeDeadLetters(queue: string): Promise<number>;
  /** Close connections. Unsettled deliveries are returned to the broker. */
  close(): Promise<void>;
}
