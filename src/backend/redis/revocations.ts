/**
 * Revocations: persisted in two zsets (task ids and workflow root ids, scored by their expiry in
 * epoch ms, so each entry lives as long as a result would) and pushed on a channel to every
 * process. Each process keeps a local copy, loaded once (after subscribing, so no push is missed
 * in between) and kept current by the channel, so `isRevoked` costs no round trip.
 * @module
 */
import type { Redis } from 'ioredis';
import type { RedisBackendKeys } from '../redis-keys.js';
import type { SubscriberHub } from './subscriber.js';

/** The payload pushed on the revocation channel. */
interface RevocationPush {
  taskIds: string[];
  rootIds: string[];
  /** Expiry of these entries, epoch ms (null: never). */
  expiresAt: number | null;
}

/** The local, push-updated view of revoked ids. */
export class RevocationCache {
  private readonly tasks = new Map<string, number>();
  private readonly roots = new Map<string, number>();
  private loading: Promise<void> | undefined;
  /** True once the sets were loaded and the channel is listened to (reset by close). */
  private loaded = false;
  private stopListening: (() => void) | undefined;
  private stopReconnect: (() => void) | undefined;

  constructor(
    private readonly client: () => Redis,
    private readonly hub: SubscriberHub,
    private readonly keys: RedisBackendKeys,
    private readonly expiresSeconds: number,
    private readonly onError: (error: Error) => void,
  ) {}

  /** Persist and push revocations; the local view is updated at once. */
  async revoke(taskIds: readonly string[], rootIds: readonly string[]): Promise<void> {
    if (taskIds.length === 0 && rootIds.length === 0) return;
    const now = Date.now();
    const expiresAt = this.expiresSeconds > 0 ? now + this.expiresSeconds * 1000 : null;
    const score = expiresAt ?? '+inf';
    const transaction = this.client().multi();
    for (const [key, ids] of [
      [this.keys.revokedTasks, taskIds],
      [this.keys.revokedRoots, rootIds],
    ] as const) {
      if (ids.length === 0) continue;
      transaction.zadd(key, ...ids.flatMap((id) => [score, id]));
      transaction.zremrangebyscore(key, '-inf', now);
      if (this.expiresSeconds > 0) transaction.expire(key, this.expiresSeconds);
    }
    const push: RevocationPush = { taskIds: [...taskIds], rootIds: [...rootIds], expiresAt };
    transaction.publish(this.keys.revokedChannel, JSON.stringify(push));
    const results = (await transaction.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
    this.apply(push);
  }

  /** True when the task id or its root id is revoked (loads the sets on first use). */
  async isRevoked(taskId: string, rootId?: string): Promise<boolean> {
    await this.ensureLoaded();
    return this.check(taskId, rootId);
  }

  /**
   * The answer from the local copy without waiting, or `undefined` while it is not loaded yet (the
   * worker asks for every message; this spares it a chain of awaits per message).
   */
  isRevokedNow(taskId: string, rootId?: string): boolean | undefined {
    return this.loaded ? this.check(taskId, rootId) : undefined;
  }

  private check(taskId: string, rootId: string | undefined): boolean {
    const now = Date.now();
    return live(this.tasks, taskId, now) || (rootId !== undefined && live(this.roots, rootId, now));
  }

  /** Stop listening. */
  close(): void {
    this.stopListening?.();
    this.stopReconnect?.();
    this.stopListening = undefined;
    this.stopReconnect = undefined;
    this.loading = undefined;
    this.loaded = false;
  }

  private ensureLoaded(): Promise<void> {
    this.loading ??= (async () => {
      this.stopListening = await this.hub.listen(this.keys.revokedChannel, (payload) => this.onPush(payload));
      this.stopReconnect = this.hub.onReconnect(() => void this.load().catch((error: Error) => this.onError(error)));
      await this.load();
      this.loaded = true;
    })().catch((error: unknown) => {
      this.close();
      throw error;
    });
    return this.loading;
  }

  private async load(): Promise<void> {
    const now = Date.now();
    const [tasks, roots] = await Promise.all([
      this.client().zrangebyscore(this.keys.revokedTasks, now, '+inf', 'WITHSCORES'),
      this.client().zrangebyscore(this.keys.revokedRoots, now, '+inf', 'WITHSCORES'),
    ]);
    fill(this.tasks, tasks);
    fill(this.roots, roots);
  }

  private onPush(payload: Buffer): void {
    try {
      this.apply(JSON.parse(payload.toString('utf8')) as RevocationPush);
    } catch (error) {
      this.onError(error as Error);
    }
  }

  private apply(push: RevocationPush): void {
    const expiresAt = push.expiresAt ?? Number.POSITIVE_INFINITY;
    for (const id of push.taskIds ?? []) this.tasks.set(id, Math.max(expiresAt, this.tasks.get(id) ?? 0));
    for (const id of push.rootIds ?? []) this.roots.set(id, Math.max(expiresAt, this.roots.get(id) ?? 0));
  }
}

function live(map: Map<string, number>, id: string, now: number): boolean {
  const expiresAt = map.get(id);
  if (expiresAt === undefined) return false;
  if (expiresAt > now) return true;
  map.delete(id);
  return false;
}

/** Merge a ZRANGE … WITHSCORES reply (`[member, score, …]`) into `map`. */
function fill(map: Map<string, number>, reply: string[]): void {
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const score = reply[i + 1] === 'inf' ? Number.POSITIVE_INFINITY : Number(reply[i + 1]);
    map.set(reply[i]!, Math.max(score, map.get(reply[i]!) ?? 0));
  }
}
