/**
 * The Redis result backend (`redis://`, `rediss://`), compatible with Celery 5.2.6's
 * `celery/backends/redis.py` (wire README §5), so Python and celeriac read each other's results
 * and complete each other's chords.
 *
 * - Metas: `celery-task-meta-<id>`, SET with expiry + PUBLISH on the key's name, atomically and
 *   never over a stored SUCCESS (`lua/store-meta.lua`); Celery's key order; json or msgpack.
 * - Groups: `celery-taskset-meta-<gid>` = encode({"result": tuple}).
 * - Chords: `.s` size (plain decimal), `.j` zset of `[1, id, state, result]` scored by
 *   group_index, `.t` extra count; counting is one idempotent script (`lua/chord-part.lua`).
 * - `waitFor` subscribes before it reads; every waiter shares one subscriber connection.
 * - Revocations are persisted and pushed; `isRevoked` answers from a local copy.
 * - Connections reconnect by themselves; operations retry until `operationTimeoutMs`.
 *
 * Standalone Redis only (no Cluster). The build must copy `src/backend/lua/*.lua`
 * (`scripts/copy-lua.mjs` does).
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { TransportError } from '../errors.js';
import type { SignatureDict } from '../protocol/message.js';
import type { ResultTuple, TaskMeta } from '../protocol/result-meta.js';
import { serializerByName, type Serializer } from '../protocol/serializer.js';
import type { AdvanceClaim, ChordPart, ChordProgress, ResultBackend, WaitOptions } from './backend.js';
import { RedisBackendKeys } from './redis-keys.js';
import { decodeChordPart, decodeGroup, decodeMeta, encodeChordPart, encodeValue, orderedMeta } from './redis/codec.js';
import { closeClient, createRedisClient, isFatalConnectError, openClient, retryUntil } from '../redis/connection.js';
import { databaseOf, resolveBackendOptions, type RedisBackendOptions, type ResolvedRedisBackendOptions } from './redis/options.js';
import { RevocationCache } from './redis/revocations.js';
import { defineBackendScripts, runBackendScript } from './redis/scripts.js';
import { SubscriberHub } from './redis/subscriber.js';
import { TickBatcher } from './redis/tick-batcher.js';
import { MetaWaiters } from './redis/meta-waiters.js';

export type { RedisBackendOptions } from './redis/options.js';

/** Expiry of advance claims and failure counters when results never expire (`expiresSeconds` 0): a week. */
const ADVANCE_TTL_SECONDS = 7 * 24 * 3_600;

/** The Redis result backend; see the module documentation. */
export class RedisBackend implements ResultBackend {
  readonly kind = 'redis';
  private readonly options: ResolvedRedisBackendOptions;
  private readonly keys: RedisBackendKeys;
  private readonly serializer: Serializer;
  private readonly hub: SubscriberHub;
  private readonly revocations: RevocationCache;
  private readonly waiters: MetaWaiters;
  private readonly stores: TickBatcher<{ key: string; value: string | Buffer }, number>;
  private readonly chordParts: TickBatcher<{ keys: readonly string[]; args: ReadonlyArray<string | number | Buffer> }, unknown[]>;
  private commandClient: Redis | undefined;
  private connecting: Promise<void> | undefined;

  constructor(options: RedisBackendOptions = {}) {
    this.options = resolveBackendOptions(options);
    this.keys = new RedisBackendKeys(this.options.keyPrefix, databaseOf(this.options.url));
    this.serializer = serializerByName(this.options.serializer);
    this.hub = new SubscriberHub(this.options.url, this.options.connectionName, this.options.onError, this.options.tls);
    this.revocations = new RevocationCache(
      () => this.client(),
      this.hub,
      this.keys,
      this.options.expiresSeconds,
      this.options.onError,
    );
    const ttl = this.options.expiresSeconds;
    this.stores = new TickBatcher(
      async (items) =>
        (await this.retry('storeMeta', () =>
          runBackendScript(this.client(), 'store-meta', items.map((item) => item.key), [ttl, ...items.map((item) => item.value)]),
        )) as number[],
    );
    this.chordParts = new TickBatcher(
      async (items) =>
        (await this.retry('addChordPart', () =>
          runBackendScript(this.client(), 'chord-part', items.flatMap((item) => item.keys), [ttl, ...items.flatMap((item) => item.args)], true),
        )) as unknown[][],
    );
    this.waiters = new MetaWaiters({
      hub: this.hub,
      channelOf: (id) => this.keys.taskMeta(id),
      readMany: (ids) => this.getMetas(ids),
      decode: decodeMeta,
      operationTimeoutMs: this.options.operationTimeoutMs,
      onError: this.options.onError,
      pattern: this.keys.taskMetaPattern(),
      patternThreshold: this.options.patternWaitThreshold,
    });
  }

  connect(): Promise<void> {
    this.connecting ??= (async () => {
      const client = createRedisClient(this.options.url, this.options.connectionName, 'cmd', this.options.onError, this.options.tls);
      defineBackendScripts(client);
      this.commandClient = client;
      try {
        await openClient(client, this.options.url);
      } catch (error) {
        if (isFatalConnectError(error)) {
          this.connecting = undefined;
          this.commandClient = undefined;
          throw error;
        }
        this.options.onError(error as Error);
      }
    })();
    return this.connecting;
  }

  storeMeta(meta: TaskMeta): Promise<boolean> {
    let value: string | Buffer;
    try {
      value = encodeValue(this.serializer, orderedMeta(meta));
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return this.stores.add({ key: this.keys.taskMeta(meta.task_id), value }).then(isStored);
  }

  async getMeta(taskId: string): Promise<TaskMeta | undefined> {
    const bytes = await this.retry('getMeta', () => this.client().getBuffer(this.keys.taskMeta(taskId)));
    return bytes ? decodeMeta(bytes, taskId) : undefined;
  }

  async getMetas(taskIds: readonly string[]): Promise<Array<TaskMeta | undefined>> {
    if (taskIds.length === 0) return [];
    const values = await this.retry('getMetas', () => this.client().mgetBuffer(...taskIds.map((id) => this.keys.taskMeta(id))));
    return values.map((bytes, index) => (bytes ? decodeMeta(bytes, taskIds[index]!) : undefined));
  }

  /**
   * Resolves `undefined` on timeout, on abort, or when this backend is closed. Subscribes before it
   * reads; waits made in the same tick share one SUBSCRIBE and one MGET (see `redis/meta-waiters.ts`).
   */
  waitFor(taskId: string, options: WaitOptions = {}): Promise<TaskMeta | undefined> {
    // Once connected, straight to the registry (no extra promise per wait).
    if (this.commandClient) return this.waiters.wait(taskId, options);
    return this.connect().then(() => this.waiters.wait(taskId, options));
  }

  async forget(taskId: string): Promise<void> {
    await this.retry('forget', () => this.client().del(this.keys.taskMeta(taskId)));
  }

  async saveGroup(groupId: string, tuple: ResultTuple): Promise<void> {
    await this.setAndPublish(this.keys.groupMeta(groupId), encodeValue(this.serializer, { result: tuple }), 'saveGroup');
  }

  async restoreGroup(groupId: string): Promise<ResultTuple | undefined> {
    const bytes = await this.retry('restoreGroup', () => this.client().getBuffer(this.keys.groupMeta(groupId)));
    return bytes ? decodeGroup(bytes) : undefined;
  }

  async deleteGroup(groupId: string): Promise<void> {
    await this.retry('deleteGroup', () => this.client().del(this.keys.groupMeta(groupId)));
  }

  async setChordSize(groupId: string, size: number): Promise<void> {
    if (!Number.isInteger(size) || size < 0) throw new RangeError(`Chord size must be a non-negative integer, got ${size}`);
    await this.setAndPublish(this.keys.chord(groupId).size, String(size), 'setChordSize');
  }

  async addChordPart(groupId: string, part: ChordPart): Promise<ChordProgress> {
    const keys = this.keys.chord(groupId);
    const score = part.index === null || part.index === undefined ? '+inf' : part.index;
    const reply = (await this.chordParts.add({
      keys: [keys.parts, keys.size, keys.extra, keys.counted, keys.completedBy],
      args: [part.taskId, encodeChordPart(this.serializer, part), score],
    })) as Array<number | Buffer>;
    const counted = reply[1] === 1;
    if (reply[0] !== 1) return { complete: false, counted };
    const parts: ChordPart[] = [];
    for (let i = 2; i + 1 < reply.length; i += 2) {
      parts.push(decodeChordPart(reply[i] as Buffer, String(reply[i + 1])));
    }
    return { complete: true, parts };
  }

  async growChord(groupId: string, count: number): Promise<void> {
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`A chord grows by a positive integer, got ${count}`);
    const key = this.keys.chord(groupId).extra;
    const ttl = this.options.expiresSeconds;
    await this.retry('growChord', async () => {
      const batch = this.client().multi().incrby(key, count);
      if (ttl > 0) batch.expire(key, ttl);
      await batch.exec();
    });
  }

  async clearChord(groupId: string): Promise<void> {
    const keys = this.keys.chord(groupId);
    await this.retry('clearChord', () => this.client().del(keys.parts, keys.size, keys.extra, keys.counted, keys.completedBy));
  }

  async revoke(ids: { taskIds?: readonly string[]; rootIds?: readonly string[] }): Promise<void> {
    await this.retry('revoke', () => this.revocations.revoke(ids.taskIds ?? [], ids.rootIds ?? []));
  }

  isRevokedNow(taskId: string, rootId?: string): boolean | undefined {
    return this.revocations.isRevokedNow(taskId, rootId);
  }

  async isRevoked(taskId: string, rootId?: string): Promise<boolean> {
    return this.revocations.isRevokedNow(taskId, rootId) ?? this.retry('isRevoked', () => this.revocations.isRevoked(taskId, rootId));
  }

  async storeCanvas(key: string, dict: SignatureDict): Promise<void> {
    const redisKey = this.keys.canvasFragment(key);
    const value = JSON.stringify(dict);
    await this.retry('storeCanvas', () =>
      this.options.expiresSeconds > 0 ? this.client().set(redisKey, value, 'EX', this.options.expiresSeconds) : this.client().set(redisKey, value),
    );
  }

  async loadCanvas(key: string): Promise<SignatureDict | undefined> {
    const value = await this.retry('loadCanvas', () => this.client().get(this.keys.canvasFragment(key)));
    return value === null ? undefined : (JSON.parse(value) as SignatureDict);
  }

  async storeChain(key: string, steps: readonly SignatureDict[]): Promise<void> {
    const redisKey = this.keys.canvasFragment(key);
    const fields: string[] = [];
    steps.forEach((step, index) => fields.push(String(index), JSON.stringify(step)));
    await this.retry('storeChain', () => {
      const tx = this.client().multi().del(redisKey).hset(redisKey, ...fields);
      if (this.options.expiresSeconds > 0) tx.expire(redisKey, this.options.expiresSeconds);
      return tx.exec();
    });
  }

  async loadChainSteps(key: string, from: number, count: number): Promise<Array<SignatureDict | undefined>> {
    const redisKey = this.keys.canvasFragment(key);
    const fields = Array.from({ length: count }, (_, i) => String(from + i));
    if (fields.length === 0) return [];
    const values = await this.retry('loadChainSteps', () => this.client().hmget(redisKey, ...fields));
    return values.map((value) => (value === null ? undefined : (JSON.parse(value) as SignatureDict)));
  }

  async claimAdvance(taskId: string): Promise<AdvanceClaim> {
    const key = this.keys.advanced(taskId);
    const ttl = this.options.expiresSeconds > 0 ? this.options.expiresSeconds : ADVANCE_TTL_SECONDS;
    // SET NX GET answers the previous value in the same atomic step (null: this call claimed it).
    // The value is unique to this call, so a retried SET whose first reply was lost still sees its own claim.
    const token = `pending:${randomUUID()}`;
    const previous = await this.retry('claimAdvance', () => this.client().call('SET', key, token, 'NX', 'GET', 'EX', ttl));
    return previous === null || previous === token ? 'claimed' : previous === 'done' ? 'done' : 'pending';
  }

  async completeAdvance(taskId: string): Promise<void> {
    const ttl = this.options.expiresSeconds > 0 ? this.options.expiresSeconds : ADVANCE_TTL_SECONDS;
    await this.retry('completeAdvance', () => this.client().set(this.keys.advanced(taskId), 'done', 'EX', ttl));
  }

  async countHandlingFailure(key: string): Promise<number> {
    const redisKey = this.keys.handlingFailures(key);
    const ttl = this.options.expiresSeconds > 0 ? this.options.expiresSeconds : ADVANCE_TTL_SECONDS;
    const results = await this.retry('countHandlingFailure', () => this.client().multi().incr(redisKey).expire(redisKey, ttl).exec());
    const [error, count] = results?.[0] ?? [new TransportError('countHandlingFailure: no reply'), 0];
    if (error) throw error;
    return Number(count);
  }

  async close(): Promise<void> {
    this.waiters.close();
    this.revocations.close();
    await this.hub.close();
    const client = this.commandClient;
    this.commandClient = undefined;
    this.connecting = undefined;
    if (client) await closeClient(client);
  }

  /** SET with the result expiry and PUBLISH on the key's name, in one MULTI (Celery's `set`). */
  private async setAndPublish(key: string, value: Buffer | string, what: string): Promise<void> {
    await this.retry(what, async () => {
      const transaction = this.client().multi();
      if (this.options.expiresSeconds > 0) transaction.set(key, value, 'EX', this.options.expiresSeconds);
      else transaction.set(key, value);
      transaction.publish(key, value);
      const results = (await transaction.exec()) ?? [];
      const failed = results.find(([error]) => error);
      if (failed?.[0]) throw failed[0];
    });
  }

  /** Connect if needed, then run `attempt` with retries until the operation deadline. */
  private async retry<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    await this.connect();
    return retryUntil(Date.now() + this.options.operationTimeoutMs, what, attempt);
  }

  private client(): Redis {
    if (!this.commandClient) throw new TransportError('Redis backend is not connected');
    return this.commandClient;
  }
}

/** A `store-meta.lua` reply: 1 when stored, 0 when a SUCCESS was already there. */
function isStored(reply: number): boolean {
  return reply === 1;
}
