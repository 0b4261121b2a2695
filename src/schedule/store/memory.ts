/**
 * The in-memory schedule store. Stores of the same name in one process share their data (like
 * `memory://` backends), so several beats in one process see the same schedules. Every verb runs
 * synchronously inside one call, which makes it atomic in a single-threaded process.
 * @module
 */
import type { FireRecord, ScheduleEntry, StoredSchedule } from '../types.js';
import type { ClaimRequest, ClaimResult, FireOutcome, ScheduleStore, SettleRequest } from './store.js';

interface Slot {
  entry: ScheduleEntry;
  cursor: number;
  /** due → record, in insertion (= due) order. */
  fires: Map<number, FireRecord>;
}

interface Shared {
  slots: Map<string, Slot>;
  version: number;
}

const shared = new Map<string, Shared>();
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** The memory store; see the module documentation. */
export class MemoryScheduleStore implements ScheduleStore {
  readonly kind = 'memory';
  private readonly data: Shared;

  constructor(options: { name?: string } = {}) {
    const name = options.name ?? 'default';
    let data = shared.get(name);
    if (!data) {
      data = { slots: new Map(), version: 0 };
      shared.set(name, data);
    }
    this.data = data;
  }

  async connect(): Promise<void> {}
  async close(): Promise<void> {}

  async put(entry: ScheduleEntry, cursor: number): Promise<boolean> {
    this.data.version += 1;
    const slot = this.data.slots.get(entry.id);
    if (slot) {
      slot.entry = clone(entry);
      return false;
    }
    this.data.slots.set(entry.id, { entry: clone(entry), cursor, fires: new Map() });
    return true;
  }

  async remove(scheduleId: string): Promise<boolean> {
    this.data.version += 1;
    return this.data.slots.delete(scheduleId);
  }

  async get(scheduleId: string): Promise<StoredSchedule | undefined> {
    const slot = this.data.slots.get(scheduleId);
    return slot ? { entry: clone(slot.entry), cursor: slot.cursor } : undefined;
  }

  async list(): Promise<StoredSchedule[]> {
    return [...this.data.slots.values()].map((slot) => ({ entry: clone(slot.entry), cursor: slot.cursor })).sort((a, b) => (a.entry.id < b.entry.id ? -1 : 1));
  }

  async version(): Promise<number> {
    return this.data.version;
  }

  async claim(requests: readonly ClaimRequest[]): Promise<ClaimResult[]> {
    return requests.map((request) => this.claimOne(request));
  }

  async settle(fires: readonly SettleRequest[]): Promise<boolean[]> {
    return fires.map(({ scheduleId, due, outcome }) => this.settleOne(scheduleId, due, outcome));
  }

  private claimOne(request: ClaimRequest): ClaimResult {
    const slot = this.data.slots.get(request.scheduleId);
    if (!slot) return { claimed: false, cursor: -1 };
    const record: FireRecord = {
      scheduleId: request.scheduleId,
      due: request.due,
      state: 'claimed',
      beat: request.beat,
      claimedAt: request.at,
      leaseUntil: request.leaseUntil,
      fired: null,
      missed: request.missed,
    };
    if (slot.cursor >= request.due) {
      const same = JSON.stringify(slot.fires.get(request.due)) === JSON.stringify(record);
      return { claimed: same, cursor: slot.cursor };
    }
    slot.cursor = request.due;
    slot.fires.set(request.due, record);
    for (const due of slot.fires.keys()) {
      if (slot.fires.size <= request.history) break;
      slot.fires.delete(due);
    }
    return { claimed: true, cursor: slot.cursor };
  }

  private settleOne(scheduleId: string, due: number, outcome: FireOutcome): boolean {
    const slot = this.data.slots.get(scheduleId);
    const record = slot?.fires.get(due);
    if (!slot || !record || record.state !== 'claimed') return false;
    slot.fires.set(due, settled(record, outcome));
    return true;
  }

  async reclaim(beat: string, now: number, leaseUntil: number, limit: number): Promise<FireRecord[]> {
    const taken: FireRecord[] = [];
    for (const slot of this.data.slots.values()) {
      for (const [due, record] of slot.fires) {
        if (taken.length >= limit) return taken;
        if (record.state !== 'claimed' || record.leaseUntil >= now) continue;
        const next = { ...record, beat, leaseUntil };
        slot.fires.set(due, next);
        taken.push(clone(next));
      }
    }
    return taken;
  }

  async fires(scheduleId: string, limit: number): Promise<FireRecord[]> {
    const slot = this.data.slots.get(scheduleId);
    if (!slot) return [];
    return [...slot.fires.values()].reverse().slice(0, limit).map(clone);
  }
}

/** A claimed record with its outcome (shared with the Redis adapter's decoding). */
export function settled(record: FireRecord, outcome: FireOutcome): FireRecord {
  return {
    ...record,
    state: outcome.state,
    fired: outcome.state === 'fired' ? outcome.at : null,
    ...(outcome.taskId !== undefined ? { taskId: outcome.taskId } : {}),
    ...(outcome.runId !== undefined ? { runId: outcome.runId } : {}),
    ...(outcome.reason !== undefined ? { reason: outcome.reason } : {}),
  };
}
