/**
 * The schedule layer's value types (WORKFLOWS.md §W7): what `app.schedules.add()` accepts, what is
 * stored, and the record of each fire. Pure types: no I/O.
 * @module
 */

/** What to do with due times missed while no beat ran. */
export type CatchUp = 'none' | 'latest' | 'all';

/** What to do when a workflow's previous scheduled run has not finished at the next due time. */
export type Overlap = 'allow' | 'skip' | 'cancel-previous';

/** A time as a Date, an ISO string or epoch milliseconds. */
export type TimeInput = Date | string | number;

/** `app.schedules.add(id, spec)`: exactly one of `task`/`workflow` and one of `every`/`cron`. */
export interface ScheduleSpec {
  /** A task name (sent with `args`/`kwargs`, like `app.sendTask`). */
  task?: string;
  /** A workflow `project.NAME` (run with `payload`). */
  workflow?: string;
  /** Interval in seconds (> 0). Due times are `startAt + k × every` (from the Unix epoch without `startAt`). */
  every?: number;
  /** A cron expression (5 fields, or 6 with seconds first). */
  cron?: string;
  /** IANA time zone of `cron`. Default: `UTC`. */
  tz?: string;
  /** Positional arguments of the task. */
  args?: readonly unknown[];
  /** Keyword arguments of the task. */
  kwargs?: Readonly<Record<string, unknown>>;
  /** Queue of the task. Default: its route. */
  queue?: string;
  /** The workflow's payload; validated against its schema when added. Default: `{}`. */
  payload?: Readonly<Record<string, unknown>>;
  /** Missed due times after downtime. Default: `latest`. */
  catchUp?: CatchUp;
  /** With `catchUp: 'all'`: how far back, in seconds. Default: 86,400 (one day). */
  catchUpWindow?: number;
  /** With `catchUp: 'none'`: a due time later than this many seconds is skipped. Default: 60. */
  grace?: number;
  /** Workflows only. Default: `skip` (tasks: `allow`, the only choice). */
  overlap?: Overlap;
  /** No due time before this. */
  startAt?: TimeInput;
  /** No due time after this. */
  endAt?: TimeInput;
  /** How many fire records to keep. Default: 20. */
  history?: number;
}

/** A schedule as stored: checked and normalized (times in epoch ms). JSON-serializable. */
export interface ScheduleEntry {
  readonly id: string;
  readonly target: { readonly kind: 'task'; readonly name: string; readonly args: readonly unknown[]; readonly kwargs: Readonly<Record<string, unknown>>; readonly queue?: string }
    | { readonly kind: 'workflow'; readonly name: string; readonly payload: Readonly<Record<string, unknown>> };
  readonly timing: { readonly kind: 'every'; readonly seconds: number } | { readonly kind: 'cron'; readonly expression: string; readonly tz: string };
  readonly catchUp: CatchUp;
  /** Seconds. */
  readonly catchUpWindow: number;
  /** Seconds. */
  readonly grace: number;
  readonly overlap: Overlap;
  /** Epoch ms, or null. */
  readonly startAt: number | null;
  readonly endAt: number | null;
  readonly history: number;
  /** Epoch ms of the last add(). */
  readonly updated: number;
}

/** What happened to a claimed due time. */
export type FireState = 'claimed' | 'fired' | 'skipped' | 'failed';

/** The record of one due time (newest kept per schedule, up to its `history`). */
export interface FireRecord {
  readonly scheduleId: string;
  /** The due time, epoch ms. */
  readonly due: number;
  readonly state: FireState;
  /** The beat that claimed it (last, when another beat took it over). */
  readonly beat: string;
  /** Epoch ms. */
  readonly claimedAt: number;
  /** While `claimed`: another beat may take it over after this (epoch ms). */
  readonly leaseUntil: number;
  /** When the task or run was sent (epoch ms), or null. */
  readonly fired: number | null;
  /** Earlier due times skipped by the catch-up policy when this one was claimed. */
  readonly missed: number;
  readonly taskId?: string;
  readonly runId?: string;
  /** Why it was skipped or failed. */
  readonly reason?: string;
}

/** A stored schedule with its cursor (the newest due time claimed, epoch ms). */
export interface StoredSchedule {
  readonly entry: ScheduleEntry;
  readonly cursor: number;
}

/** A schedule as `app.schedules.list()` shows it. */
export interface ScheduleInfo {
  readonly id: string;
  readonly entry: ScheduleEntry;
  /** The next due times (ISO), soonest first. */
  readonly next: readonly string[];
}
