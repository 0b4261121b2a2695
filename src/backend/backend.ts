/**
 * The result backend contract, in domain verbs. Adapters (memory, Redis) own their connections and
 * no driver types leak out. Metas are Celery's (`TaskMeta`), so Python and celeriac read each other.
 * @module
 */
import type { SignatureDict } from '../protocol/message.js';
import type { ResultTuple, TaskMeta } from '../protocol/result-meta.js';

/** One chord header part as counted by {@link ResultBackend.addChordPart}. */
export interface ChordPart {
  taskId: string;
  /** The header position (`group_index`); sets the order of the body's argument. */
  index: number | null;
  state: string;
  /** The return value, or the exception dict for FAILURE/REVOKED. */
  result: unknown;
}

/** What {@link ResultBackend.addChordPart} found. */
export type ChordProgress =
  | { complete: false; counted: boolean }
  | { complete: true; parts: ChordPart[] };

/** Options of {@link ResultBackend.waitFor}. */
export interface WaitOptions {
  /** Give up after this many ms (resolve `undefined`). Omit to wait forever. */
  timeoutMs?: number;
  /** Abort the wait early. */
  signal?: AbortSignal;
}

/**
 * What {@link ResultBackend.claimAdvance} found: `claimed` (this caller sends the follow-ups),
 * `pending` (another delivery claimed them and has not confirmed yet: it is sending them, or it
 * died), `done` (they were sent).
 */
export type AdvanceClaim = 'claimed' | 'pending' | 'done';

/** The result backend contract. */
export interface ResultBackend {
  /** The URL scheme family: `memory`, `redis`. */
  readonly kind: string;
  /** Open connections. Idempotent; called lazily by every other method too. */
  connect(): Promise<void>;
  /**
   * Store a task meta (SET with expiry + PUBLISH on Redis). Never overwrites a stored SUCCESS.
   * Returns false when the write was skipped for that reason.
   */
  storeMeta(meta: TaskMeta): Promise<boolean>;
  /** Read a task meta, or `undefined` when none is stored (the task is PENDING). */
  getMeta(taskId: string): Promise<TaskMeta | undefined>;
  /** Read several metas in one round trip, in the given order. */
  getMetas(taskIds: readonly string[]): Promise<Array<TaskMeta | undefined>>;
  /**
   * Wait until the task's meta is in a ready state (SUCCESS/FAILURE/REVOKED) and return it; push-based
   * where the backend supports it (subscribes before it reads, so no result is missed). Resolves
   * `undefined` on timeout or abort.
   */
  waitFor(taskId: string, options?: WaitOptions): Promise<TaskMeta | undefined>;
  /** Delete a task meta. */
  forget(taskId: string): Promise<void>;
  /** Save a group's result tuple (`GroupResult.save()`), `celery-taskset-meta-<id>` on Redis. */
  saveGroup(groupId: string, tuple: ResultTuple): Promise<void>;
  /** Read a saved group's result tuple. */
  restoreGroup(groupId: string): Promise<ResultTuple | undefined>;
  /** Delete a saved group. */
  deleteGroup(groupId: string): Promise<void>;
  /** Record a chord's header size before its last header message is published (`.s` on Redis). */
  setChordSize(groupId: string, size: number): Promise<void>;
  /**
   * Count one finished header part, atomically and idempotently (a task id counts once however
   * often it is delivered). Returns `complete: true` with every part in header order to the part
   * that completed the chord (which claims the completion), and again only to that same task id
   * (a redelivery after its worker died before sending the body) until {@link clearChord} runs.
   * Any other part, even re-delivered, gets `complete: false`, so the body is sent once.
   */
  addChordPart(groupId: string, part: ChordPart): Promise<ChordProgress>;
  /**
   * Grow a running chord's header by `count` parts sent after the chord started (Celery's
   * `Task.add_to_chord`; INCRBY of `<taskset>.t` on Redis, which Python's chord counting reads too).
   */
  growChord(groupId: string, count: number): Promise<void>;
  /** Remove a chord's counters once its body was sent (or its failure recorded). */
  clearChord(groupId: string): Promise<void>;
  /**
   * Mark a task id revoked (persisted, so every worker sees it) and, optionally, every task of a
   * workflow by its root id. Workers check this before running a task.
   */
  revoke(ids: { taskIds?: readonly string[]; rootIds?: readonly string[] }): Promise<void>;
  /** True when the task id, or its root workflow id, was revoked. */
  isRevoked(taskId: string, rootId?: string): Promise<boolean>;
  /** {@link isRevoked} answered synchronously from a local copy, or `undefined` when only a read can tell. Optional. */
  isRevokedNow?(taskId: string, rootId?: string): boolean | undefined;
  /**
   * Store a canvas fragment (a signature dict a message refers to instead of carrying it) for the
   * result expiry. Redis: `celeriac-canvas-<id>` keys.
   */
  storeCanvas(key: string, dict: SignatureDict): Promise<void>;
  /** Read a stored canvas fragment, or `undefined` when it is gone. */
  loadCanvas(key: string): Promise<SignatureDict | undefined>;
  /**
   * Store the steps of a chain once, in execution order, each readable on its own (a chain cursor
   * hops by index; see canvas/reference.ts), for the result expiry. Redis: one hash
   * `celeriac-chain-<id>`, field = index.
   */
  storeChain(key: string, steps: readonly SignatureDict[]): Promise<void>;
  /**
   * Read `count` stored chain steps from index `from`; an entry is `undefined` when it is not
   * stored (the chain expired, or the index is past its end).
   */
  loadChainSteps(key: string, from: number, count: number): Promise<Array<SignatureDict | undefined>>;
  /**
   * Claim, atomically, the sending of a finished task's follow-ups (callbacks, next chain step,
   * errbacks), so a redelivered message does not send them again. Kept for the result expiry.
   */
  claimAdvance(taskId: string): Promise<AdvanceClaim>;
  /** Record that the follow-ups claimed with {@link claimAdvance} were sent. */
  completeAdvance(taskId: string): Promise<void>;
  /**
   * Count one worker-side failure of handling a message (`key` names the delivery: task id and
   * retry number) and return the count so far. Kept for the result expiry, so it survives
   * redeliveries and worker restarts (the worker's poison cap).
   */
  countHandlingFailure(key: string): Promise<number>;
  /** Close connections. */
  close(): Promise<void>;
}
