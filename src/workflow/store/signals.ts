/**
 * The store verbs behind §W6 (DESIGN.md §6): an index of waiting nodes by (event name, key) so a
 * fire costs O(matching waits), events retained per (name, key) with an expiry, and map-node item
 * counters. Each verb is atomic, so two processes firing at once hand a waiter to one of them, and
 * a wait that arms while an event is fired either sees the retained event or is seen by the fire.
 * Adapters: memory (signals-memory.ts) and Redis (signals-redis.ts).
 * @module
 */

/** A node waiting for an event: which run, which node, and the attempt (task id) that waits. */
export interface WaitEntry {
  readonly runId: string;
  readonly node: string;
  readonly taskId: string;
}

/** A fired event as retained: its data and when it was fired (epoch ms). */
export interface RetainedEvent {
  readonly data: unknown;
  readonly at: number;
}

/** What a map item's completion counted. */
export interface MapProgress {
  /** False for a repeat of an item already counted (or an item of another attempt). */
  readonly counted: boolean;
  readonly done: number;
  readonly total: number;
  /** Every item's result in item order, once all are done (also on a repeat, so a lost settle is redone). */
  readonly results?: readonly unknown[];
}

/** The signal verbs (see the module documentation). */
export interface SignalStore {
  /**
   * Arm a wait: if an event (name, key) fired at or after `since` is retained, return it and register
   * nothing; otherwise register `entry` in the index (kept `expiresSeconds`, 0: forever).
   */
  armWait(name: string, key: string, entry: WaitEntry, since: number, expiresSeconds: number): Promise<RetainedEvent | undefined>;
  /** Remove a waiter (it timed out or its run ended). */
  disarmWait(name: string, key: string, entry: WaitEntry): Promise<void>;
  /** Retain the event for `retainSeconds` (0: not retained) and take every waiter of (name, key). */
  fire(name: string, key: string, event: RetainedEvent, retainSeconds: number): Promise<WaitEntry[]>;
  /** Start counting a map attempt of `total` items (idempotent per task id). */
  mapStart(runId: string, node: string, taskId: string, total: number, expiresSeconds: number): Promise<void>;
  /** Count item `index` of a map attempt once, keeping its result. */
  mapItem(runId: string, node: string, taskId: string, index: number, result: unknown): Promise<MapProgress>;
}
