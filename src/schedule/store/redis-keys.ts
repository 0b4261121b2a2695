/**
 * Every Redis key the schedule store uses, built in this one module:
 *   <p>celeriac.schedules             hash: schedule id → entry JSON
 *   <p>celeriac.schedules.cursors     hash: schedule id → newest claimed due time (epoch ms)
 *   <p>celeriac.schedules.version     counter bumped by every put/remove
 *   <p>celeriac.schedules.leases      zset: `<due>|<id>` → lease end of a claimed fire (epoch ms)
 *   <p>celeriac.schedules.fires.<id>  hash: due → fire record JSON
 *   <p>celeriac.schedules.fired.<id>  zset: due → due (the order of the records)
 * `<p>` is the `keyPrefix` option (empty by default).
 * @module
 */

/** Builds the schedule store's keys for one prefix. */
export class RedisScheduleKeys {
  constructor(readonly prefix: string) {}

  get specs(): string {
    return `${this.prefix}celeriac.schedules`;
  }

  get cursors(): string {
    return `${this.prefix}celeriac.schedules.cursors`;
  }

  get version(): string {
    return `${this.prefix}celeriac.schedules.version`;
  }

  get leases(): string {
    return `${this.prefix}celeriac.schedules.leases`;
  }

  /** The prefix of every fire-record hash (the reclaim script appends the id). */
  get firesPrefix(): string {
    return `${this.prefix}celeriac.schedules.fires.`;
  }

  /** A schedule's fire records. */
  fires(scheduleId: string): string {
    return `${this.firesPrefix}${scheduleId}`;
  }

  /** The order of a schedule's fire records. */
  fired(scheduleId: string): string {
    return `${this.prefix}celeriac.schedules.fired.${scheduleId}`;
  }
}
