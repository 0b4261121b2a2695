/**
 * A {@link Broker} that forwards to another one and counts what is published: messages and
 * encoded bytes (body bytes + JSON of the headers + JSON of the properties, the same measure the
 * Python side uses, so both are comparable).
 * @module
 */
import type { Broker, ConsumeOptions, Consumer, DeadLetter, PublishTarget, WireMessage } from '../../src/index.js';

/** The encoded size of one message by the measure in the module documentation. */
export function encodedBytes(message: WireMessage): number {
  return message.body.byteLength + Buffer.byteLength(JSON.stringify(message.headers)) + Buffer.byteLength(JSON.stringify(message.properties));
}

/** Counts published messages and bytes; see the module documentation. */
export class CountingBroker implements Broker {
  messages = 0;
  bytes = 0;

  constructor(private readonly inner: Broker) {}

  get kind(): string {
    return this.inner.kind;
  }

  /** Start counting from zero. */
  reset(): void {
    this.messages = 0;
    this.bytes = 0;
  }

  connect(): Promise<void> {
    return this.inner.connect();
  }

  publish(target: PublishTarget, message: WireMessage): Promise<void> {
    this.count(message);
    return this.inner.publish(target, message);
  }

  publishBatch(items: ReadonlyArray<{ target: PublishTarget; message: WireMessage }>): Promise<void> {
    for (const { message } of items) this.count(message);
    return this.inner.publishBatch(items);
  }

  consume(queues: readonly string[], options: ConsumeOptions): Promise<Consumer> {
    return this.inner.consume(queues, options);
  }

  queueLength(queue: string): Promise<number> {
    return this.inner.queueLength(queue);
  }

  purge(queue: string): Promise<number> {
    return this.inner.purge(queue);
  }

  deadLetters(queue: string): Promise<DeadLetter[]> {
    return this.inner.deadLetters(queue);
  }
  replayDeadLetters(queue: string, limit?: number): Promise<number> {
    return this.inner.replayDeadLetters(queue, limit);
  }

  purgeDeadLetters(queue: string): Promise<number> {
    return this.inner.purgeDeadLetters(queue);
  }


  close(): Promise<void> {
    return this.inner.close();
  }

  private count(message: WireMessage): void {
    this.messages += 1;
    this.bytes += encodedBytes(message);
  }
}
