/**
 * The embedded in-memory broker (`memory://`, the default). Same semantics as the networked
 * adapters: at-least-once delivery with ack/reject/requeue, prefetch, priorities (0–9, higher
 * first, as on AMQP), per-message expiry (`properties.expiration`, ms), delayed delivery and
 * dead-lettering with a reason. Every handle opened on the same name (`memory://<name>`) shares one
 * in-process store, so a producer app and a worker app in one process talk to each other.
 * @module
 */
import type {
  Broker,
  ConsumeOptions,
  Consumer,
  DeadLetter,
  Delivery,
  PublishTarget,
  WireMessage,
} from './broker.js';
import { MemoryQueueStore, type QueuedEntry } from './memory-store.js';

const stores = new Map<string, MemoryQueueStore>();

/** The shared store behind `memory://<name>`. */
function storeNamed(name: string): MemoryQueueStore {
  let store = stores.get(name);
  if (!store) {
    store = new MemoryQueueStore();
    stores.set(name, store);
  }
  return store;
}

/** Options of {@link MemoryBroker}. */
export interface MemoryBrokerOptions {
  /** Handles with the same name share queues. Default: `'default'` (what `memory://` opens). */
  name?: string;
}

interface ConsumerState {
  queues: readonly string[];
  options: ConsumeOptions;
  inFlight: number;
  active: boolean;
}

/** In-process broker; see the module documentation. */
export class MemoryBroker implements Broker {
  readonly kind = 'memory';
  private readonly store: MemoryQueueStore;
  private readonly consumers = new Set<ConsumerState>();
  private readonly unsettled = new Set<QueuedEntry>();
  private readonly unsubscribe: () => void;

  constructor(options: MemoryBrokerOptions = {}) {
    this.store = storeNamed(options.name ?? 'default');
    this.unsubscribe = this.store.onAvailable(() => this.pump());
  }

  async connect(): Promise<void> {}

  async publish(target: PublishTarget, message: WireMessage): Promise<void> {
    this.store.enqueue(target.queue, copyMessage(message), target.priority ?? 0, target.deliverAt, false);
  }

  async publishBatch(items: ReadonlyArray<{ target: PublishTarget; message: WireMessage }>): Promise<void> {
    for (const { target, message } of items) await this.publish(target, message);
  }

  async consume(queues: readonly string[], options: ConsumeOptions): Promise<Consumer> {
    const state: ConsumerState = { queues: [...queues], options, inFlight: 0, active: true };
    this.consumers.add(state);
    queueMicrotask(() => this.pump());
    return {
      cancel: async () => {
        state.active = false;
        this.consumers.delete(state);
      },
    };
  }

  async queueLength(queue: string): Promise<number> {
    return this.store.length(queue);
  }

  async purge(queue: string): Promise<number> {
    return this.store.purge(queue);
  }

  async deadLetters(queue: string): Promise<DeadLetter[]> {
    return this.store.deadLetters(queue);
  }

  async replayDeadLetters(queue: string, limit?: number): Promise<number> {
    return this.store.replayDead(queue, limit);
  }

  async purgeDeadLetters(queue: string): Promise<number> {
    return this.store.purgeDead(queue);
  }

  async close(): Promise<void> {
    for (const consumer of this.consumers) consumer.active = false;
    this.consumers.clear();
    this.unsubscribe();
    for (const entry of [...this.unsettled]) this.settle(entry, undefined, () => this.store.restore(entry));
  }

  /** Hand waiting messages to consumers with free prefetch slots. */
  private pump(): void {
    let progressed = true;
    while (progressed) {
      progressed = false;
      for (const consumer of this.consumers) {
        if (!consumer.active || consumer.inFlight >= consumer.options.prefetch) continue;
        const entry = this.store.take(consumer.queues);
        if (!entry) continue;
        progressed = true;
        consumer.inFlight += 1;
        this.unsettled.add(entry);
        consumer.options.onMessage(this.deliveryFor(entry, consumer));
      }
    }
  }

  private deliveryFor(entry: QueuedEntry, consumer: ConsumerState): Delivery {
    return {
      message: entry.message,
      queue: entry.queue,
      redelivered: entry.redelivered,
      ack: async () => this.settle(entry, consumer, () => undefined),
      reject: async ({ requeue, reason }) =>
        this.settle(entry, consumer, () =>
          requeue ? this.store.requeue(entry) : this.store.deadLetter(entry, reason ?? 'rejected'),
        ),
      defer: async (deliverAt) =>
        this.settle(entry, consumer, () =>
          this.store.enqueue(entry.queue, entry.message, entry.priority, deliverAt, entry.redelivered),
        ),
    };
  }

  /** Settle a delivery once; later calls are no-ops (like acking an already-acked tag). */
  private settle(entry: QueuedEntry, consumer: ConsumerState | undefined, effect: () => void): void {
    if (!this.unsettled.delete(entry)) return;
    if (consumer) consumer.inFlight -= 1;
    effect();
    queueMicrotask(() => this.pump());
  }
}

function copyMessage(message: WireMessage): WireMessage {
  return {
    body: message.body,
    contentType: message.contentType,
    contentEncoding: message.contentEncoding,
    headers: { ...message.headers },
    properties: { ...message.properties },
  };
}
