/**
 * A Redis delivery: a popped message owned by this broker until it is settled once, by ack
 * (kombu's HDEL + ZREM, batched), requeue (LPUSH back, marked redelivered), dead-letter (moved to
 * `<queue>.celeriac.dead` with the reason) or defer (parked in the delayed zset). Every move is
 * one atomic script that only acts while the delivery is still owned (see `lua/settle.lua`).
 * @module
 */
import type { Delivery, WireMessage } from '../broker.js';
import type { BrokerCore } from './core.js';
import { markRedelivered } from './envelope.js';
import type { HeldDelivery } from './leases.js';

/** The JSON record stored in a dead-letter list. */
export interface DeadLetterRecord {
  reason: string;
  queue: string;
  /** When it was dead-lettered (ISO-8601 UTC). */
  at: string;
  /** The raw envelope as it was in the queue, cut to `deadLetterMaxBytes` when `truncated`. */
  raw: string;
  /** Present (true) when `raw` was cut; such a record can be shown but not replayed. */
  truncated?: boolean;
  /** With `truncated`: the size of the whole raw envelope, in UTF-8 bytes. */
  length?: number;
}

/** Build a dead-letter list entry; a raw envelope longer than `maxBytes` (UTF-8) is cut (and marked). */
export function deadLetterRecord(queue: string, reason: string, raw: string, maxBytes = Number.POSITIVE_INFINITY): string {
  const at = new Date().toISOString();
  const cutReason = reason.length > 2_000 ? `${reason.slice(0, 2_000)}…` : reason;
  const bytes = Buffer.byteLength(raw);
  const record: DeadLetterRecord =
    bytes > maxBytes
      ? { reason: cutReason, queue, at, raw: Buffer.from(raw).subarray(0, maxBytes).toString('utf8'), truncated: true, length: bytes }
      : { reason: cutReason, queue, at, raw };
  return JSON.stringify(record);
}

/** The delayed-zset member for an envelope due on `destination` (see `lua/promote.lua`). */
export function delayedMember(raw: string, destination: string): string {
  return `${raw}\0${destination}`;
}

/** Move a held delivery to its queue's dead-letter list with `reason` (also used for malformed entries). */
export function deadLetterHeld(core: BrokerCore, held: HeldDelivery, reason: string): Promise<boolean> {
  const { deadLetterMaxBytes, deadLetterMaxCount } = core.options;
  const record = deadLetterRecord(held.queue, reason, held.raw, deadLetterMaxBytes);
  return core.settle(held.tag, 'rpush', core.keys.deadLetters(held.queue), record, 0, deadLetterMaxCount);
}

/**
 * Create the {@link Delivery} for a held message. `onSettled` runs once, after the first
 * settlement attempt finished (successfully or not), to free the consumer's prefetch slot.
 */
export function createDelivery(
  core: BrokerCore,
  held: HeldDelivery,
  message: WireMessage,
  redelivered: boolean,
  onSettled: () => void,
  onParked: (deliverAt: number) => void,
): Delivery {
  let settled = false;
  // Not async: one promise per settlement (an ack is on every task's path).
  const settleOnce = (effect: () => Promise<unknown>): Promise<void> => {
    if (settled) return Promise.resolve();
    settled = true;
    core.leases.delete(held.tag);
    let pending: Promise<unknown>;
    try {
      pending = effect();
    } catch (error) {
      onSettled();
      return Promise.reject(error as Error);
    }
    return pending.then(
      () => onSettled(),
      (error: unknown) => {
        onSettled();
        throw error;
      },
    );
  };
  return {
    message,
    queue: held.queue,
    redelivered,
    ack: () => settleOnce(() => core.acks.ack(held.tag)),
    reject: ({ requeue, reason }) =>
      settleOnce(() =>
        requeue
          ? core.settle(held.tag, 'lpush', core.keys.queueList(held.queue, held.priority), markRedelivered(held.raw))
          : deadLetterHeld(core, held, reason ?? 'rejected'),
      ),
    defer: (deliverAt) =>
      settleOnce(async () => {
        const destination = core.keys.queueList(held.queue, held.priority);
        const parked = await core.settle(held.tag, 'zadd', core.keys.delayed, delayedMember(held.raw, destination), deliverAt);
        if (parked) onParked(deliverAt);
      }),
  };
}
