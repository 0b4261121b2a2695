/**
 * Every pending `waitFor` of a backend, kept lean enough for tens of thousands at once (a producer
 * that sends 10,000 tasks and waits for each result).
 *
 * One entry per awaited task (however many callers wait on it), keyed by its meta channel. New
 * waits made in the same tick are subscribed with one SUBSCRIBE and, once Redis confirmed it, read
 * with one MGET: a meta stored before the subscription is found by the read, one stored after by
 * the PUBLISH, so no result is missed. A ready meta settles the entry and its channel is released
 * (batched UNSUBSCRIBE). After the subscriber reconnects, every pending entry is read again (a
 * PUBLISH may have been missed while it was down).
 *
 * Many waits at once (a producer waiting on thousands of results) switch to one pattern
 * subscription on every meta channel (`<prefix>celery-task-meta-*`) instead of a SUBSCRIBE and an
 * UNSUBSCRIBE per task: the pattern is confirmed before the batch's MGET, so the same no-miss rule
 * holds, and it is dropped a moment after the last wait it covers ends. While it is up, this
 * connection also hears results nobody here waits for (cheap to ignore; Redis pub/sub spans
 * databases, so on a shared server that is every app's results): set `patternWaitThreshold` to
 * `Infinity` to always subscribe per task.
 *
 * A wait costs one small object, plus a timer only when it has a timeout and an abort listener
 * only when it has a signal (the per-wait promise chains, controllers and listener sets this
 * replaces kept about 8 kB alive per wait and made the producer spend a third of its time in GC).
 * @module
 */
import { TransportError } from '../../errors.js';
import type { TaskMeta } from '../../protocol/result-meta.js';
import { isReady } from '../../states.js';
import type { WaitOptions } from '../backend.js';
import type { SubscriberHub } from './subscriber.js';
import { MAX_TIMER_MS, setLongTimeout, type LongTimer } from '../../timers.js';

/** One caller waiting. */
interface Waiter {
  readonly resolve: (meta: TaskMeta | undefined) => void;
  readonly reject: (error: Error) => void;
  /** A plain timer for timeouts one `setTimeout` can hold (the common case), a long one otherwise. */
  timer?: NodeJS.Timeout | LongTimer;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** Everyone waiting on one task. */
interface Entry {
  readonly taskId: string;
  readonly channel: string;
  readonly waiters: Waiter[];
  /** When the first waiter came (epoch ms), to give up subscribing after the operation deadline. */
  readonly since: number;
  /** How PUBLISHes reach it: not yet, its own channel, or the bulk pattern. */
  cover: 'none' | 'channel' | 'pattern';
}

/** What the registry needs from its backend. */
export interface MetaWaitersContext {
  readonly hub: SubscriberHub;
  /** The meta key (and channel) of a task. */
  readonly channelOf: (taskId: string) => string;
  /** Read several metas at once (retried through reconnects by the backend). */
  readonly readMany: (taskIds: readonly string[]) => Promise<Array<TaskMeta | undefined>>;
  /** Decode a published meta. */
  readonly decode: (payload: Buffer, taskId: string) => TaskMeta;
  /** Give up subscribing (reject the waits) after this long without Redis. */
  readonly operationTimeoutMs: number;
  /** The pattern matching every meta channel (see the module documentation). */
  readonly pattern: string;
  /** Pending waits from which the pattern is used instead of per-task channels (`Infinity`: never). */
  readonly patternThreshold: number;
  readonly onError: (error: Error) => void;
}

/** The most keys read by one MGET. */
const READ_CHUNK = 2_000;

/** The pattern is dropped this long after the last wait it covered ended. */
const PATTERN_LINGER_MS = 2_000;

/** After a failed read (Redis unreachable past the operation deadline), read again this much later. */
const REREAD_DELAY_MS = 1_000;

/** The registry of pending waits; see the module documentation. */
export class MetaWaiters {
  private readonly entries = new Map<string, Entry>();
  private queued: Entry[] = [];
  private flushScheduled = false;
  /** Removes the reconnect listener; unset until the first wait (the hub forgets listeners on close). */
  private stopReconnect: (() => void) | undefined;

  constructor(private readonly context: MetaWaitersContext) {
    context.hub.onBulkMessage((channel, payload) => this.onPush(channel, payload));
  }

  /** Resolve with the first ready meta of `taskId`; `undefined` on timeout, abort or close. */
  wait(taskId: string, options: WaitOptions = {}): Promise<TaskMeta | undefined> {
    const { signal, timeoutMs } = options;
    if (signal?.aborted) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const channel = this.context.channelOf(taskId);
      let entry = this.entries.get(channel);
      if (!entry) {
        entry = { taskId, channel, waiters: [], since: Date.now(), cover: 'none' };
        this.entries.set(channel, entry);
        this.queue(entry);
      }
      const waiter: Waiter = { resolve, reject };
      entry.waiters.push(waiter);
      const owner = entry;
      if (timeoutMs !== undefined) {
        const expire = (): void => this.drop(owner, waiter);
        waiter.timer = timeoutMs <= MAX_TIMER_MS ? setTimeout(expire, Math.max(0, timeoutMs)) : setLongTimeout(expire, timeoutMs);
      }
      if (signal) {
        waiter.signal = signal;
        waiter.onAbort = () => this.drop(owner, waiter);
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
    });
  }

  /** Resolve every pending wait with `undefined` and forget them (the backend is closing). */
  close(): void {
    const all = [...this.entries.values()];
    this.entries.clear();
    this.queued = [];
    this.stopReconnect?.();
    this.stopReconnect = undefined;
    for (const entry of all) for (const waiter of entry.waiters) finish(waiter, undefined);
  }

  private queue(entry: Entry): void {
    this.stopReconnect ??= this.context.hub.onReconnect(() => void this.readAll());
    this.queued.push(entry);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => void this.flush());
  }

  /** Subscribe the queued entries' channels in one command, then read their metas. */
  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const batch = this.queued.filter((entry) => this.entries.get(entry.channel) === entry);
    this.queued = [];
    if (batch.length === 0) return;
    const { hub } = this.context;
    const viaPattern = hub.patternActive || this.entries.size >= this.context.patternThreshold;
    try {
      for (const entry of batch) entry.cover = viaPattern ? 'pattern' : 'channel';
      if (viaPattern) await hub.acquirePattern(this.context.pattern, batch.length);
      else await hub.subscribeMany(batch.map((entry) => entry.channel));
    } catch (error) {
      for (const entry of batch) this.uncover(entry);
      this.retryLater(batch, error as Error);
      return;
    }
    await this.read(batch);
  }

  /** A subscription failed: try again shortly, or fail waits that are past the operation deadline. */
  private retryLater(batch: Entry[], error: Error): void {
    const deadline = Date.now() - this.context.operationTimeoutMs;
    const failure = new TransportError(`subscribe failed: ${error.message}`);
    const again: Entry[] = [];
    for (const entry of batch) {
      if (this.entries.get(entry.channel) !== entry) continue;
      if (entry.since <= deadline) this.settle(entry, (waiter) => waiter.reject(failure));
      else again.push(entry);
    }
    if (again.length === 0) return;
    setTimeout(() => {
      for (const entry of again) if (this.entries.get(entry.channel) === entry) this.queue(entry);
    }, 100);
  }

  private async read(entries: Entry[]): Promise<void> {
    for (let start = 0; start < entries.length; start += READ_CHUNK) {
      const chunk = entries.slice(start, start + READ_CHUNK);
      try {
        const metas = await this.context.readMany(chunk.map((entry) => entry.taskId));
        chunk.forEach((entry, index) => this.offer(entry, metas[index]));
      } catch (error) {
        // The subscription stands, so a later PUBLISH still wakes them; a meta stored before it is
        // only found by reading, so read again while they are pending.
        this.context.onError(error as Error);
        const again = setTimeout(() => void this.read(chunk.filter((entry) => this.entries.get(entry.channel) === entry)), REREAD_DELAY_MS);
        again.unref();
      }
    }
  }

  private readAll(): Promise<void> {
    return this.read([...this.entries.values()]);
  }

  private onPush(channel: string, payload: Buffer): void {
    const entry = this.entries.get(channel);
    if (!entry) return;
    try {
      this.offer(entry, this.context.decode(payload, entry.taskId));
    } catch (error) {
      this.context.onError(error as Error);
    }
  }

  private offer(entry: Entry, meta: TaskMeta | undefined): void {
    if (!meta || !isReady(meta.status) || this.entries.get(entry.channel) !== entry) return;
    this.settle(entry, (waiter) => finish(waiter, meta));
  }

  /** Remove `entry`, release its channel, and end each waiter with `end`. */
  private settle(entry: Entry, end: (waiter: Waiter) => void): void {
    this.release(entry);
    for (const waiter of entry.waiters) {
      clear(waiter);
      end(waiter);
    }
  }

  /** One waiter gave up (timeout or abort); the entry goes when it was the last. */
  private drop(entry: Entry, waiter: Waiter): void {
    const index = entry.waiters.indexOf(waiter);
    if (index < 0) return;
    entry.waiters.splice(index, 1);
    finish(waiter, undefined);
    if (entry.waiters.length === 0 && this.entries.get(entry.channel) === entry) this.release(entry);
  }

  /** Forget `entry` and give its channel (or its share of the pattern) back. */
  private release(entry: Entry): void {
    this.entries.delete(entry.channel);
    this.uncover(entry);
  }

  private uncover(entry: Entry): void {
    if (entry.cover === 'channel') this.context.hub.unsubscribeMany([entry.channel]);
    else if (entry.cover === 'pattern') this.context.hub.releasePattern(1, PATTERN_LINGER_MS);
    entry.cover = 'none';
  }
}

function clear(waiter: Waiter): void {
  const timer = waiter.timer;
  if (timer === undefined) return clearListener(waiter);
  if ('clear' in timer) timer.clear();
  else clearTimeout(timer);
  clearListener(waiter);
}

function clearListener(waiter: Waiter): void {
  if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
}

function finish(waiter: Waiter, meta: TaskMeta | undefined): void {
  clear(waiter);
  waiter.resolve(meta);
}
