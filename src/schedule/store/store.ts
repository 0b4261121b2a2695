/**
 * The schedule store contract: schedules, their cursors (the newest due time claimed) and the
 * record of their fires, shared by every beat process. `claim` is the one exactly-once point: for a
 * schedule and a due time, it succeeds for one caller only, across every process. A claim carries a
 * lease; a beat that died before it settled its fire is covered by another through `reclaim`.
 * Adapters: memory and Redis; one conformance suite (test/conformance/schedule-store.suite.ts) runs
 * on both.
 * @module
 */
import type { FireRecord, ScheduleEntry, StoredSchedule } from '../types.js';

/** A claim request for one due time. */
export interface ClaimRequest {
  readonly scheduleId: string;
  /** Epoch ms. Claimed only when newer than the schedule's cursor. */
  readonly due: number;
  readonly beat: string;
  /** Epoch ms. */
  readonly at: number;
  /** Epoch ms: until then no other beat may take the fire over. */
  readonly leaseUntil: number;
  /** Earlier due times skipped by the catch-up policy (recorded with the fire). */
  readonly missed: number;
  /** Keep this many fire records of the schedule (its `history`). */
  readonly history: number;
}

/** What a claim got. */
export interface ClaimResult {
  /** True for the one caller that owns this due time. */
  readonly claimed: boolean;
  /** The schedule's cursor after the call (-1 when the schedule does not exist). */
  readonly cursor: number;
}

/** How a claimed fire ended. */
export interface FireOutcome {
  readonly state: 'fired' | 'skipped' | 'failed';
  /** Epoch ms. */
  readonly at: number;
  readonly taskId?: string;
  readonly runId?: string;
  readonly reason?: string;
}

/** A claimed fire and how it ended. */
export interface SettleRequest {
  readonly scheduleId: string;
  readonly due: number;
  readonly outcome: FireOutcome;
}

/** The store contract (see the module documentation). */
export interface ScheduleStore {
  readonly kind: string;
  connect(): Promise<void>;
  close(): Promise<void>;
  /**
   * Insert or replace a schedule. Its cursor is set to `cursor` only when the schedule is new (a
   * replaced schedule keeps its cursor and fire records). Returns true when it was new.
   */
  put(entry: ScheduleEntry, cursor: number): Promise<boolean>;
  /** Delete a schedule, its cursor and its fire records. Returns false when it did not exist. */
  remove(scheduleId: string): Promise<boolean>;
  get(scheduleId: string): Promise<StoredSchedule | undefined>;
  /** Every schedule, by id. */
  list(): Promise<StoredSchedule[]>;
  /** A number that changes whenever a schedule is put or removed (beats reload their list on change). */
  version(): Promise<number>;
  /**
   * Claim due times (each atomic, exactly once), in order: a claim succeeds when the schedule exists
   * and `due` is newer than its cursor; then it moves the cursor to `due` and records the fire as
   * `claimed`, keeping only the schedule's newest `history` records. One result per request.
   */
  claim(requests: readonly ClaimRequest[]): Promise<ClaimResult[]>;
  /** Record how claimed fires ended (each only while it is `claimed`; false otherwise). One result per fire. */
  settle(fires: readonly SettleRequest[]): Promise<boolean[]>;
  /**
   * Take over fires still `claimed` whose lease ended before `now` (their beat died mid-fire):
   * each is given to one caller only, with a new lease. Returns their records as now stored.
   */
  reclaim(beat: string, now: number, leaseUntil: number, limit: number): Promise<FireRecord[]>;
  /** A schedule's fire records, newest first. */
  fires(scheduleId: string, limit: number): Promise<FireRecord[]>;
}
