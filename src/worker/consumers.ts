/**
 * The worker's consumers: one for the queues it started with (served in their order), plus one per
 * queue added at run time (`celery control add_consumer`), each cancellable on its own.
 * @module
 */
import type { Broker, ConsumeOptions, Consumer } from '../broker/broker.js';

/** The consumers of one worker. */
export class ConsumerSet {
  private initial: { queues: string[]; consumer: Consumer } | undefined;
  private readonly added = new Map<string, Consumer>();

  constructor(
    private readonly broker: Broker,
    private readonly options: () => ConsumeOptions,
  ) {}

  /** Start consuming the initial queues. */
  async start(queues: string[]): Promise<void> {
    this.initial = { queues: [...queues], consumer: await this.broker.consume(queues, this.options()) };
  }

  /** Every queue consumed now. */
  queues(): string[] {
    return [...(this.initial?.queues ?? []), ...this.added.keys()];
  }

  /** Consume `queue` too; Celery's reply text. */
  async add(queue: string): Promise<string> {
    if (this.queues().includes(queue)) return `already consuming from '${queue}'`;
    this.added.set(queue, await this.broker.consume([queue], this.options()));
    return `add consumer ${queue}`;
  }

  /** Stop consuming `queue` (a queue started with the worker only when it was the only one). */
  async cancel(queue: string): Promise<{ ok: boolean; message: string }> {
    const added = this.added.get(queue);
    if (added) {
      this.added.delete(queue);
      await added.cancel();
      return { ok: true, message: `no longer consuming from ${queue}` };
    }
    const initial = this.initial;
    if (!initial?.queues.includes(queue)) return { ok: false, message: `not consuming from ${queue}` };
    if (initial.queues.length > 1) return { ok: false, message: `${queue} is consumed together with ${initial.queues.filter((q) => q !== queue).join(', ')}; restart the worker without it` };
    this.initial = undefined;
    await initial.consumer.cancel();
    return { ok: true, message: `no longer consuming from ${queue}` };
  }

  /** Cancel every consumer. */
  async cancelAll(): Promise<void> {
    const consumers = [...(this.initial ? [this.initial.consumer] : []), ...this.added.values()];
    this.initial = undefined;
    this.added.clear();
    await Promise.all(consumers.map((consumer) => consumer.cancel()));
  }
}
