/**
 * The Redis {@link SignalStore}, on the workflow store's connection: a set of waiters per (event
 * name, key), a hash per retained (name, key) with its expiry, a hash per map attempt. Every change
 * is one documented Lua script (`lua/arm-wait.lua`, `lua/fire-event.lua`, `lua/map-item.lua`), so
 * a fire costs O(matching waits) and never scans runs.
 * @module
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { SEP } from './redis-keys.js';
import type { MapProgress, RetainedEvent, SignalStore, TriggerInstance, TriggerSession, TriggerStatus, WaitEntry } from './signals.js';

const SCRIPTS = { armWait: 'arm-wait', fire: 'fire-event', mapItem: 'map-item', recordFiring: 'trigger-record', updateInstance: 'trigger-update' } as const;
type Script = keyof typeof SCRIPTS;
const SOURCES: Partial<Record<Script, string>> = {};
const SHAS: Partial<Record<Script, string>> = {};

/** See the module documentation. */
export class RedisSignalStore implements SignalStore {
  constructor(
    private readonly client: () => Redis,
    private readonly prefix: string,
    private readonly retry: <T>(what: string, attempt: () => Promise<T>) => Promise<T>,
  ) {}

  async armWait(name: string, key: string, entry: WaitEntry, since: number, expiresSeconds: number): Promise<RetainedEvent | undefined> {
    const reply = (await this.script('armWait', [this.retained(name, key), this.waits(name, key)], [since, member(entry), expiresSeconds])) as string[];
    return reply.length === 0 ? undefined : { at: Number(reply[0]), data: JSON.parse(reply[1] ?? 'null') };
  }

  async disarmWait(name: string, key: string, entry: WaitEntry): Promise<void> {
    await this.retry('disarmWait', () => this.client().srem(this.waits(name, key), member(entry)));
  }

  async fire(name: string, key: string, event: RetainedEvent, retainSeconds: number): Promise<WaitEntry[]> {
    const reply = (await this.script('fire', [this.retained(name, key), this.waits(name, key)], [event.at, JSON.stringify(event.data ?? null), Math.ceil(retainSeconds)])) as string[];
    return reply.map((text) => {
      const [runId = '', node = '', taskId = ''] = text.split(SEP);
      return { runId, node, taskId };
    });
  }

  async mapStart(runId: string, node: string, taskId: string, total: number, expiresSeconds: number): Promise<void> {
    const key = this.map(runId, node, taskId);
    await this.retry('mapStart', async () => {
      await this.client().hsetnx(key, 't', total);
      if (expiresSeconds > 0) await this.client().expire(key, expiresSeconds);
    });
  }

  async mapItem(runId: string, node: string, taskId: string, index: number, result: unknown): Promise<MapProgress> {
    const reply = (await this.script('mapItem', [this.map(runId, node, taskId)], [index, JSON.stringify(result ?? null)])) as Array<number | string>;
    const progress = { counted: reply[0] === 1, done: Number(reply[1]), total: Number(reply[2]) };
    return reply[3] === undefined ? progress : { ...progress, results: JSON.parse(String(reply[3])) as unknown[] };
  }

  async recordFiring(session: string, name: string, kwargs: unknown, expiresSeconds: number): Promise<number> {
    return Number(await this.script('recordFiring', [this.session(session)], [name, JSON.stringify(kwargs ?? null), expiresSeconds]));
  }

  async readSession(session: string): Promise<TriggerSession> {
    const hash = await this.retry('readSession', () => this.client().hgetall(this.session(session)));
    const fired: Record<string, unknown[]> = {};
    const instances: Record<string, TriggerInstance> = {};
    for (const [field, value] of Object.entries(hash)) {
      if (field.startsWith('k:')) {
        const [name = '', n = '0'] = field.slice(2).split(SEP);
        (fired[name] ??= [])[Number(n) - 1] = JSON.parse(value);
      } else if (field.startsWith('i:')) {
        const id = field.slice(2);
        instances[id] = { ...(JSON.parse(value) as TriggerInstance), status: (hash[`s:${id}`] ?? 'unstarted') as TriggerStatus };
      }
    }
    return { fired, instances };
  }

  async createInstance(instance: TriggerInstance, expiresSeconds: number): Promise<boolean> {
    const key = this.session(instance.session);
    return this.retry('createInstance', async () => {
      const created = await this.client().hsetnx(key, `s:${instance.id}`, instance.status);
      if (created === 1) await this.client().hset(key, `i:${instance.id}`, JSON.stringify(instance));
      if (expiresSeconds > 0) await this.client().expire(key, expiresSeconds);
      return created === 1;
    });
  }

  async updateInstance(next: TriggerInstance, from: readonly TriggerStatus[]): Promise<boolean> {
    return (await this.script('updateInstance', [this.session(next.session)], [next.id, next.status, JSON.stringify(next), from.join(',')])) === 1;
  }

  private session(session: string): string {
    return `${this.prefix}trg-${session}`;
  }

  private retained(name: string, key: string): string {
    return `${this.prefix}ev-${name}${SEP}${key}`;
  }

  private waits(name: string, key: string): string {
    return `${this.prefix}wait-${name}${SEP}${key}`;
  }

  private map(runId: string, node: string, taskId: string): string {
    return `${this.prefix}map-${runId}${SEP}${node}${SEP}${taskId}`;
  }

  /**
   * Run a script by its SHA1, sending its source once when Redis does not know it (first use, or
   * after a restart). Plain EVALSHA/EVAL rather than ioredis' defineCommand: a NOSCRIPT reply is
   * then an ordinary command error, also inside an auto-pipeline.
   */
  private script(script: Script, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    const lua = (SOURCES[script] ??= readFileSync(new URL(`./lua/${SCRIPTS[script]}.lua`, import.meta.url), 'utf8'));
    const sha = (SHAS[script] ??= createHash('sha1').update(lua).digest('hex'));
    return this.retry(script, async () => {
      try {
        return await this.client().evalsha(sha, keys.length, ...keys, ...args);
      } catch (error) {
        if (!String((error as Error).message).includes('NOSCRIPT')) throw error;
        return this.client().eval(lua, keys.length, ...keys, ...args);
      }
    });
  }
}

function member(entry: WaitEntry): string {
  return `${entry.runId}${SEP}${entry.node}${SEP}${entry.taskId}`;
}
