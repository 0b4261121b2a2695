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

/** The eight statuses of a trigger instance (Triggers' words). */
export type TriggerStatus = 'unstarted' | 'scheduled' | 'running' | 'finished' | 'failed' | 'replayed' | 'skipped' | 'abandoned';

/** One instance of a configured trigger in one session, as stored. */
export interface TriggerInstance {
  /** `trigger#n@session` (replays add `~k` after `n`). */
  readonly id: string;
  readonly trigger: string;
  readonly session: string;
  readonly status: TriggerStatus;
  /** The task it runs. */
  readonly task: string;
  /** The task id of its message, once scheduled. */
  readonly taskId: string | null;
  /** The keyword arguments it runs with (replacements for a replay). */
  readonly kwargs: Readonly<Record<string, unknown>> | null;
  readonly result: unknown;
  readonly error: { readonly type: string; readonly message: string; readonly traceback: string | null } | null;
  /** The failed instance this one replays, and the replay that replaced this one. */
  readonly replayOf: string | null;
  readonly replacedBy: string | null;
  /** Epoch ms. */
  readonly created: number;
  readonly updated: number;
}

/** A session's fired triggers (kwargs of each firing, in order) and its instances. */
export interface TriggerSession {
  readonly fired: Readonly<Record<string, readonly unknown[]>>;
  readonly instances: Readonly<Record<string, TriggerInstance>>;
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
  /** Record a trigger firing in a session; returns its ordinal (1-based) among that name's firings. */
  recordFiring(session: string, name: string, kwargs: unknown, expiresSeconds: number): Promise<number>;
  /** Everything stored about a session. */
  readSession(session: string): Promise<TriggerSession>;
  /** Create an instance unless one with its id exists; true when this call created it. */
  createInstance(instance: TriggerInstance, expiresSeconds: number): Promise<boolean>;
  /** Replace an instance with `next` if its status is one of `from` (compare-and-set); true when it did. */
  updateInstance(next: TriggerInstance, from: readonly TriggerStatus[]): Promise<boolean>;
}
