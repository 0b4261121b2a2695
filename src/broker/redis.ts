/**
 * The Redis broker (`redis://`, `rediss://`), wire-compatible with kombu's Redis transport, so
 * Python Celery producers and workers share its queues (wire README §6).
 *
 * - A queue is a LIST; producers LPUSH kombu's JSON envelope, consumers take from the right.
 *   Priorities use kombu's sub-lists `<queue>\x06\x16<step>` (steps 0,3,6,9; lower served first).
 * - Ack emulation uses kombu's `unacked` hash and `unacked_index` zset. Beyond kombu, the pop and
 *   the unacked registration are one atomic script, live consumers keep refreshing their
 *   deliveries' scores, and a visibility sweep restores only dead consumers' messages.
 * - `defer()` and `publish({deliverAt})` park messages in a delayed zset that running brokers
 *   drain when due, so ETA tasks are never redelivered by the visibility timeout.
 * - Rejected messages go to `<queue>.celeriac.dead`; malformed entries are dead-lettered by the
 *   broker itself and reported through `onMalformed`.
 * - Blocking waits run on their own connections (see `redis/watcher.ts`); pops, acks and
 *   publishes are batched. A publish to a queue one of this broker's own consumers reads, while it
 *   has free slots, pushes and claims in one script (`lua/push.lua`): no wake-up, no second trip. Connections reconnect by themselves; publishes and settlements retry
 *   until `operationTimeoutMs`, then throw `TransportError`.
 *
 * - Messages published by celeriac with an `expiration` carry their absolute expiry and are
 *   dead-lettered (`expired`) instead of delivered once it passed; kombu only carries `expiration`.
 *
 * Limits: requires Redis ≥ 6.2 (BLMOVE, RPOP with a count); standalone Redis only (the scripts
 * touch keys they derive, as kombu's layout needs, so Redis Cluster is not supported). Lease
 * scores use the Redis server's clock; kombu workers sharing the queues compare them with their
 * own clocks, so keep clocks in sync and use the same visibility timeout on both sides.
 * The build must copy `src/broker/lua/*.lua` (`scripts/copy-lua.mjs` does).
 * @module
 */
import type {
  Broker,
  ConsumeOptions,
  Consumer,
  DeadLetter,
  PublishTarget,
  WireMessage,
} from './broker.js';
import { retryUntil } from '../redis/connection.js';
import { RedisConsumer } from './redis/consumer.js';
import { BrokerCore } from './redis/core.js';
import { DelayedPromoter } from './redis/delayed.js';
import type { DeadLetterRecord } from './redis/delivery.js';
import { buildEnvelope, markRedelivered } from './redis/envelope.js';
import { resolveBrokerOptions, type RedisBrokerOptions } from './redis/options.js';
import { PublishBatcher, type OutgoingMessage } from './redis/publisher.js';
import { VisibilitySweeper } from './redis/sweeper.js';
import { ListWatcher } from './redis/watcher.js';
import { purgeRedisDeadLetters, readRedisDeadLetters, replayRedisDeadLetters } from './redis/dead-letters.js';

export type { RedisBrokerOptions } from './redis/options.js';

/** The Redis broker; see the module documentation. */
export class RedisBroker implements Broker {
  readonly kind = 'redis';
  private readonly core: BrokerCore;
  private readonly watcher: ListWatcher;
  private readonly promoter: DelayedPromoter;
  private readonly sweeper: VisibilitySweeper;
  private readonly publisher: PublishBatcher;
  private readonly consumers = new Set<RedisConsumer>();
  /** Set once {@link connect} finished (publishes then skip awaiting it). */
  private connected = false;

  constructor(options: RedisBrokerOptions = {}) {
    const resolved = resolveBrokerOptions(options);
    this.core = new BrokerCore(resolved);
    this.watcher = new ListWatcher(resolved.url, resolved.connectionName, resolved.blockTimeoutMs, resolved.onError, resolved.tls);
    this.promoter = new DelayedPromoter(this.core);
    this.sweeper = new VisibilitySweeper(this.core);
    this.publisher = new PublishBatcher(this.core, (list) => [...this.consumers].find((consumer) => consumer.canClaim(list)));
  }

  async connect(): Promise<void> {
    await this.core.connect();
    this.promoter.start();
    this.connected = true;
  }

  publish(target: PublishTarget, message: WireMessage): Promise<void> {
    // Not async: the message must not stay referenced (by a suspended call) until Redis confirms.
    return this.publishBatch([{ target, message }]);
  }

  publishBatch(items: ReadonlyArray<{ target: PublishTarget; message: WireMessage }>): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    if (!this.connected || items.some(({ target }) => !this.core.isDeclared(target.queue))) return this.publishFirst(items);
    // Connected and every queue declared (the usual case): the envelopes are built now and only
    // they stay referenced until Redis confirms.
    try {
      return this.pushPrepared(items.map(({ target, message }) => this.prepare(target, message)));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** A publish that may need to connect or declare its queues first. */
  private async publishFirst(items: ReadonlyArray<{ target: PublishTarget; message: WireMessage }>): Promise<void> {
    if (!this.connected) await this.connect();
    for (const { target } of items) if (!this.core.isDeclared(target.queue)) await this.core.declareQueue(target.queue);
    await this.pushPrepared(items.map(({ target, message }) => this.prepare(target, message)));
  }

  private pushPrepared(outgoing: OutgoingMessage[]): Promise<void> {
    const parkedUntil = outgoing.filter((item) => item.deliverAt !== undefined).map((item) => item.deliverAt!);
    const sent = this.publisher.send(outgoing);
    return parkedUntil.length === 0 ? sent : sent.then(() => parkedUntil.forEach((at) => this.promoter.noteParked(at)));
  }

  async consume(queues: readonly string[], options: ConsumeOptions): Promise<Consumer> {
    if (queues.length === 0) throw new TypeError('consume() needs at least one queue');
    if (!(options.prefetch >= 1)) throw new TypeError('consume() needs prefetch >= 1');
    await this.connect();
    for (const queue of queues) await this.core.declareQueue(queue);
    const consumer = new RedisConsumer(
      { core: this.core, watcher: this.watcher, onParked: (at) => this.promoter.noteParked(at) },
      queues,
      options,
      (done) => this.forget(done),
    );
    this.consumers.add(consumer);
    this.sweeper.start();
    consumer.start();
    return consumer;
  }

  async queueLength(queue: string): Promise<number> {
    await this.connect();
    const lists = this.core.keys.queueLists(queue);
    return retryUntil(this.core.deadline(), 'queueLength', async () => {
      const lengths = await Promise.all(lists.map((list) => this.core.client().llen(list)));
      return lengths.reduce((sum, length) => sum + length, 0);
    });
  }

  async purge(queue: string): Promise<number> {
    await this.connect();
    const lists = this.core.keys.queueLists(queue);
    const delayed = this.core.keys.delayed;
    return retryUntil(this.core.deadline(), 'purge', async () => {
      // Parked (delayed) messages bound for this queue go too: members are '<envelope>\0<list key>'.
      // One promoted meanwhile has reached a list, which the transaction deletes.
      const members = await this.core.client().zrangeBuffer(delayed, '0', '-1');
      const parked = members.filter((member) => {
        const cut = member.lastIndexOf(0);
        return cut >= 0 && lists.includes(member.subarray(cut + 1).toString('utf8'));
      });
      const transaction = this.core.client().multi();
      for (const list of lists) transaction.llen(list);
      transaction.del(...lists);
      if (parked.length > 0) transaction.zrem(delayed, ...parked);
      const results = (await transaction.exec()) ?? [];
      const waiting = lists.reduce((sum, _list, index) => sum + Number(results[index]?.[1] ?? 0), 0);
      return waiting + (parked.length > 0 ? Number(results[lists.length + 1]?.[1] ?? 0) : 0);
    });
  }

  async deadLetters(queue: string): Promise<DeadLetter[]> {
    await this.connect();
    return readRedisDeadLetters(this.core, queue);
  }

  async replayDeadLetters(queue: string, limit?: number): Promise<number> {
    await this.connect();
    return replayRedisDeadLetters(this.core, queue, limit);
  }

  async purgeDeadLetters(queue: string): Promise<number> {
    await this.connect();
    return purgeRedisDeadLetters(this.core, queue);
  }

  /**
   * Run one visibility sweep now: restore deliveries older than the visibility timeout whose
   * owner stopped refreshing them. Returns how many were restored. Consuming brokers also do
   * this periodically.
   */
  async restoreExpired(): Promise<number> {
    await this.connect();
    return this.sweeper.sweep();
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((consumer) => consumer.cancel()));
    await this.sweeper.stop();
    await this.promoter.stop();
    await this.returnUnsettled();
    await this.watcher.close();
    this.connected = false;
    await this.core.close();
  }

  /** Put every delivery this broker still holds back at the front of its queue, marked redelivered. */
  private async returnUnsettled(): Promise<void> {
    const held = this.core.leases.all();
    await Promise.all(
      held.map(async (delivery) => {
        this.core.leases.delete(delivery.tag);
        try {
          const destination = this.core.keys.queueList(delivery.queue, delivery.priority);
          await this.core.settle(delivery.tag, 'rpush', destination, markRedelivered(delivery.raw));
        } catch (error) {
          this.core.options.onError(error as Error);
        }
      }),
    );
  }

  private forget(consumer: RedisConsumer): void {
    this.consumers.delete(consumer);
    if (this.consumers.size === 0) void this.sweeper.stop();
  }

  private prepare(target: PublishTarget, message: WireMessage): OutgoingMessage {
    const now = Date.now();
    const deliverAt = target.deliverAt !== undefined && target.deliverAt > now ? target.deliverAt : undefined;
    const raw = buildEnvelope(target.queue, target.priority, message, deliverAt ?? now);
    const destination = this.core.keys.queueList(target.queue, target.priority ?? message.properties['priority']);
    return { queue: target.queue, destination, raw, deliverAt };
  }
}
