/**
 * One `consume()` call: a loop that fills free prefetch slots with batched atomic pops
 * (`lua/pop.lua`), hands each message to `onMessage`, dead-letters malformed entries, and, when
 * the lists are empty, waits on the shared {@link ListWatcher} until one of them is not.
 *
 * When its own broker publishes to one of its lists while it has free slots, the broker pushes
 * and claims in one call ({@link RedisConsumer.pushAndClaim}, `lua/push.lua`): a chain step sent
 * by a worker to its own queue reaches it one round trip sooner, without a wake-up.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { MessageDecodeError } from '../../errors.js';
import type { ConsumeOptions, Consumer } from '../broker.js';
import { sleep } from '../../redis/connection.js';
import type { BrokerCore } from './core.js';
import { createDelivery, deadLetterHeld } from './delivery.js';
import { parseEnvelope } from './envelope.js';
import type { HeldDelivery } from './leases.js';
import type { ListWatcher } from './watcher.js';

/** The most messages one pop script call takes (bounds the script's run time and reply size). */
const MAX_POP = 1_000;

/** Collaborators a consumer needs from its broker. */
export interface ConsumerContext {
  readonly core: BrokerCore;
  readonly watcher: ListWatcher;
  /** A message was parked until `deliverAt` (epoch ms). */
  readonly onParked: (deliverAt: number) => void;
}

/** A running consumer of some queues. */
export class RedisConsumer implements Consumer {
  private inFlight = 0;
  /** Slots promised to pops whose reply has not come back yet. */
  private reserved = 0;
  private active = true;
  private readonly stopSignal = new AbortController();
  private slotFreed: (() => void) | undefined;
  private readonly lists: Array<{ key: string; queue: string }>;
  private readonly listKeys: string[];
  private readonly routingKeys: string[];
  private loop: Promise<void> | undefined;

  constructor(
    private readonly context: ConsumerContext,
    queues: readonly string[],
    private readonly options: ConsumeOptions,
    private readonly onCancelled: (consumer: RedisConsumer) => void,
  ) {
    this.lists = context.core.keys.serviceOrder(queues);
    this.listKeys = this.lists.map((list) => list.key);
    this.routingKeys = this.lists.map((list) => JSON.stringify(list.queue));
  }

  /** Start the fetch loop. */
  start(): void {
    this.context.watcher.acquire(this.listKeys);
    this.loop = this.run();
  }

  async cancel(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    this.stopSignal.abort();
    this.slotFreed?.();
    await this.loop;
    await this.context.watcher.release(this.listKeys);
    this.onCancelled(this);
  }

  /** True when this consumer reads `list` and has a free prefetch slot. */
  canClaim(list: string): boolean {
    return this.active && this.freeSlots() > 0 && this.listKeys.includes(list);
  }

  /**
   * Push `raws` onto `list` (one of this consumer's lists) and pop for this consumer's free slots
   * in the same atomic script; the popped messages are delivered as usual. Resolves once Redis
   * ran it.
   */
  async pushAndClaim(list: string, raws: readonly string[]): Promise<void> {
    const position = this.listKeys.indexOf(list) + 1;
    if (position === 0) throw new Error(`pushAndClaim: ${list} is not read by this consumer`);
    const args: Array<string | number> = [0, randomUUID(), ...this.routingKeys];
    for (const raw of raws) args.push(position, raw);
    await this.reservingSlots((free) => {
      args[0] = free;
      return this.context.core.script('pushPop', this.popKeys(), args);
    });
  }

  private freeSlots(): number {
    return Math.min(MAX_POP, this.options.prefetch - this.inFlight - this.reserved);
  }

  private popKeys(): string[] {
    const { keys } = this.context.core;
    return [keys.unacked, keys.unackedIndex, ...this.listKeys];
  }

  /**
   * Run a pop for the free slots and deliver what it returned, holding the slots until the
   * deliveries count as in flight, so a concurrent pop cannot take them too. Returns how many came.
   */
  private async reservingSlots(pop: (free: number) => Promise<unknown>): Promise<number> {
    const free = Math.max(0, this.freeSlots());
    this.reserved += free;
    try {
      const reply = (await pop(free)) as unknown[];
      this.deliver(reply);
      return reply.length / 3;
    } finally {
      this.reserved -= free;
      this.slotFreed?.();
    }
  }

  /** Hand a pop reply's messages to `onMessage` (three items per message, see `lua/pop.lua`). */
  private deliver(reply: unknown[]): void {
    for (let i = 0; i < reply.length; i += 3) {
      const list = this.lists[Number(reply[i]) - 1];
      if (list) this.handle(list.queue, String(reply[i + 1]), String(reply[i + 2]));
    }
  }

  private async run(): Promise<void> {
    const { core, watcher } = this.context;
    let failures = 0;
    while (this.active) {
      const free = this.freeSlots();
      if (free <= 0) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
        this.slotFreed = undefined;
        continue;
      }
      let popped: number;
      try {
        popped = await this.reservingSlots((slots) => core.script('pop', this.popKeys(), [slots, randomUUID(), ...this.routingKeys]));
        failures = 0;
      } catch (error) {
        if (!this.active) break;
        core.options.onError(error as Error);
        failures += 1;
        await sleep(Math.min(1_000, 25 * 2 ** Math.min(failures, 6)));
        continue;
      }
      if (popped < free && this.active) {
        await watcher.waitForAny(this.listKeys, core.options.blockTimeoutMs, this.stopSignal.signal);
      }
    }
  }

  private handle(queue: string, tag: string, raw: string): void {
    const { core } = this.context;
    let parsed;
    try {
      parsed = parseEnvelope(raw, core.options.maxHeaderDepth);
    } catch (error) {
      this.dropMalformed({ tag, queue, raw, priority: 0 }, error as Error);
      return;
    }
    const held: HeldDelivery = { tag, queue, raw, priority: parsed.priority };
    if (parsed.expiresAt !== undefined && parsed.expiresAt <= Date.now()) {
      deadLetterHeld(core, held, 'expired').catch((failure: Error) => core.options.onError(failure));
      return;
    }
    core.leases.add(held);
    this.inFlight += 1;
    const delivery = createDelivery(
      core,
      held,
      parsed.message,
      parsed.redelivered,
      () => this.release(),
      (deliverAt) => this.context.onParked(deliverAt),
    );
    try {
      this.options.onMessage(delivery);
    } catch (error) {
      core.options.onError(error as Error);
    }
  }

  private dropMalformed(held: HeldDelivery, error: Error): void {
    const reason = error instanceof MessageDecodeError ? `${error.reason}: ${error.message}` : error.message;
    const { core } = this.context;
    deadLetterHeld(core, held, `malformed: ${reason}`).catch((failure: Error) => core.options.onError(failure));
    try {
      this.options.onMalformed?.({ queue: held.queue, reason, error });
    } catch (callbackError) {
      core.options.onError(callbackError as Error);
    }
  }

  private release(): void {
    this.inFlight -= 1;
    this.slotFreed?.();
  }
}
