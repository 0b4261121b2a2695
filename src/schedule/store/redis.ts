/**
 * The Redis schedule store: every beat process sees the same schedules, and `claim` (a Lua script)
 * makes each due time fire once across all of them. Operations retry through a Redis restart until
 * their deadline; a retried claim is recognized as the same claim (see claim.lua).
 * @module
 */
import type { Redis } from 'ioredis';
import { closeClient, createRedisClient, openClient, retryUntil } from '../../redis/connection.js';
import type { FireRecord, ScheduleEntry, StoredSchedule } from '../types.js';
import { RedisScheduleKeys } from './redis-keys.js';
import { defineScheduleScripts, runScheduleScript, type ScheduleScriptName } from './scripts.js';
import type { ClaimRequest, ClaimResult, ScheduleStore, SettleRequest } from './store.js';

/** Options of {@link RedisScheduleStore}. */
export interface RedisScheduleStoreOptions {
  /** `redis://` or `rediss://` URL (with the database). */
  url: string;
  /** Put in front of every key. Default: none. */
  keyPrefix?: string;
  /** How long an operation retries while Redis is unreachable, in ms. Default: 10,000. */
  operationTimeoutMs?: number;
}

/** The Redis store; see the module documentation. */
export class RedisScheduleStore implements ScheduleStore {
  readonly kind = 'redis';
  private readonly keys: RedisScheduleKeys;
  private readonly client: Redis;
  private readonly timeoutMs: number;
  private readonly url: string;

  constructor(options: RedisScheduleStoreOptions) {
    this.keys = new RedisScheduleKeys(options.keyPrefix ?? '');
    this.timeoutMs = options.operationTimeoutMs ?? 10_000;
    this.url = options.url;
    this.client = createRedisClient(options.url, 'celeriac-schedules', 'cmd', () => undefined);
    defineScheduleScripts(this.client);
  }

  async connect(): Promise<void> {
    await this.retry('connect', async () => {
      await openClient(this.client, this.url);
      await this.client.ping();
    });
  }

  close(): Promise<void> {
    return closeClient(this.client);
  }

  async put(entry: ScheduleEntry, cursor: number): Promise<boolean> {
    const k = this.keys;
    return (await this.script('put', [k.specs, k.cursors, k.version], [entry.id, JSON.stringify(entry), cursor])) === 1;
  }

  async remove(scheduleId: string): Promise<boolean> {
    const k = this.keys;
    return (await this.script('remove', [k.specs, k.cursors, k.version, k.leases, k.fires(scheduleId), k.fired(scheduleId)], [scheduleId])) === 1;
  }

  async get(scheduleId: string): Promise<StoredSchedule | undefined> {
    const [entry, cursor] = await this.retry('read schedule', async () =>
      Promise.all([this.client.hget(this.keys.specs, scheduleId), this.client.hget(this.keys.cursors, scheduleId)]),
    );
    return entry ? { entry: JSON.parse(entry) as ScheduleEntry, cursor: Number(cursor ?? -1) } : undefined;
  }

  async list(): Promise<StoredSchedule[]> {
    const [entries, cursors] = await this.retry('list schedules', async () =>
      Promise.all([this.client.hgetall(this.keys.specs), this.client.hgetall(this.keys.cursors)]),
    );
    return Object.keys(entries)
      .sort()
      .map((id) => ({ entry: JSON.parse(entries[id] as string) as ScheduleEntry, cursor: Number(cursors[id] ?? -1) }));
  }

  async version(): Promise<number> {
    return Number((await this.retry('read version', () => this.client.get(this.keys.version))) ?? 0);
  }

  async claim(requests: readonly ClaimRequest[]): Promise<ClaimResult[]> {
    if (requests.length === 0) return [];
    const k = this.keys;
    const keys = [k.specs, k.cursors, k.leases];
    const args: (string | number)[] = [];
    for (const request of requests) {
      const { scheduleId: id, due } = request;
      const record: FireRecord = { scheduleId: id, due, state: 'claimed', beat: request.beat, claimedAt: request.at, leaseUntil: request.leaseUntil, fired: null, missed: request.missed };
      keys.push(k.fires(id), k.fired(id));
      args.push(id, due, JSON.stringify(record), request.leaseUntil, request.history);
    }
    const reply = (await this.script('claim', keys, args)) as number[];
    return requests.map((_, i) => ({ claimed: reply[2 * i] === 1, cursor: Number(reply[2 * i + 1]) }));
  }

  async settle(fires: readonly SettleRequest[]): Promise<boolean[]> {
    if (fires.length === 0) return [];
    const keys = [this.keys.leases];
    const args: (string | number)[] = [];
    for (const { scheduleId, due, outcome } of fires) {
      const fields = {
        state: outcome.state,
        fired: outcome.state === 'fired' ? outcome.at : null,
        ...(outcome.taskId !== undefined ? { taskId: outcome.taskId } : {}),
        ...(outcome.runId !== undefined ? { runId: outcome.runId } : {}),
        ...(outcome.reason !== undefined ? { reason: outcome.reason } : {}),
      };
      keys.push(this.keys.fires(scheduleId));
      args.push(scheduleId, due, JSON.stringify(fields));
    }
    const reply = (await this.script('settle', keys, args)) as number[];
    return reply.map((n) => n === 1);
  }

  async reclaim(beat: string, now: number, leaseUntil: number, limit: number): Promise<FireRecord[]> {
    const taken = (await this.script('reclaim', [this.keys.leases], [now, leaseUntil, beat, limit, this.keys.firesPrefix])) as string[];
    return taken.map((json) => JSON.parse(json) as FireRecord);
  }

  async fires(scheduleId: string, limit: number): Promise<FireRecord[]> {
    const k = this.keys;
    const dues = await this.retry('read fires', () => this.client.zrevrange(k.fired(scheduleId), 0, Math.max(limit, 1) - 1));
    if (dues.length === 0) return [];
    const records = await this.retry('read fires', () => this.client.hmget(k.fires(scheduleId), ...dues));
    return records.filter((json): json is string => json !== null).map((json) => JSON.parse(json) as FireRecord);
  }

  private script(name: ScheduleScriptName, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    return this.retry(`schedule ${name}`, () => runScheduleScript(this.client, name, keys, args));
  }

  private retry<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    return retryUntil(Date.now() + this.timeoutMs, what, attempt);
  }
}
