/**
 * Beat: fires due schedules. Any number of beats may run at once: each due time is claimed in the
 * schedule store by one of them only, then fired under an id derived from the schedule and the due
 * time. A fire whose beat died between claim and settle is taken over by another beat when its
 * lease ends. `tick()` does one pass (tests drive it with a fake clock); `start()` ticks on a timer.
 * @module
 */
import { hostname } from 'node:os';
import { newId } from '../ids.js';
import { fire, type FireHost } from './fire.js';
import { planFires } from './plan.js';
import type { FireOutcome, ScheduleStore, SettleRequest } from './store/store.js';
import type { FireRecord, ScheduleEntry } from './types.js';

/** A source of the current time (epoch ms); inject a fake one in tests. */
export interface Clock {
  now(): number;
}

/** Options of `app.beat()`. */
export interface BeatOptions {
  /** How often to look for due times, in ms. Default: 1,000. */
  tickMs?: number;
  /** How long a claim is protected before another beat may take the fire over, in ms. Default: 30,000. */
  leaseMs?: number;
  /** This beat's name in fire records. Default: `beat.<pid>@<hostname>.<random>`. */
  name?: string;
  /** Default: the system clock. */
  clock?: Clock;
  /** Called after a due time was claimed by this beat, before its task or run is sent. */
  beforeFire?: (record: FireRecord) => void | Promise<void>;
}

/** What the app gives a beat. */
export interface BeatHost extends FireHost {
  store(): Promise<ScheduleStore>;
  /** Register the `periodic:` schedules of the app's workflow definitions. */
  registerPeriodic(): Promise<void>;
}

/** What one tick did. */
export interface TickReport {
  /** Fires settled by this tick, by outcome. */
  readonly fired: number;
  readonly skipped: number;
  readonly failed: number;
  /** Fires of dead beats this tick took over. */
  readonly takenOver: number;
}

/** Claims (and settles) go to the store in batches of this many. */
const CLAIM_BATCH = 500;

interface Job {
  readonly entry: ScheduleEntry;
  readonly record: FireRecord;
  readonly takenOver: boolean;
}

function shuffled<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** A beat; see the module documentation. */
export class Beat {
  readonly name: string;
  private readonly clock: Clock;
  private readonly tickMs: number;
  private readonly leaseMs: number;
  private entries = new Map<string, ScheduleEntry>();
  private readonly cursors = new Map<string, number>();
  private version = -1;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(
    private readonly host: BeatHost,
    private readonly options: BeatOptions = {},
  ) {
    this.name = options.name ?? `beat.${process.pid}@${hostname()}.${newId().slice(0, 8)}`;
    this.clock = options.clock ?? { now: () => Date.now() };
    this.tickMs = options.tickMs ?? 1_000;
    this.leaseMs = options.leaseMs ?? 30_000;
  }

  /** Register `periodic:` schedules, then tick every `tickMs` until {@link stop}. */
  async start(): Promise<this> {
    await this.host.registerPeriodic();
    this.stopped = false;
    this.host.logger.info({ beat: this.name, tickMs: this.tickMs }, 'beat started');
    this.schedule();
    return this;
  }

  /** Stop ticking; resolves once the current tick is done. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass: take over fires of dead beats, then claim and fire every due time. */
  async tick(): Promise<TickReport> {
    const store = await this.host.store();
    await this.reload(store);
    const now = this.clock.now();
    const jobs: Job[] = [];
    const taken = await store.reclaim(this.name, now, now + this.leaseMs, 100);
    for (const record of taken) {
      const entry = this.entries.get(record.scheduleId);
      if (entry) jobs.push({ entry, record, takenOver: true });
    }
    const planned: Job[] = [];
    for (const entry of shuffled([...this.entries.values()])) {
      for (const fire of planFires(entry, this.cursors.get(entry.id) ?? -1, now)) {
        const record: FireRecord = { scheduleId: entry.id, due: fire.due, state: 'claimed', beat: this.name, claimedAt: now, leaseUntil: now + this.leaseMs, fired: null, missed: fire.missed };
        planned.push({ entry, record, takenOver: false });
      }
    }
    const chunks: Job[][] = [];
    for (let at = 0; at < planned.length; at += CLAIM_BATCH) chunks.push(planned.slice(at, at + CLAIM_BATCH));
    const claims = await Promise.all(chunks.map((chunk) => store.claim(chunk.map(({ entry, record }) => ({ scheduleId: entry.id, due: record.due, beat: this.name, at: now, leaseUntil: record.leaseUntil, missed: record.missed, history: entry.history })))));
    claims.flat().forEach((claim, i) => {
      const job = planned[i]!;
      this.cursors.set(job.entry.id, Math.max(this.cursors.get(job.entry.id) ?? -1, claim.cursor));
      if (claim.claimed) jobs.push(job);
    });
    const outcomes = await this.fireAll(store, jobs);
    const count = (state: FireOutcome['state']) => outcomes.filter((o) => o.state === state).length;
    return { fired: count('fired'), skipped: count('skipped'), failed: count('failed'), takenOver: taken.length };
  }

  /**
   * Fire claimed jobs: one schedule's in due order, schedules in parallel. Workflow fires are settled
   * at once (the overlap check of the next one reads them); task fires in batches at the end.
   */
  private async fireAll(store: ScheduleStore, jobs: readonly Job[]): Promise<FireOutcome[]> {
    const bySchedule = new Map<string, Job[]>();
    for (const job of jobs) bySchedule.set(job.entry.id, [...(bySchedule.get(job.entry.id) ?? []), job]);
    const outcomes: FireOutcome[] = [];
    const batch: SettleRequest[] = [];
    await Promise.all(
      [...bySchedule.values()].map(async (list) => {
        for (const { entry, record, takenOver } of list.sort((a, b) => a.record.due - b.record.due)) {
          await this.options.beforeFire?.(record);
          const outcome = await fire(this.host, store, entry, record, () => this.clock.now(), takenOver);
          if (!outcome) return; // left claimed: retried after the lease, with this schedule's later fires
          outcomes.push(outcome);
          const request = { scheduleId: entry.id, due: record.due, outcome };
          if (entry.target.kind === 'workflow') await store.settle([request]);
          else batch.push(request);
        }
      }),
    );
    for (let at = 0; at < batch.length; at += CLAIM_BATCH) await store.settle(batch.slice(at, at + CLAIM_BATCH));
    return outcomes;
  }

  /** Reload the schedules when the store's version changed. */
  private async reload(store: ScheduleStore): Promise<void> {
    const version = await store.version();
    if (version === this.version) return;
    const stored = await store.list();
    this.entries = new Map(stored.map(({ entry }) => [entry.id, entry]));
    for (const { entry, cursor } of stored) this.cursors.set(entry.id, Math.max(this.cursors.get(entry.id) ?? -1, cursor));
    for (const id of this.cursors.keys()) if (!this.entries.has(id)) this.cursors.delete(id);
    this.version = version;
  }

  /** Tick at the next multiple of `tickMs` (due times are whole seconds for most schedules); timers may wake early, so check. */
  private schedule(target = (Math.floor(Date.now() / this.tickMs) + 1) * this.tickMs): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      if (Date.now() < target) return this.schedule(target);
      this.running = this.tick()
        .catch((error: unknown) => this.host.logger.error({ beat: this.name, error: error instanceof Error ? error.message : String(error) }, 'beat tick failed'))
        .finally(() => this.schedule());
    }, Math.max(target - Date.now(), 1));
  }
}
