/**
 * Due times of a schedule: fixed steps from an anchor for `every`, and cron expressions in an IANA
 * time zone through croner (DST-correct: a time in a spring-forward gap fires once, at the first
 * valid time after it; a time repeated at fall-back fires once). No I/O.
 * @module
 */
import { Cron } from 'croner';
import type { ScheduleEntry } from './types.js';

type Timing = ScheduleEntry['timing'];
type Bounds = Pick<ScheduleEntry, 'startAt' | 'endAt'>;

const crons = new Map<string, Cron>();

/** A paused croner job for an expression and zone (cached); throws croner's error when it does not parse. */
export function cronOf(expression: string, tz: string): Cron {
  const key = `${tz}\u0000${expression}`;
  let cron = crons.get(key);
  if (!cron) {
    cron = new Cron(expression, { timezone: tz, paused: true, mode: '5-or-6-parts' });
    if (crons.size > 10_000) crons.clear();
    crons.set(key, cron);
  }
  return cron;
}

/** True when `tz` is an IANA time zone this runtime knows. */
export function isKnownTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function bounded(time: number | null, bounds: Bounds): number | null {
  if (time === null) return null;
  if (bounds.startAt !== null && time < bounds.startAt) return null;
  if (bounds.endAt !== null && time > bounds.endAt) return null;
  return time;
}

/** The first due time strictly after `after` (epoch ms), or null when there is none. */
export function nextDue(timing: Timing, bounds: Bounds, after: number): number | null {
  const from = bounds.startAt !== null ? Math.max(after, bounds.startAt - 1) : after;
  if (timing.kind === 'every') {
    const step = Math.round(timing.seconds * 1000);
    const anchor = bounds.startAt ?? 0;
    const k = Math.floor((from - anchor) / step) + 1;
    return bounded(anchor + Math.max(k, 0) * step, bounds);
  }
  const next = cronOf(timing.expression, timing.tz).nextRun(new Date(from));
  return bounded(next ? next.getTime() : null, bounds);
}

/** The newest due time at or before `at` (epoch ms), or null. */
export function latestDue(timing: Timing, bounds: Bounds, at: number): number | null {
  const upTo = bounds.endAt !== null ? Math.min(at, bounds.endAt) : at;
  if (timing.kind === 'every') {
    const step = Math.round(timing.seconds * 1000);
    const anchor = bounds.startAt ?? 0;
    if (upTo < anchor) return null;
    return bounded(anchor + Math.floor((upTo - anchor) / step) * step, bounds);
  }
  const [previous] = cronOf(timing.expression, timing.tz).previousRuns(1, new Date(upTo + 1));
  return bounded(previous ? previous.getTime() : null, bounds);
}

/** Due times in `(after, upTo]`, oldest first, at most `limit`. */
export function dueTimes(timing: Timing, bounds: Bounds, after: number, upTo: number, limit: number): number[] {
  const times: number[] = [];
  let cursor = after;
  while (times.length < limit) {
    const next = nextDue(timing, bounds, cursor);
    if (next === null || next > upTo) break;
    times.push(next);
    cursor = next;
  }
  return times;
}

/** The next `count` due times after `after`. */
export function upcoming(timing: Timing, bounds: Bounds, after: number, count: number): number[] {
  return dueTimes(timing, bounds, after, Number.MAX_SAFE_INTEGER, count);
}
