/**
 * Declares queues, exchanges and bindings the way Celery 5.2.6 does (README §7), plus celeriac's
 * dead-letter and delay queues, once per connection. Declarations run on channels of their own:
 * a refused declaration closes its channel, and that must not take in-flight publishes with it.
 *
 * Task queue `Q`: durable, non-exclusive, non-auto-delete queue `Q` (no arguments unless
 * `maxPriority` / `queueType: 'quorum'`), durable direct exchange `Q`, binding `Q` → `Q` with routing
 * key `Q`. When `Q` already exists with other arguments (RabbitMQ answers PRECONDITION_FAILED), the
 * existing queue is used as it is and a `topology-mismatch` event is reported.
 * @module
 */
import type { Channel, ChannelModel } from 'amqplib';
import { TransportError } from '../../errors.js';
import type { AmqpConnection, ConnectionListener } from './connection.js';
import { encodeHeaders } from './field-table.js';
import { deadQueueName, delayQueueName } from './names.js';
import { MAX_DELAY_BUCKET_MS, MIN_DELAY_BUCKET_MS } from './delay.js';
import type { ResolvedAmqpOptions } from './options.js';

const NOT_FOUND = 404;
const PRECONDITION_FAILED = 406;

function replyCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Topology declarations and queue inspection, each on a short-lived channel of its own. */
export class AmqpTopology implements ConnectionListener {
  private readonly declared = new Map<string, Promise<void>>();

  constructor(
    private readonly connection: AmqpConnection,
    private readonly options: ResolvedAmqpOptions,
  ) {}

  async onOpen(_model: ChannelModel): Promise<void> {
    this.declared.clear();
  }

  onLost(): void {
    this.declared.clear();
  }

  onFailed(): void {
    this.declared.clear();
  }

  /**
   * Runs `operation` on a fresh channel and closes it afterwards. A refused operation closes only
   * that channel, never one that publishes or consumes. (Declarations happen once per queue and
   * connection, so the extra round trips do not matter.)
   */
  async withChannel<T>(operation: (channel: Channel) => Promise<T>): Promise<T> {
    const model = this.connection.current;
    if (!model) throw new TransportError('Not connected to RabbitMQ (reconnecting)');
    const channel = await model.createChannel();
    let closed = false;
    channel.on('error', () => undefined);
    channel.on('close', () => {
      closed = true;
    });
    try {
      return await operation(channel);
    } finally {
      if (!closed) await channel.close().catch(() => undefined);
    }
  }

  /** Forgets that `name` was declared (it was deleted behind our back); the next use declares it again. */
  invalidate(name: string): void {
    this.declared.delete(name);
  }

  private once(name: string, declare: () => Promise<void>): Promise<void> {
    let pending = this.declared.get(name);
    if (!pending) {
      pending = declare();
      this.declared.set(name, pending);
      pending.catch(() => {
        if (this.declared.get(name) === pending) this.declared.delete(name);
      });
    }
    return pending;
  }

  /** Celery's declaration of task queue `queue` (see the module doc). */
  ensureTaskQueue(queue: string): Promise<void> {
    return this.once(queue, async () => {
      const args: Record<string, unknown> = {};
      if (this.options.maxPriority !== undefined) args['x-max-priority'] = this.options.maxPriority;
      if (this.options.queueType === 'quorum') args['x-queue-type'] = 'quorum';
      try {
        await this.withChannel((ch) => ch.assertQueue(queue, { durable: true, autoDelete: false, exclusive: false, arguments: encodeHeaders(args) }));
      } catch (error) {
        if (replyCode(error) !== PRECONDITION_FAILED) throw this.wrap(`declare queue "${queue}"`, error);
        await this.withChannel((ch) => ch.checkQueue(queue)).catch((e: unknown) => {
          throw this.wrap(`check queue "${queue}"`, e);
        });
        this.options.onEvent({ type: 'topology-mismatch', queue, error: this.wrap(`declare queue "${queue}"`, error) });
      }
      try {
        await this.withChannel(async (ch) => {
          await ch.assertExchange(queue, 'direct', { durable: true, autoDelete: false, internal: false });
          await ch.bindQueue(queue, queue, queue);
        });
      } catch (error) {
        if (replyCode(error) !== PRECONDITION_FAILED) throw this.wrap(`declare exchange "${queue}"`, error);
        this.options.onEvent({ type: 'topology-mismatch', queue, error: this.wrap(`declare exchange "${queue}"`, error) });
      }
    });
  }

  /** The dead-letter queue of `queue`: durable, no arguments. */
  ensureDeadQueue(queue: string): Promise<void> {
    const name = deadQueueName(queue);
    return this.once(name, async () => {
      await this.withChannel((ch) => ch.assertQueue(name, { durable: true, autoDelete: false })).catch((e: unknown) => {
        throw this.wrap(`declare queue "${name}"`, e);
      });
    });
  }

  /** The delay queue of `queue` for `bucketMs`: TTL `bucketMs`, dead-lettering into `queue`. */
  ensureDelayQueue(queue: string, bucketMs: number): Promise<void> {
    const name = delayQueueName(queue, bucketMs);
    const args = encodeHeaders({ 'x-message-ttl': bucketMs, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': queue });
    return this.once(name, async () => {
      await this.withChannel((ch) => ch.assertQueue(name, { durable: true, autoDelete: false, arguments: args })).catch((e: unknown) => {
        throw this.wrap(`declare queue "${name}"`, e);
      });
    });
  }

  /** Ready messages in `queue` (0 when it does not exist). */
  async messageCount(queue: string): Promise<number> {
    try {
      return (await this.withChannel((ch) => ch.checkQueue(queue))).messageCount;
    } catch (error) {
      if (replyCode(error) === NOT_FOUND) return 0;
      throw this.wrap(`check queue "${queue}"`, error);
    }
  }

  /** Purges `queue`; returns how many messages went (0 when it does not exist). */
  /**
   * Purge `queue` and its delay queues (messages parked until their ETA); returns how many. The
   * delay queues go first: a parked message expiring meanwhile lands on `queue`, purged last.
   */
  async purge(queue: string): Promise<number> {
    let count = 0;
    for (let bucket = MAX_DELAY_BUCKET_MS; bucket >= MIN_DELAY_BUCKET_MS; bucket /= 2) count += await this.purgeOne(delayQueueName(queue, bucket));
    return count + (await this.purgeOne(queue));
  }

  private async purgeOne(queue: string): Promise<number> {
    try {
      return (await this.withChannel((ch) => ch.purgeQueue(queue))).messageCount;
    } catch (error) {
      if (replyCode(error) === NOT_FOUND) return 0;
      throw this.wrap(`purge queue "${queue}"`, error);
    }
  }

  private wrap(what: string, error: unknown): TransportError {
    if (error instanceof TransportError) return error;
    const reason = error instanceof Error ? error.message : String(error);
    return new TransportError(`RabbitMQ refused to ${what}: ${reason}`, { cause: error });
  }
}
