/**
 * The visibility sweep (kombu's `restore_visible`): deliveries whose `unacked_index` score is older
 * than the visibility timeout belong to a consumer that died (live ones refresh their leases), so
 * they are put back at the front of their queue, marked redelivered.
 *
 * Like kombu, one process sweeps at a time under the `unacked_mutex` lock (`SET NX PX` with a
 * token, released with `lua/unlock.lua`: redis-py's Lock protocol, so kombu and celeriac exclude
 * each other). Each restore is a compare-and-set (`lua/restore.lua`), so a delivery acked or
 * refreshed after the scan is left alone.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { BrokerCore } from './core.js';
import { envelopePriority, markRedelivered, parseUnackedEntry } from './envelope.js';

/** Runs the visibility sweep periodically while started. */
export class VisibilitySweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(private readonly core: BrokerCore) {}

  /** Sweep every `sweepIntervalMs` (idempotent). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sweep().catch((error: Error) => this.core.options.onError(error)), this.core.options.sweepIntervalMs);
    this.timer.unref();
  }

  /** Stop sweeping; waits for a running sweep. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** Sweep once now (skipped when another process holds the lock). Returns how many were restored. */
  sweep(): Promise<number> {
    this.running ??= this.sweepLocked().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async sweepLocked(): Promise<number> {
    const { keys, options } = this.core;
    const client = this.core.client();
    const token = randomUUID();
    const lockMs = Math.round(Math.min(300_000, Math.max(1_000, options.visibilityTimeoutMs)));
    if ((await client.set(keys.unackedMutex, token, 'PX', lockMs, 'NX')) !== 'OK') return 0;
    let restored = 0;
    try {
      for (;;) {
        const reply = (await this.core.script('due', [keys.unackedIndex, keys.unacked], [
          options.visibilityTimeoutMs / 1000,
          options.batchLimit,
        ])) as Array<string | null>;
        const cutoff = reply[0] ?? '0';
        const pairs = (reply.length - 1) / 2;
        const restores: Array<Promise<number>> = [];
        for (let i = 1; i < reply.length; i += 2) restores.push(this.restoreOne(reply[i]!, reply[i + 1] ?? null, cutoff));
        for (const count of await Promise.all(restores)) restored += count;
        if (pairs < options.batchLimit) break;
      }
    } finally {
      await this.core.script('unlock', [keys.unackedMutex], [token]).catch(() => undefined);
    }
    return restored;
  }

  private async restoreOne(tag: string, value: string | null, cutoff: string): Promise<number> {
    const { keys, options } = this.core;
    const base = [keys.unacked, keys.unackedIndex];
    if (value === null) {
      await this.core.script('restore', base, [tag, '', '', cutoff]);
      return 0;
    }
    const entry = parseUnackedEntry(value);
    if (!entry) {
      options.onError(new Error(`unacked entry ${tag} is not kombu's [envelope, exchange, routing_key]; left in place`));
      return 0;
    }
    const priority = envelopePriority(entry.envelope);
    const queues = await this.resolveQueues(entry.exchange, entry.routingKey);
    const destinations = queues.map((queue) => keys.queueList(queue, priority));
    const reply = await this.core.script('restore', [...base, ...destinations], [
      tag,
      value,
      markRedelivered(entry.envelope),
      cutoff,
    ]);
    return reply === 1 ? 1 : 0;
  }

  /** kombu's lookup: the default exchange routes to the queue named by the routing key. */
  private async resolveQueues(exchange: string, routingKey: string): Promise<string[]> {
    if (exchange === '') return [routingKey];
    const members = await this.core.client().smembers(this.core.keys.bindingSet(exchange));
    const queues = members
      .map((member) => this.core.keys.parseBindingMember(member))
      .filter((binding) => binding !== undefined && binding.routingKey === routingKey)
      .map((binding) => binding!.queue);
    return queues.length > 0 ? queues : [routingKey];
  }
}
