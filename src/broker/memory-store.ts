/**
 * The shared bookkeeping behind every {@link MemoryBroker} handle of one name: per-queue priority
 * buckets, delayed messages, dead letters. Knows nothing about consumers.
 * @module
 */
import type { DeadLetter, WireMessage } from './broker.js';
import { Fifo } from './fifo.js';
import { setLongTimeout, type LongTimer } from '../timers.js';

/** A message sitting in (or taken from) a memory queue. */
export interface QueuedEntry {
  readonly queue: string;
  readonly message: WireMessage;
  readonly priority: number;
  redelivered: boolean;
  /** Epoch ms after which the message is dropped to dead letters as expired. */
  readonly expiresAt: number | undefined;
}

const PRIORITY_LEVELS = 10;
/** Dead letters kept per queue (the oldest are dropped beyond it). */
const MAX_DEAD_LETTERS = 10_000;

/** A FIFO queue with 10 priority buckets, highest served first. */
class PriorityBuckets {
  private readonly buckets: Array<Fifo<QueuedEntry>> = Array.from({ length: PRIORITY_LEVELS }, () => new Fifo<QueuedEntry>());
  size = 0;

  push(entry: QueuedEntry, front: boolean): void {
    const bucket = this.buckets[clampPriority(entry.priority)]!;
    if (front) bucket.unshift([entry]);
    else bucket.push(entry);
    this.size += 1;
  }

  shift(): QueuedEntry | undefined {
    for (let level = PRIORITY_LEVELS - 1; level >= 0; level -= 1) {
      const bucket = this.buckets[level]!;
      if (bucket.length > 0) {
        this.size -= 1;
        return bucket.shift();
      }
    }
    return undefined;
  }

  clear(): number {
    const removed = this.size;
    for (const bucket of this.buckets) bucket.clear();
    this.size = 0;
    return removed;
  }
}

function clampPriority(priority: number): number {
  if (!Number.isFinite(priority)) return 0;
  return Math.min(PRIORITY_LEVELS - 1, Math.max(0, Math.trunc(priority)));
}

function expiryOf(message: WireMessage, now: number): number | undefined {
  const expiration = message.properties['expiration'];
  if (expiration === undefined || expiration === null || expiration === '') return undefined;
  const ms = Number(expiration);
  return Number.isFinite(ms) ? now + ms : undefined;
}

/** Queues, delayed messages and dead letters of one memory broker name. */
export class MemoryQueueStore {
  private readonly queues = new Map<string, PriorityBuckets>();
  private readonly dead = new Map<string, Array<DeadLetter & { entry: QueuedEntry }>>();
  private readonly listeners = new Set<() => void>();
  /** Parked (delayed) messages per queue, until due: `purge` clears them too. */
  private readonly parked = new Map<string, Set<LongTimer>>();

  /** Call `listener` whenever a message becomes available. Returns an unsubscribe function. */
  onAvailable(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  enqueue(queue: string, message: WireMessage, priority: number, deliverAt: number | undefined, redelivered: boolean): void {
    const now = Date.now();
    const entry: QueuedEntry = { queue, message, priority, redelivered, expiresAt: expiryOf(message, now) };
    if (deliverAt !== undefined && deliverAt > now) {
      const timers = this.parked.get(queue) ?? new Set<LongTimer>();
      this.parked.set(queue, timers);
      const timer = setLongTimeout(
        () => {
          timers.delete(timer);
          this.push(entry, false);
        },
        deliverAt - now,
        { unref: true },
      );
      timers.add(timer);
      return;
    }
    this.push(entry, false);
  }

  /** Put a message back at the end of its queue, marked redelivered (reject with requeue). */
  requeue(entry: QueuedEntry): void {
    entry.redelivered = true;
    this.push(entry, false);
  }

  /** Put an unsettled message back at the front of its queue (consumer went away). */
  restore(entry: QueuedEntry): void {
    entry.redelivered = true;
    this.push(entry, true);
  }

  deadLetter(entry: QueuedEntry, reason: string): void {
    const list = this.dead.get(entry.queue) ?? [];
    list.push({ queue: entry.queue, reason, raw: Buffer.from(entry.message.body).toString('utf8'), entry });
    if (list.length > MAX_DEAD_LETTERS) list.shift(); // bounded, like the Redis lists
    this.dead.set(entry.queue, list);
  }

  /** Take the next live message from the first of `queues` that has one. */
  take(queues: readonly string[]): QueuedEntry | undefined {
    const now = Date.now();
    for (const name of queues) {
      const buckets = this.queues.get(name);
      let entry = buckets?.shift();
      while (entry && entry.expiresAt !== undefined && entry.expiresAt <= now) {
        this.deadLetter(entry, 'expired');
        entry = buckets?.shift();
      }
      if (entry) return entry;
    }
    return undefined;
  }

  length(queue: string): number {
    return this.queues.get(queue)?.size ?? 0;
  }

  /** Remove the waiting and the parked (delayed) messages of `queue`; returns how many. */
  purge(queue: string): number {
    const timers = this.parked.get(queue);
    for (const timer of timers ?? []) timer.clear();
    this.parked.delete(queue);
    return (this.queues.get(queue)?.clear() ?? 0) + (timers?.size ?? 0);
  }

  deadLetters(queue: string): DeadLetter[] {
    return (this.dead.get(queue) ?? []).map(({ queue: origin, reason, raw }) => ({ queue: origin, reason, raw }));
  }

  /** Put up to `limit` dead letters back on their queue, oldest first (marked redelivered). */
  replayDead(queue: string, limit = Number.POSITIVE_INFINITY): number {
    const list = this.dead.get(queue) ?? [];
    const taken = list.splice(0, Math.min(list.length, limit));
    for (const { entry } of taken) this.requeue({ ...entry, expiresAt: undefined });
    return taken.length;
  }

  /** Drop every dead letter of `queue`; returns how many. */
  purgeDead(queue: string): number {
    const count = this.dead.get(queue)?.length ?? 0;
    this.dead.delete(queue);
    return count;
  }

  private push(entry: QueuedEntry, front: boolean): void {
    let buckets = this.queues.get(entry.queue);
    if (!buckets) {
      buckets = new PriorityBuckets();
      this.queues.set(entry.queue, buckets);
    }
    buckets.push(entry, front);
    for (const listener of this.listeners) listener();
  }
}
