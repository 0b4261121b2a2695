/**
 * `app.schedules`: add, replace, remove and list schedules (with their next due times) and read the
 * record of their fires. Schedules are stored in the schedule store (memory or Redis, next to the
 * results), so every beat process sees the same ones (WORKFLOWS.md §W7).
 * @module
 */
import type { PeriodicSpec } from '../workflow/definition/spec.js';
import { UnknownScheduleError } from './errors.js';
import { normalizeSpec, type WorkflowLookup } from './normalize.js';
import type { ScheduleStore } from './store/store.js';
import { upcoming } from './timing.js';
import type { FireRecord, ScheduleEntry, ScheduleInfo, ScheduleSpec, StoredSchedule } from './types.js';

/** What `app.schedules` gets from its app. */
export interface SchedulesHost {
  store(): Promise<ScheduleStore>;
  readonly workflows: WorkflowLookup & { periodic(): ReadonlyArray<{ fullname: string; periodic: PeriodicSpec | undefined }> };
  now(): number;
}

/** The id of the schedule a workflow's `periodic:` registers. */
export function periodicScheduleId(fullname: string): string {
  return `workflow:${fullname}`;
}

/** `app.schedules`; see the module documentation. */
export class Schedules {
  constructor(private readonly host: SchedulesHost) {}

  /**
   * Add a schedule, or replace the one with this id (it keeps its record of fires, and due times
   * already fired do not fire again). Throws {@link ScheduleError} on bad input; nothing is stored then.
   */
  async add(id: string, spec: ScheduleSpec): Promise<ScheduleInfo> {
    const now = this.host.now();
    const entry = await normalizeSpec(id, spec, this.host.workflows, now);
    const store = await this.host.store();
    await store.put(entry, now);
    return info({ entry, cursor: (await store.get(id))?.cursor ?? now }, now, 3);
  }

  /** Remove a schedule and its record of fires. Returns false when there was none. */
  async remove(id: string): Promise<boolean> {
    return (await this.host.store()).remove(id);
  }

  /** One schedule with its next `next` due times; throws {@link UnknownScheduleError}. */
  async get(id: string, options: { next?: number } = {}): Promise<ScheduleInfo> {
    const stored = await (await this.host.store()).get(id);
    if (!stored) throw new UnknownScheduleError(id);
    return info(stored, this.host.now(), options.next ?? 3);
  }

  /** Every schedule, by id, with its next `next` due times (default 3). */
  async list(options: { next?: number } = {}): Promise<ScheduleInfo[]> {
    const now = this.host.now();
    return (await (await this.host.store()).list()).map((stored) => info(stored, now, options.next ?? 3));
  }

  /** The record of a schedule's last fires, newest first (at most its `history`). */
  async fires(id: string, limit = 20): Promise<FireRecord[]> {
    return (await this.host.store()).fires(id, limit);
  }

  /**
   * Register the `periodic:` of every workflow definition as schedule `workflow:<fullname>` (beat
   * does it when it starts); removes that schedule for definitions that no longer have `periodic:`.
   */
  async registerPeriodic(): Promise<string[]> {
    const ids: string[] = [];
    for (const { fullname, periodic } of this.host.workflows.periodic()) {
      const id = periodicScheduleId(fullname);
      if (!periodic) {
        await this.remove(id);
        continue;
      }
      await this.add(id, {
        workflow: fullname,
        ...(periodic.interval !== undefined ? { every: periodic.interval } : {}),
        ...(periodic.crontab !== undefined ? { cron: periodic.crontab } : {}),
        payload: periodic.payload ?? {},
      });
      ids.push(id);
    }
    return ids;
  }
}

function info(stored: StoredSchedule, now: number, count: number): ScheduleInfo {
  const entry: ScheduleEntry = stored.entry;
  const next = upcoming(entry.timing, entry, Math.max(now, stored.cursor), count).map((t) => new Date(t).toISOString());
  return { id: entry.id, entry, next };
}
