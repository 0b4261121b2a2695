/**
 * Low-latency "wait until a queue list is non-empty", without taking anything out of it.
 *
 * Why this scheme: messages must be popped and registered as unacknowledged in one atomic Lua
 * step (pop.lua), and Lua cannot block. A destructive blocking pop (BRPOP/BLMPOP) would hold
 * the message only in client memory until it is registered; a crash there loses it. So waiting
 * and popping are separate: each watched list gets a dedicated connection blocked in
 * `BLMOVE key key RIGHT RIGHT <timeout>`. That returns as soon as the list has an element and puts
 * the element straight back where it was (same list, same end), so nothing moves and nothing can
 * be lost. The consumer then runs pop.lua. Redis serves blocked clients in order, and an element
 * moved by BLMOVE wakes the next blocked client (a Python BRPOP, say) as if it were new, so sharing
 * a queue with kombu consumers is safe.
 *
 * BLMOVE watches one key, so a consumer of Q queues with S priority steps uses Q×S waiting
 * connections (shared by every consumer of the same broker; set `prioritySteps: [0]` when
 * priorities are not used). A wait that starts while the list is already non-empty returns at
 * once, so a wake-up is never lost between a pop that found the list empty and the wait.
 * @module
 */
import type { Redis } from 'ioredis';
import { createRedisClient, sleep } from '../../redis/connection.js';
import type { ConnectionOptions } from 'node:tls';

/** One watched key: its blocking connection, refcount and the listeners of the current round. */
class KeyWatch {
  refs = 0;
  private readonly listeners = new Set<() => void>();
  private looping = false;
  private closed = false;
  private client: Redis | undefined;

  constructor(
    private readonly key: string,
    private readonly makeClient: () => Redis,
    private readonly blockSeconds: number,
    private readonly onError: (error: Error) => void,
  ) {}

  /** Call `listener` once, when the key is (or becomes) non-empty. Returns a remover. */
  listen(listener: () => void): () => void {
    this.listeners.add(listener);
    if (!this.looping) void this.loop();
    return () => this.listeners.delete(listener);
  }

  private async loop(): Promise<void> {
    this.looping = true;
    try {
      while (!this.closed && this.listeners.size > 0) {
        this.client ??= this.makeClient();
        let found = false;
        try {
          found = (await this.client.blmove(this.key, this.key, 'RIGHT', 'RIGHT', this.blockSeconds)) !== null;
        } catch (error) {
          if (this.closed) break;
          this.onError(error as Error);
          await sleep(100);
          continue;
        }
        if (found) this.notify();
      }
    } finally {
      this.looping = false;
    }
  }

  private notify(): void {
    const current = [...this.listeners];
    this.listeners.clear();
    for (const listener of current) listener();
  }

  /** Stop watching. The socket is dropped, not QUIT: a QUIT would queue behind the blocked BLMOVE. */
  close(): void {
    this.closed = true;
    this.notify();
    this.client?.disconnect();
  }
}

/** Shared watchers of queue lists, one blocking connection per key while any consumer uses it. */
export class ListWatcher {
  private readonly watches = new Map<string, KeyWatch>();

  constructor(
    private readonly url: string,
    private readonly connectionName: string,
    private readonly blockTimeoutMs: number,
    private readonly onError: (error: Error) => void,
    private readonly tls?: ConnectionOptions,
  ) {}

  /** Start sharing the watchers of `keys` (connections open on first wait). */
  acquire(keys: readonly string[]): void {
    for (const key of keys) {
      let watch = this.watches.get(key);
      if (!watch) {
        watch = new KeyWatch(
          key,
          () => createRedisClient(this.url, this.connectionName, 'wait', this.onError, this.tls),
          Math.max(0.01, this.blockTimeoutMs / 1000),
          this.onError,
        );
        this.watches.set(key, watch);
      }
      watch.refs += 1;
    }
  }

  /** Stop using the watchers of `keys`; the last user closes a watcher's connection. */
  async release(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      const watch = this.watches.get(key);
      if (!watch) continue;
      watch.refs -= 1;
      if (watch.refs <= 0) {
        this.watches.delete(key);
        watch.close();
      }
    }
  }

  /**
   * Resolve when any of `keys` is non-empty, when `signal` aborts, or after `timeoutMs`, whichever
   * comes first. Keys must have been acquired.
   */
  waitForAny(keys: readonly string[], timeoutMs: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const removers: Array<() => void> = [];
      let timer: NodeJS.Timeout | undefined;
      const finish = (): void => {
        for (const remove of removers) remove();
        if (timer) clearTimeout(timer);
        signal.removeEventListener('abort', finish);
        resolve();
      };
      if (signal.aborted) return resolve();
      signal.addEventListener('abort', finish, { once: true });
      timer = setTimeout(finish, timeoutMs);
      for (const key of keys) {
        const watch = this.watches.get(key);
        if (watch) removers.push(watch.listen(finish));
      }
    });
  }

  /** Close every watcher. */
  async close(): Promise<void> {
    const all = [...this.watches.values()];
    this.watches.clear();
    for (const watch of all) watch.close();
  }
}
