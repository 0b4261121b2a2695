/**
 * Which due times of a schedule to claim now, by its catch-up policy: `latest` (the newest missed
 * one), `all` (every one within the catch-up window, oldest first) or `none` (the newest, only
 * while it is less than `grace` late). Pure.
 * @module
 */
import { dueTimes, latestDue } from './timing.js';
import type { ScheduleEntry } from './types.js';

/** A due time to claim, with how many earlier ones the policy skipped. */
export interface PlannedFire {
  readonly due: number;
  readonly missed: number;
}

/** At most this many due times are fired per schedule and tick (`all` catches up over several ticks). */
export const MAX_FIRES_PER_TICK = 1_000;

/** The due times in `(cursor, now]` to claim, oldest first. */
export function planFires(entry: ScheduleEntry, cursor: number, now: number): PlannedFire[] {
  const latest = latestDue(entry.timing, entry, now);
  if (latest === null || latest <= cursor) return [];
  if (entry.catchUp === 'all') {
    const from = Math.max(cursor, now - entry.catchUpWindow * 1000);
    return dueTimes(entry.timing, entry, from, now, MAX_FIRES_PER_TICK).map((due) => ({ due, missed: 0 }));
  }
  if (entry.catchUp === 'none' && now - latest > entry.grace * 1000) return [];
  const missed = dueTimes(entry.timing, entry, cursor, latest - 1, MAX_FIRES_PER_TICK).length;
  return [{ due: latest, missed }];
}
