/**
 * The Redis workflow store: one hash per run, index zsets per workflow / project / status (so list
 * pages cost the same at 1k or 100k runs), graphs stored once by content id, and every state change
 * in one documented Lua script (`lua/*.lua`, with `lua/common.lua` prepended). Events go out on one
 * pub/sub channel. Operations retry through Redis restarts until `operationTimeoutMs`.
 * Standalone Redis only. The build copies `src/workflow/store/lua/` (scripts/copy-lua.mjs).
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { closeClient, createRedisClient, openClient, retryUntil } from '../../redis/connection.js';
import type { WorkflowGraph } from '../definition/spec.js';
import type { ListQuery, NodeError, NodeStatus, RunStatus, WorkflowEvent } from '../types.js';
import { decodeCursor, encodeCursor, pageLimit } from './cursor.js';
import { WorkflowKeys } from './redis-keys.js';
import { databaseOf } from '../../backend/redis/options.js';
import { parseRunHash } from './redis-run.js';
import { RedisSignalStore } from './signals-redis.js';
import type { SignalStore } from './signals.js';
import type {
  Claim, ClaimRequest, CloseRequest, CloseResult, HeadPage, JoinCounts, NodeOutcome, NodeReset, RunHead, RunMeta, RunState, SettleResult,
  Unsubscribe, WorkflowStore,
} from './store.js';

/** Options of {@link RedisWorkflowStore}. Every field documents its default. */
export interface RedisWorkflowStoreOptions {
  /** `redis://` or `rediss://` URL. Default: `redis://127.0.0.1:6379/0`. */
  url?: string;
  /** Prefix of every key and channel. Default: `'celeriac-wf-'`. */
  workflowKeyPrefix?: string;
  /** Retry operations through connection loss for this long. Default: 30,000 ms. */
  operationTimeoutMs?: number;
  /** Client name prefix shown in CLIENT LIST. Default: `'celeriac'`. */
  connectionName?: string;
}

const SCRIPTS = ['create-run', 'start-node', 'settle-node', 'claim-nodes', 'close-run', 'reopen-run'] as const;
type ScriptName = (typeof SCRIPTS)[number];
const json = (value: unknown): string => JSON.stringify(value ?? null);
/** How many run metas a store keeps in memory. */
const META_CACHE_SIZE = 10_000;

/** See the module documentation. */
export class RedisWorkflowStore implements WorkflowStore {
  readonly kind = 'redis';
  private readonly url: string;
  private readonly keys: WorkflowKeys;
  private readonly timeoutMs: number;
  private readonly name: string;
  private command: Redis | undefined;
  private subscriber: Redis | undefined;
  private readonly listeners = new Set<(event: WorkflowEvent) => void>();
  /** Run metas never change once written: the newest ones are kept here to save a round trip per step. */
  private readonly metas = new Map<string, RunMeta>();
  private signalStore: RedisSignalStore | undefined;

  constructor(options: RedisWorkflowStoreOptions = {}) {
    this.url = options.url ?? 'redis://127.0.0.1:6379/0';
    this.keys = new WorkflowKeys(options.workflowKeyPrefix ?? 'celeriac-wf-', databaseOf(this.url));
    this.timeoutMs = options.operationTimeoutMs ?? 30_000;
    this.name = options.connectionName ?? 'celeriac';
  }

  async connect(): Promise<void> {
    if (!this.command) {
      const client = createRedisClient(this.url, `${this.name}:wf`, 'cmd', () => undefined);
      const common = readFileSync(new URL('./lua/common.lua', import.meta.url), 'utf8');
      for (const script of SCRIPTS) client.defineCommand(commandOf(script), { lua: `${common}\n${readFileSync(new URL(`./lua/${script}.lua`, import.meta.url), 'utf8')}` });
      this.command = client;
    }
    await this.retry('connect', () => openClient(this.command!, this.url));
  }

  async close(): Promise<void> {
    const clients = [this.command, this.subscriber].filter((c): c is Redis => c !== undefined);
    this.command = undefined;
    this.subscriber = undefined;
    this.listeners.clear();
    await Promise.all(clients.map(closeClient));
  }

  async saveGraph(graphId: string, graph: WorkflowGraph, expiresSeconds: number): Promise<void> {
    const key = this.keys.graph(graphId);
    await this.retry('saveGraph', async () => {
      await this.client().set(key, JSON.stringify(graph), 'NX');
      // Keep the graph at least as long as the newest run that refers to it.
      if (expiresSeconds > 0) await this.client().expire(key, expiresSeconds * 2);
      else await this.client().persist(key);
    });
  }

  async loadGraph(graphId: string): Promise<WorkflowGraph | undefined> {
    const text = await this.retry('loadGraph', () => this.client().get(this.keys.graph(graphId)));
    return text === null ? undefined : (JSON.parse(text) as WorkflowGraph);
  }

  async createRun(meta: RunMeta, taskIds: Readonly<Record<string, string>>, options: { expiresSeconds: number; retention?: number }): Promise<{ trimmed: string[] }> {
    const pairs = Object.entries(taskIds).flat();
    const args = [this.keys.prefix, meta.fullname, meta.project, meta.id, meta.created, JSON.stringify(meta), options.expiresSeconds, JSON.stringify(Object.keys(taskIds)), ...pairs];
    const created = await this.script('create-run', meta.id, args);
    if (created !== 1) throw new Error(`run ${meta.id} exists already`);
    this.remember(meta);
    if (options.retention === undefined) return { trimmed: [] };
    const old = await this.retry('retention', () => this.client().zrevrange(this.keys.byName(meta.fullname), options.retention!, -1));
    for (const id of old) await this.deleteRun(id);
    return { trimmed: old };
  }

  async readMeta(runId: string): Promise<RunMeta | undefined> {
    const cached = this.metas.get(runId);
    if (cached) return cached;
    const text = await this.retry('readMeta', () => this.client().hget(this.keys.run(runId), 'meta'));
    if (text === null) return undefined;
    const meta = JSON.parse(text) as RunMeta;
    this.remember(meta);
    return meta;
  }

  private remember(meta: RunMeta): void {
    this.metas.set(meta.id, meta);
    if (this.metas.size > META_CACHE_SIZE) this.metas.delete(this.metas.keys().next().value!);
  }

  async getRun(runId: string): Promise<RunState | undefined> {
    return parseRunHash(await this.retry('getRun', () => this.client().hgetall(this.keys.run(runId))));
  }

  async listRuns(query: ListQuery): Promise<HeadPage> {
    const limit = pageLimit(query.limit);
    const fullname = query.name === undefined ? undefined : query.name.includes('.') ? query.name : query.project !== undefined ? `${query.project}.${query.name}` : query.name;
    const index =
      fullname !== undefined && query.status !== undefined ? this.keys.byNameAndStatus(fullname, query.status)
      : fullname !== undefined ? this.keys.byName(fullname)
      : query.status !== undefined ? this.keys.byStatus(query.status)
      : query.project !== undefined ? this.keys.byProject(query.project)
      : this.keys.all();
    const after = query.cursor !== undefined ? decodeCursor(query.cursor) : undefined;
    const items: RunHead[] = [];
    let max: string = after ? String(after.created) : '+inf';
    let skipTies = after;
    while (items.length <= limit) {
      const batch = await this.retry('listRuns', () => this.client().zrevrangebyscore(index, max, '-inf', 'WITHSCORES', 'LIMIT', 0, limit + 50));
      if (batch.length === 0) break;
      const ids: Array<{ id: string; score: number }> = [];
      for (let i = 0; i < batch.length; i += 2) ids.push({ id: batch[i]!, score: Number(batch[i + 1]) });
      const fresh = ids.filter(({ id, score }) => !(skipTies && score === skipTies.created && id >= skipTies.id));
      const heads = await this.heads(fresh.map(({ id }) => id), index);
      for (const head of heads) {
        if (head && (query.project === undefined || head.meta.project === query.project) && (query.status === undefined || head.status === query.status)) items.push(head);
      }
      const last = ids[ids.length - 1]!;
      if (batch.length / 2 < limit + 50) break;
      max = `(${last.score}`;
      skipTies = undefined;
      if (ids.every(({ score }) => score === last.score)) {
        max = String(last.score);
        skipTies = { created: last.score, id: last.id };
      }
    }
    const page = items.slice(0, limit);
    const tail = page[page.length - 1];
    return items.length > limit && tail ? { items: page, cursor: encodeCursor(tail.meta.created, tail.meta.id) } : { items: page };
  }

  async startNode(runId: string, key: string, taskId: string, at: number): Promise<{ node: boolean; run: boolean }> {
    const meta = await this.readMeta(runId);
    if (!meta) return { node: false, run: false };
    const [node, run] = (await this.script('start-node', runId, [key, taskId, at, this.keys.prefix, meta.fullname, runId, meta.created])) as [number, number];
    return { node: node === 1, run: run === 1 };
  }

  async settleNode(runId: string, outcome: NodeOutcome, children: readonly string[]): Promise<SettleResult> {
    const meta = await this.readMeta(runId);
    if (!meta) return { first: false, status: undefined, previous: undefined, counts: {}, done: 0, errors: 0, runStatus: undefined };
    const args = [
      outcome.key, outcome.taskId ?? '', outcome.status, outcome.status === 'success' ? json(outcome.result) : '', outcome.error ? JSON.stringify(outcome.error) : '',
      outcome.retries === undefined ? '' : outcome.retries, outcome.at, (outcome.onlyFrom ?? []).join(','), this.keys.prefix, meta.fullname, runId, meta.created, ...children,
    ];
    const reply = (await this.script('settle-node', runId, args)) as Array<string | number>;
    if (reply.length === 0) return { first: false, status: undefined, previous: undefined, counts: {}, done: 0, errors: 0, runStatus: undefined };
    const counts: Record<string, JoinCounts> = {};
    children.forEach((child, i) => (counts[child] = { settled: Number(reply[7 + 3 * i]), ok: Number(reply[8 + 3 * i]), skipped: Number(reply[9 + 3 * i]) }));
    const runPrevious = reply[6] === '' ? undefined : (reply[6] as RunStatus);
    return {
      first: reply[0] === 1,
      status: reply[1] as NodeStatus,
      previous: reply[2] as NodeStatus,
      done: Number(reply[3]),
      errors: Number(reply[4]),
      runStatus: reply[5] as RunStatus,
      counts,
      ...(runPrevious ? { runPrevious } : {}),
    };
  }

  async claimNodes(runId: string, requests: readonly ClaimRequest[]): Promise<Claim[]> {
    if (requests.length === 0) return [];
    const args: Array<string | number> = [requests.length];
    for (const request of requests) args.push(request.key, request.by, request.parents.length, ...request.parents);
    const reply = (await this.script('claim-nodes', runId, args)) as Array<string | number>;
    const claims: Claim[] = [];
    let at = 0;
    for (const request of requests) {
      const count = Number(reply[at + 2]);
      const raw = reply.slice(at + 3, at + 3 + count) as string[];
      claims.push({ key: request.key, claimed: reply[at] === 1, taskId: String(reply[at + 1]), parentResults: raw.map((text) => (text === '' ? null : JSON.parse(text))) });
      at += 3 + count;
    }
    return claims;
  }

  async markSent(runId: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.retry('markSent', () => this.client().hset(this.keys.run(runId), ...keys.flatMap((key) => [`x:${key}`, '1'])));
  }

  async closeRun(runId: string, request: CloseRequest): Promise<CloseResult> {
    const meta = await this.readMeta(runId);
    if (!meta) return { changed: false, previous: undefined, status: undefined, canceled: [] };
    const ttl = await this.retry('closeRun', () => this.client().ttl(this.keys.run(runId)));
    const args = [request.status, request.at, request.cancelPending ? 1 : 0, request.cancelRunning ? 1 : 0, request.error ? JSON.stringify(request.error) : '', this.keys.prefix, meta.fullname, runId, meta.created, ttl > 0 ? ttl : 0];
    const reply = (await this.script('close-run', runId, args)) as Array<string | number>;
    if (reply.length === 0) return { changed: false, previous: undefined, status: undefined, canceled: [] };
    const canceled: Array<{ key: string; taskId: string; previous: NodeStatus }> = [];
    for (let i = 3; i < reply.length; i += 3) canceled.push({ key: String(reply[i]), taskId: String(reply[i + 1]), previous: reply[i + 2] as NodeStatus });
    return { changed: reply[0] === 1, previous: reply[1] as RunStatus, status: reply[2] as RunStatus, canceled };
  }

  async reopenRun(runId: string, resets: readonly NodeReset[], at: number): Promise<boolean> {
    const meta = await this.readMeta(runId);
    if (!meta) return false;
    const reopened = await this.script('reopen-run', runId, [JSON.stringify(resets), at, this.keys.prefix, meta.fullname, runId, meta.created]);
    return reopened === 1;
  }

  async once(runId: string, name: string): Promise<boolean> {
    return (await this.retry('once', () => this.client().hsetnx(this.keys.run(runId), `once:${name}`, '1'))) === 1;
  }

  async publish(events: readonly WorkflowEvent[]): Promise<void> {
    if (events.length === 0) return;
    const channel = this.keys.events();
    await this.retry('publish', () => Promise.all(events.map((event) => this.client().publish(channel, JSON.stringify(event)))));
  }

  async subscribe(listener: (event: WorkflowEvent) => void): Promise<Unsubscribe> {
    if (!this.subscriber) {
      const subscriber = createRedisClient(this.url, `${this.name}:wf`, 'wait', () => undefined);
      subscriber.on('message', (_channel: string, text: string) => {
        let event: WorkflowEvent;
        try {
          event = JSON.parse(text) as WorkflowEvent;
        } catch {
          return;
        }
        for (const l of [...this.listeners]) l(event);
      });
      this.subscriber = subscriber;
      await this.retry('subscribe', async () => {
        await openClient(subscriber, this.url);
        await subscriber.subscribe(this.keys.events());
      });
    }
    this.listeners.add(listener);
    return async () => {
      this.listeners.delete(listener);
    };
  }

  async deleteRun(runId: string): Promise<void> {
    const meta = await this.readMeta(runId);
    this.metas.delete(runId);
    const client = this.client();
    await this.retry('deleteRun', async () => {
      const pipeline = client.multi().del(this.keys.run(runId)).zrem(this.keys.all(), runId);
      if (meta) {
        pipeline.zrem(this.keys.byName(meta.fullname), runId).zrem(this.keys.byProject(meta.project), runId);
        for (const status of ['pending', 'progress', 'success', 'error', 'canceled']) {
          pipeline.zrem(this.keys.byStatus(status), runId).zrem(this.keys.byNameAndStatus(meta.fullname, status), runId);
        }
      }
      await pipeline.exec();
    });
  }

  signals(): SignalStore {
    this.signalStore ??= new RedisSignalStore(() => this.client(), this.keys.prefix, (what, attempt) => this.retry(what, attempt));
    return this.signalStore;
  }

  /** Heads of runs; a run that expired is removed from `index` (lazily) and skipped. */
  private async heads(ids: readonly string[], index: string): Promise<Array<RunHead | undefined>> {
    if (ids.length === 0) return [];
    const pipeline = this.client().pipeline();
    for (const id of ids) pipeline.hmget(this.keys.run(id), 'meta', 'status', 'updated');
    const replies = (await this.retry('listRuns', () => pipeline.exec())) ?? [];
    const gone: string[] = [];
    const heads = replies.map(([, value], i) => {
      const [meta, status, updated] = (value ?? []) as Array<string | null>;
      if (!meta || !status) {
        gone.push(ids[i]!);
        return undefined;
      }
      return { meta: JSON.parse(meta) as RunMeta, status: status as RunStatus, updated: Number(updated) };
    });
    if (gone.length > 0) await this.client().zrem(index, ...gone).catch(() => undefined);
    return heads;
  }

  private script(name: ScriptName, runId: string, args: ReadonlyArray<string | number>): Promise<unknown> {
    const method = (this.client() as unknown as Record<string, (...a: Array<string | number>) => Promise<unknown>>)[commandOf(name)]!;
    return this.retry(name, () => method.call(this.client(), 1, this.keys.run(runId), ...args));
  }

  private client(): Redis {
    if (!this.command) throw new Error('the workflow store is not connected');
    return this.command;
  }

  private retry<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    return retryUntil(Date.now() + this.timeoutMs, `workflow store ${what}`, attempt);
  }
}

function commandOf(script: ScriptName): string {
  return `celeriacWorkflow_${script.replace(/-/g, '_')}`;
}

export type { NodeError };
