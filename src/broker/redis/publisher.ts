/**
 * Batched publishing: every message published in the same event-loop turn (single `publish`
 * calls and `publishBatch` calls alike) goes out in one pipeline, with one multi-value LPUSH per
 * destination list (in publish order, so FIFO is kept) and one ZADD for delayed messages. The
 * pipeline is retried through reconnects until the operation deadline; each caller's promise
 * settles with its batch. Messages for a list that one of this broker's own consumers reads while
 * it has free slots are pushed and claimed by that consumer in one script instead (see
 * `lua/push.lua`).
 * @module
 */
import type { ChainableCommander } from 'ioredis';
import type { BrokerCore } from './core.js';
import { retryUntil } from '../../redis/connection.js';
import { delayedMember } from './delivery.js';
import { sharedBatch, type SharedBatch } from './shared-batch.js';

/** A message ready to push. */
export interface OutgoingMessage {
  readonly queue: string;
  /** The list it goes to (its priority bucket). */
  readonly destination: string;
  /** The envelope JSON. */
  readonly raw: string;
  /** Epoch ms when it is parked until later, otherwise undefined. */
  readonly deliverAt: number | undefined;
}

/** A local consumer that can take messages for a list as they are pushed. */
export interface Claimer {
  pushAndClaim(list: string, raws: readonly string[]): Promise<void>;
}

/**
 * Messages in one pipeline before it is written at once rather than at the end of the turn: a
 * producer sending thousands of tasks in one synchronous loop then hands the first ones to Redis
 * (and so to workers) while it is still building the rest, instead of after the last one.
 */
export const FLUSH_AT_MESSAGES = 128;

/**
 * Coalesces publishes into pipelines. Senders of one pipeline share one promise, so a producer with
 * thousands of sends in flight keeps one small record per message until Redis answers, not a
 * promise and its callbacks each.
 */
export class PublishBatcher {
  private pending: SharedBatch<OutgoingMessage> | undefined;
  private scheduled = false;

  constructor(
    private readonly core: BrokerCore,
    /** A local consumer of `list` with a free slot, if there is one. */
    private readonly claimerFor: (list: string) => Claimer | undefined = () => undefined,
  ) {}

  /** Push `messages`; resolves once Redis accepted them (all in one pipeline with concurrent publishes). */
  send(messages: readonly OutgoingMessage[]): Promise<void> {
    const batch = (this.pending ??= sharedBatch<OutgoingMessage>());
    for (const message of messages) batch.items.push(message);
    if (batch.items.length >= FLUSH_AT_MESSAGES) void this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      // After the current run of promise callbacks (what ioredis auto-pipelining waits for), not a
      // whole event-loop turn: a chain step is on the critical path of the next hop.
      process.nextTick(() => {
        this.scheduled = false;
        void this.flush();
      });
    }
    return batch.done;
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    if (!batch) return;
    this.pending = undefined;
    try {
      await retryUntil(this.core.deadline(), 'publish', () => this.push(batch.items));
      batch.resolve();
    } catch (error) {
      batch.reject(error as Error);
    }
  }

  private async push(messages: readonly OutgoingMessage[]): Promise<void> {
    const byList = new Map<string, string[]>();
    const parked: Array<string | number> = [];
    for (const message of messages) {
      if (message.deliverAt !== undefined) {
        parked.push(message.deliverAt, delayedMember(message.raw, message.destination));
        continue;
      }
      let list = byList.get(message.destination);
      if (!list) byList.set(message.destination, (list = []));
      list.push(message.raw);
    }
    const claims: Array<Promise<void>> = [];
    let pipeline: ChainableCommander | undefined;
    for (const [list, raws] of byList) {
      const claimer = this.claimerFor(list);
      if (claimer) claims.push(claimer.pushAndClaim(list, raws));
      else (pipeline ??= this.core.client().pipeline()).lpush(list, ...raws);
    }
    if (parked.length > 0) (pipeline ??= this.core.client().pipeline()).zadd(this.core.keys.delayed, ...parked);
    const [results] = await Promise.all([pipeline?.exec(), ...claims]);
    const failed = (results ?? []).find(([error]) => error);
    if (failed?.[0]) throw failed[0];
  }
}
