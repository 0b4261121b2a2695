/**
 * Every Redis key and pub/sub channel the Redis result backend uses, built in this one module.
 *
 * Celery's layout (wire README §5.1): `celery-task-meta-<id>` (meta; its PUBLISH channel is the key
 * name), `celery-taskset-meta-<gid>` (saved group), and the chord counters `<taskset>.j` (zset of
 * parts), `.s` (size) and `.t` (extra count). celeriac adds `<taskset>.celeriac.ids` (the task ids
 * already counted, for idempotent counting) and `<taskset>.celeriac.done` (the task whose part
 * completed the chord), which Python ignores, and the revocation zsets
 * `celeriac.revoked.tasks` / `celeriac.revoked.roots` with the channel `/<db>.celeriac.revoked`
 * (pub/sub is not per database, so the channel names the database like kombu's fanout channels),
 * `celeriac-advanced-<id>` (a task's follow-ups were claimed/sent) and `celeriac-failures-<key>`
 * (worker-side handling failures of a delivery, for the poison cap).
 * `keyPrefix` (newer Celery's `global_keyprefix`) is put in front of every key and channel.
 * @module
 */

/** Builds the result backend's keys for one prefix and database. */
export class RedisBackendKeys {
  constructor(
    /** Put in front of every key and channel. */
    readonly prefix: string,
    /** The database number, used in the revocation channel name. */
    readonly db: number,
  ) {}

  /** A stored canvas fragment (`celeriac-canvas-<id>`, named by the publisher). */
  canvasFragment(name: string): string {
    return `${this.prefix}${name}`;
  }

  /** A task's meta (`celery-task-meta-<id>`); also the channel its writes are published on. */
  taskMeta(taskId: string): string {
    return `${this.prefix}celery-task-meta-${taskId}`;
  }

  /** The glob pattern matching every task-meta channel of this prefix (special characters escaped). */
  taskMetaPattern(): string {
    return `${this.prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}celery-task-meta-*`;
  }

  /** A saved group's result tuple (`celery-taskset-meta-<gid>`). */
  groupMeta(groupId: string): string {
    return `${this.prefix}celery-taskset-meta-${groupId}`;
  }

  /** The chord counter keys of a group. */
  chord(groupId: string): { parts: string; size: string; extra: string; counted: string; completedBy: string } {
    const base = this.groupMeta(groupId);
    return {
      parts: `${base}.j`,
      size: `${base}.s`,
      extra: `${base}.t`,
      counted: `${base}.celeriac.ids`,
      completedBy: `${base}.celeriac.done`,
    };
  }

  /** The follow-ups claim of a task (`celeriac-advanced-<id>`: `pending`, then `done`). */
  advanced(taskId: string): string {
    return `${this.prefix}celeriac-advanced-${taskId}`;
  }

  /** The worker-side handling failures of one delivery (`celeriac-failures-<key>`, a counter). */
  handlingFailures(key: string): string {
    return `${this.prefix}celeriac-failures-${key}`;
  }

  /** Revoked task ids (zset: id → expiry, epoch ms). */
  get revokedTasks(): string {
    return `${this.prefix}celeriac.revoked.tasks`;
  }

  /** Revoked workflow root ids (zset: id → expiry, epoch ms). */
  get revokedRoots(): string {
    return `${this.prefix}celeriac.revoked.roots`;
  }

  /** The channel revocations are pushed on. */
  get revokedChannel(): string {
    return `${this.prefix}/${this.db}.celeriac.revoked`;
  }
}
