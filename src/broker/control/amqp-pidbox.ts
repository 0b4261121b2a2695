/**
 * Celery's remote control on RabbitMQ, declared exactly as kombu 5.2 declares it (so a Python
 * worker or client declaring the same entities never gets PRECONDITION_FAILED):
 * - exchange `<namespace>.pidbox`: fanout, non-durable, not auto-delete;
 * - queue `<node>.<namespace>.pidbox`: non-durable, auto-delete, `x-message-ttl` 300000 and
 *   `x-expires` 10000 (Celery's `control_queue_ttl` / `control_queue_expires`), bound with routing
 *   key `''`, consumed without acks;
 * - replies: exchange `reply.<namespace>.pidbox` (direct, non-durable), transient messages with
 *   headers `{ticket, clock}`.
 *
 * Uses its own self-healing connection ({@link AmqpConnection}): after RabbitMQ restarts, the
 * queue is declared and consumed again.
 * @module
 */
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { ConnectionOptions } from 'node:tls';
import { AmqpConnection, type ConnectionListener } from '../amqp/connection.js';
import { decodeHeaders, encodeHeaders } from '../amqp/field-table.js';
import { resolveAmqpOptions, type AmqpReconnectOptions } from '../amqp/options.js';
import { ControlNode } from './node.js';
import {
  pidboxExchangeName,
  pidboxQueueName,
  silentControlLogger,
  type ControlLogger,
  type ControlTarget,
  type RawControlMessage,
  type RemoteControl,
  type RemoteControlOptions,
  type ReplyAddress,
} from './types.js';

/** Celery's defaults: `control_queue_ttl` 300 s and `control_queue_expires` 10 s, in ms. */
export const CONTROL_QUEUE_ARGUMENTS = { 'x-message-ttl': 300_000, 'x-expires': 10_000 } as const;

const RESUBSCRIBE_DELAY_MS = 500;

/** Options of {@link startAmqpRemoteControl}. */
export interface AmqpRemoteControlOptions extends RemoteControlOptions {
  /** The broker URL (`amqp://…`). */
  url: string;
  /** Reconnect backoff of the listener's connection. Default: the broker's defaults. */
  reconnect?: AmqpReconnectOptions;
  /** TLS settings for `amqps://` (the broker's `tls` option; the URL's TLS parameters also apply). */
  tls?: ConnectionOptions;
}

/** Keeps the pidbox queue declared and consumed on every (re)opened connection. */
class PidboxSubscription implements ConnectionListener {
  private channel: Channel | undefined;
  private declaredReplyExchanges = new Set<string>();
  private retryTimer: NodeJS.Timeout | undefined;
  closed = false;

  constructor(
    private readonly namespace: string,
    private readonly queueName: string,
    private readonly node: ControlNode,
    private readonly logger: ControlLogger,
  ) {}

  async onOpen(model: ChannelModel): Promise<void> {
    if (this.closed) return;
    try {
      await this.subscribe(model);
    } catch (error) {
      this.logger.error({ queue: this.queueName, error: String(error) }, 'remote control: cannot listen on RabbitMQ; retrying');
      this.retryTimer = setTimeout(() => void this.onOpen(model), RESUBSCRIBE_DELAY_MS);
    }
  }

  onLost(): void {
    clearTimeout(this.retryTimer);
    this.channel = undefined;
    this.declaredReplyExchanges.clear();
  }

  onFailed(): void {
    this.onLost();
  }

  async subscribe(model: ChannelModel): Promise<void> {
    const channel = await model.createChannel();
    channel.on('error', (error: Error) => this.logger.debug({ error: error.message }, 'remote control: channel error'));
    channel.on('close', () => {
      if (this.channel === channel) this.channel = undefined;
    });
    const exchange = pidboxExchangeName(this.namespace);
    await channel.assertExchange(exchange, 'fanout', { durable: false, autoDelete: false });
    await channel.assertQueue(this.queueName, { durable: false, autoDelete: true, exclusive: false, arguments: { ...CONTROL_QUEUE_ARGUMENTS } });
    await channel.bindQueue(this.queueName, exchange, '');
    await channel.consume(this.queueName, (message) => this.onMessage(message), { noAck: true });
    this.channel = channel;
    this.declaredReplyExchanges.clear();
  }

  private onMessage(message: ConsumeMessage | null): void {
    if (!message || this.closed) return;
    const p = message.properties;
    let headers: Record<string, unknown>;
    try {
      headers = decodeHeaders((p.headers ?? {}) as Record<string, unknown>);
    } catch (error) {
      this.logger.error({ error: String(error) }, 'remote control: ignored a message with unreadable headers');
      return;
    }
    const raw: RawControlMessage = {
      body: new Uint8Array(message.content.buffer, message.content.byteOffset, message.content.byteLength),
      contentType: typeof p.contentType === 'string' ? p.contentType : 'application/json',
      contentEncoding: typeof p.contentEncoding === 'string' ? p.contentEncoding : 'utf-8',
      headers,
    };
    void this.node.receive(raw, (address, reply) => this.sendReply(address, reply));
  }

  private async sendReply(address: ReplyAddress, reply: RawControlMessage): Promise<void> {
    const channel = this.channel;
    if (!channel) throw new Error('not connected to RabbitMQ');
    if (!this.declaredReplyExchanges.has(address.exchange)) {
      await channel.assertExchange(address.exchange, 'direct', { durable: false, autoDelete: false });
      this.declaredReplyExchanges.add(address.exchange);
    }
    channel.publish(address.exchange, address.routingKey, Buffer.from(reply.body), {
      contentType: reply.contentType,
      contentEncoding: reply.contentEncoding,
      headers: encodeHeaders(reply.headers),
      deliveryMode: 1,
      priority: 0,
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const channel = this.channel;
    this.channel = undefined;
    await channel?.close().catch(() => undefined);
  }
}

/** Start listening; resolves once the queue is consumed. Throws when RabbitMQ cannot be reached. */
export async function startAmqpRemoteControl(target: ControlTarget, options: AmqpRemoteControlOptions): Promise<RemoteControl> {
  const namespace = options.namespace ?? 'celery';
  const logger = options.logger ?? silentControlLogger;
  const queueName = pidboxQueueName(target.hostname, namespace);
  const connection = new AmqpConnection(resolveAmqpOptions({ url: options.url, ...(options.reconnect ? { reconnect: options.reconnect } : {}), ...(options.tls ? { tls: options.tls } : {}) }));
  const subscription = new PidboxSubscription(namespace, queueName, new ControlNode(target, logger), logger);
  try {
    await connection.connect();
    const model = connection.current;
    if (!model) throw new Error('the RabbitMQ connection dropped while the remote control started');
    await subscription.subscribe(model);
  } catch (error) {
    await connection.close();
    throw error;
  }
  connection.addListener(subscription);
  logger.debug({ queue: queueName }, 'remote control listening');
  return {
    queueName,
    close: async () => {
      if (subscription.closed) return;
      await subscription.close();
      await connection.close();
    },
  };
}
