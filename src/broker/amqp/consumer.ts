/**
 * One `consume()` call: a channel with `basic.qos(prefetch)` and a consumer per queue, manual acks.
 * It comes back by itself after the connection (or just its channel) dropped, and re-consumes when
 * RabbitMQ cancelled it (queue deleted; this starts a new channel, so unsettled deliveries of the
 * other queues go back to RabbitMQ too and their later settle calls are no-ops). Messages parked for later (delay header) that come back
 * early are sent on to the next delay bucket without reaching the application; unparseable messages
 * are dead-lettered and reported through `onMalformed`.
 *
 * Queues are consumed side by side: AMQP cannot serve several queues in a strict order, and Celery
 * does not either. With several classic queues the prefetch is applied per consumer and per channel
 * (so it bounds the total); quorum queues do not support the per-channel limit, so there it is per queue.
 * @module
 */
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { MessageDecodeError, TransportError } from '../../errors.js';
import type { ConsumeOptions, Consumer } from '../broker.js';
import type { AmqpConnection, ConnectionListener } from './connection.js';
import { delayBucketFor, parseDeliverAt } from './delay.js';
import { acknowledge, AmqpDelivery, requeue } from './delivery.js';
import { BAD_HEADERS_MARKER } from './header-guard.js';
import { fromAmqpMessage, salvageAmqpMessage, splitHeaders } from './message-codec.js';
import { DELIVER_AT_HEADER } from './names.js';
import type { ResolvedAmqpOptions } from './options.js';
import type { AmqpRouter } from './router.js';
import type { AmqpTopology } from './topology.js';

/** Channels that closed: their unsettled deliveries were already put back by RabbitMQ. */
const closedChannels = new WeakSet<Channel>();
const RESUBSCRIBE_DELAY_MS = 500;

/** What a consumer needs from the broker. */
export interface ConsumerDependencies {
  readonly connection: AmqpConnection;
  readonly topology: AmqpTopology;
  readonly router: AmqpRouter;
  readonly options: ResolvedAmqpOptions;
}

/** A running consumer of one or more queues. */
export class AmqpConsumer implements Consumer, ConnectionListener {
  private channel: Channel | undefined;
  private consumerTags: string[] = [];
  private cancelled = false;
  private outstanding = 0;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: ConsumerDependencies,
    private readonly queues: readonly string[],
    private readonly options: ConsumeOptions,
  ) {}

  /** Subscribes on the current connection (throws when that fails) and keeps subscribing after reconnects. */
  async start(): Promise<void> {
    this.deps.connection.addListener(this);
    const model = this.deps.connection.current;
    if (!model) return; // reconnecting: onOpen will subscribe
    try {
      await this.subscribe(model);
    } catch (error) {
      this.deps.connection.removeListener(this);
      if (error instanceof TransportError) throw error;
      throw new TransportError(`Cannot consume from ${this.queues.join(', ')}: ${(error as Error).message}`, { cause: error });
    }
  }

  async onOpen(model: ChannelModel): Promise<void> {
    if (this.cancelled) return;
    await this.subscribe(model).catch(() => this.retryLater(model));
  }

  onLost(): void {
    this.channel = undefined;
  }

  onFailed(): void {
    this.channel = undefined;
  }

  private retryLater(model: ChannelModel): void {
    if (this.retryTimer || this.cancelled) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.cancelled || this.deps.connection.current !== model || this.channel) return;
      this.subscribe(model).catch(() => this.retryLater(model));
    }, RESUBSCRIBE_DELAY_MS);
  }

  private async subscribe(model: ChannelModel): Promise<void> {
    const channel = await model.createChannel();
    let closed = false;
    channel.on('error', () => undefined);
    channel.on('close', () => {
      closed = true;
      closedChannels.add(channel);
      if (this.channel !== channel) return;
      this.channel = undefined;
      if (!this.cancelled && this.deps.connection.current === model) this.retryLater(model);
    });
    try {
      const prefetch = this.options.prefetch;
      if (prefetch > 0) {
        await channel.prefetch(prefetch, false);
        if (this.queues.length > 1 && this.deps.options.queueType === 'classic') await channel.prefetch(prefetch, true);
      }
      const tags: string[] = [];
      for (const queue of this.queues) {
        await this.deps.topology.ensureTaskQueue(queue);
        const handler = (message: ConsumeMessage | null): void => this.handle(channel, model, queue, message);
        const { consumerTag } = await channel.consume(queue, handler, { noAck: false }).catch((error: unknown) => {
          this.deps.topology.invalidate(queue);
          throw error;
        });
        tags.push(consumerTag);
      }
      this.consumerTags = tags;
    } catch (error) {
      await channel.close().catch(() => undefined);
      throw error;
    }
    if (closed) throw new TransportError('The consumer channel closed while subscribing');
    this.channel = channel;
  }

  private handle(channel: Channel, model: ChannelModel, queue: string, message: ConsumeMessage | null): void {
    if (message === null) {
      // RabbitMQ cancelled us (the queue was deleted): start over on a new channel.
      this.deps.topology.invalidate(queue);
      if (this.channel === channel) {
        this.channel = undefined;
        channel.close().catch(() => undefined);
        this.retryLater(model);
      }
      return;
    }
    if (this.cancelled) {
      requeue(channel, message); // arrived after cancel(): not ours any more
      return;
    }
    this.outstanding += 1;
    void this.dispatch(channel, queue, message);
  }

  private async dispatch(channel: Channel, queue: string, raw: ConsumeMessage): Promise<void> {
    let headers: Record<string, unknown>;
    let transport: Record<string, unknown>;
    try {
      ({ headers, transport } = splitHeaders(raw, this.deps.options.maxHeaderDepth));
    } catch (error) {
      // Headers that cannot be read are dropped from the dead-lettered copy (the reason says why).
      const reason = error instanceof MessageDecodeError ? error : new MessageDecodeError('bad-headers', String(error));
      await this.deadLetterMalformed(channel, queue, raw, {}, reason);
      return;
    }
    const bad = transport[BAD_HEADERS_MARKER];
    if (bad !== undefined) {
      await this.deadLetterMalformed(channel, queue, raw, {}, new MessageDecodeError('bad-headers', String(bad)));
      return;
    }
    const deliverAt = parseDeliverAt(transport[DELIVER_AT_HEADER]);
    let message;
    try {
      message = fromAmqpMessage(raw, headers);
    } catch (error) {
      await this.deadLetterMalformed(channel, queue, raw, headers, error as MessageDecodeError);
      return;
    }
    const context = { channel, router: this.deps.router, onSettled: () => this.settled(), isLost: () => closedChannels.has(channel) };
    const delivery = new AmqpDelivery(message, queue, raw, context);
    if (deliverAt !== undefined) {
      const remainingMs = deliverAt - Date.now();
      if (delayBucketFor(remainingMs) !== undefined) {
        await delivery.defer(deliverAt).catch(() => undefined); // requeued on failure
        return;
      }
      if (remainingMs > 0) await new Promise((resume) => setTimeout(resume, remainingMs));
    }
    try {
      this.options.onMessage(delivery);
    } catch {
      // onMessage must not throw; an unsettled delivery returns to the queue when the channel closes.
    }
  }

  private async deadLetterMalformed(channel: Channel, queue: string, raw: ConsumeMessage, headers: Record<string, unknown>, error: MessageDecodeError): Promise<void> {
    const reason = `malformed: ${error.reason}: ${error.message}`;
    try {
      await this.deps.router.deadLetter(queue, salvageAmqpMessage(raw, headers), reason);
      acknowledge(channel, raw);
    } catch {
      requeue(channel, raw);
      return;
    } finally {
      this.settled();
    }
    this.options.onMalformed?.({ queue, reason: error.reason, error });
  }

  private settled(): void {
    this.outstanding -= 1;
    if (this.cancelled && this.outstanding === 0) this.closeChannel();
  }

  private closeChannel(): void {
    const channel = this.channel;
    this.channel = undefined;
    if (channel) channel.close().catch(() => undefined);
  }

  /** Stops fetching; deliveries already handed out can still be settled (the channel stays open until then). */
  async cancel(): Promise<void> {
    if (this.cancelled) return;
    this.cancelled = true;
    this.deps.connection.removeListener(this);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const channel = this.channel;
    if (channel) {
      for (const tag of this.consumerTags) await channel.cancel(tag).catch(() => undefined);
    }
    if (this.outstanding === 0) this.closeChannel();
  }

  /** Cancels and closes the channel at once; unsettled deliveries go back to their queues. */
  async close(): Promise<void> {
    await this.cancel();
    this.closeChannel();
  }
}
