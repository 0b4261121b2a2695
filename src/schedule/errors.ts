/**
 * Errors of the schedule layer.
 * @module
 */
import { CeleriacError } from '../errors.js';

/**
 * Thrown by `app.schedules.add()` (and by beat when it registers `periodic:` definitions) when a
 * schedule is wrong: unparsable cron, unknown time zone, interval ≤ 0, a payload that fails the
 * workflow's schema, an unknown workflow, conflicting or missing fields. Nothing was stored.
 */
export class ScheduleError extends CeleriacError {
  override name = 'ScheduleError';
  constructor(
    /** The schedule id. */
    readonly scheduleId: string,
    /** The offending field (`cron`, `tz`, `every`, `payload`, `workflow`, ...). */
    readonly field: string,
    /** What is wrong with it. */
    readonly reason: string,
  ) {
    super(`schedule '${scheduleId}': ${field}: ${reason}`);
  }
}

/** Thrown when a schedule id does not exist. */
export class UnknownScheduleError extends CeleriacError {
  override name = 'UnknownScheduleError';
  constructor(readonly scheduleId: string) {
    super(`Schedule '${scheduleId}' not found`);
  }
}
