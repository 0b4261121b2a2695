/**
 * Every Redis key and key-derived string the Redis broker uses, built in this one module.
 *
 * The layout is kombu's (Celery's Redis transport), so Python producers and workers share it:
 * - a queue is a LIST named after the queue; priority buckets are `<queue>\x06\x16<step>`;
 * - `_kombu.binding.<queue>` is a SET holding `<routing key>\x06\x16<pattern>\x06\x16<queue>`;
 * - `unacked` (HASH tag → `[envelope, exchange, routing_key]`), `unacked_index` (ZSET tag → epoch
 *   seconds) and the sweep lock `unacked_mutex`.
 * celeriac adds `celeriac.delayed` (ZSET of parked messages) and `<queue>.celeriac.dead` (dead
 * letters). `keyPrefix` (kombu's `global_keyprefix`) is put in front of every key.
 * @module
 */

/** kombu's separator between a queue name and its priority step, and inside binding members. */
export const KOMBU_SEPARATOR = '\x06\x16';

/** kombu's default priority steps: bucket = the largest step ≤ priority; lower steps are served first. */
export const DEFAULT_PRIORITY_STEPS: readonly number[] = [0, 3, 6, 9];

/** Builds the broker's Redis keys for one key prefix and one set of priority steps. */
export class RedisBrokerKeys {
  /** The hash of unacknowledged messages (tag → `[envelope, exchange, routing_key]`). */
  readonly unacked: string;
  /** The zset of unacknowledged tags scored by delivery time (epoch seconds). */
  readonly unackedIndex: string;
  /** The lock taken by whoever sweeps `unacked_index` for expired deliveries. */
  readonly unackedMutex: string;
  /** The zset of parked (delayed) messages, scored by due time in epoch ms. */
  readonly delayed: string;
  private readonly steps: readonly number[];

  constructor(
    /** Put in front of every key (kombu's `global_keyprefix`). */
    readonly prefix: string,
    prioritySteps: readonly number[] = DEFAULT_PRIORITY_STEPS,
  ) {
    this.steps = [...new Set(prioritySteps)].sort((a, b) => a - b);
    if (this.steps[0] !== 0) this.steps = [0, ...this.steps];
    this.unacked = `${prefix}unacked`;
    this.unackedIndex = `${prefix}unacked_index`;
    this.unackedMutex = `${prefix}unacked_mutex`;
    this.delayed = `${prefix}celeriac.delayed`;
  }

  /** The bucket of a priority: the largest step ≤ priority (clamped to 0..9; invalid counts as 0). */
  stepFor(priority: unknown): number {
    const clamped = clampPriority(priority);
    let chosen = 0;
    for (const step of this.steps) if (step <= clamped) chosen = step;
    return chosen;
  }

  /** The list holding messages of `queue` with the given priority. */
  queueList(queue: string, priority: unknown = 0): string {
    const step = this.stepFor(priority);
    return step === 0 ? `${this.prefix}${queue}` : `${this.prefix}${queue}${KOMBU_SEPARATOR}${step}`;
  }

  /** Every list of `queue`, in service order (priority 0 first). */
  queueLists(queue: string): string[] {
    return this.steps.map((step) => this.queueList(queue, step));
  }

  /**
   * The lists of several queues in kombu's service order: by priority step first, then by queue
   * order (`[q1, q2, q1\x06\x163, q2\x06\x163, …]`). Each entry says which queue it belongs to.
   */
  serviceOrder(queues: readonly string[]): Array<{ key: string; queue: string }> {
    const order: Array<{ key: string; queue: string }> = [];
    for (const step of this.steps) for (const queue of queues) order.push({ key: this.queueList(queue, step), queue });
    return order;
  }

  /** The binding set kombu declares for a queue published through the default exchange. */
  bindingSet(exchangeOrQueue: string): string {
    return `${this.prefix}_kombu.binding.${exchangeOrQueue}`;
  }

  /** The member of {@link bindingSet} for a direct queue: `queue\x06\x16\x06\x16queue`. */
  bindingMember(queue: string): string {
    return `${queue}${KOMBU_SEPARATOR}${KOMBU_SEPARATOR}${queue}`;
  }

  /** Parse a binding member into its routing key and queue (`undefined` when malformed). */
  parseBindingMember(member: string): { routingKey: string; queue: string } | undefined {
    const parts = member.split(KOMBU_SEPARATOR);
    if (parts.length !== 3) return undefined;
    return { routingKey: parts[0]!, queue: parts[2]! };
  }

  /** The dead-letter list of a queue (JSON entries `{reason, queue, at, raw}`, newest last). */
  deadLetters(queue: string): string {
    return `${this.prefix}${queue}.celeriac.dead`;
  }
}

/** A priority as an integer 0..9; anything missing or invalid counts as 0 (kombu's rule). */
export function clampPriority(priority: unknown): number {
  const value = typeof priority === 'number' ? priority : Number(priority);
  if (!Number.isFinite(value)) return 0;
  return Math.min(9, Math.max(0, Math.trunc(value)));
}
