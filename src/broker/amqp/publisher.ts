/**
 * Publishing with publisher confirms and an outbox.
 *
 * Every publish is an outbox entry until RabbitMQ confirms it. While disconnected, entries wait in
 * the outbox (bounded by `maxBufferedPublishes`); after a reconnect they are sent again, in order, on
 * a new confirm channel. Entries that were sent but not confirmed when a channel dropped are sent
 * again too (at-least-once: a duplicate is possible, a loss is not). An entry fails with
 * {@link TransportError} when RabbitMQ nacks it, when it was unroutable (`mandatory` + basic.return),
 * or when it is not confirmed within `publishTimeoutMs`. Nothing is dropped silently.
 * @module
 */
import type { ChannelModel, ConfirmChannel, Message, Options } from 'amqplib';
import { TransportError } from '../../errors.js';
import type { AmqpConnection, ConnectionListener } from './connection.js';
import { Fifo } from '../fifo.js';
import type { ResolvedAmqpOptions } from './options.js';

interface OutboxEntry {
  /** Routing key on the default exchange: the destination queue. */
  readonly queue: string;
  readonly content: Buffer;
  readonly options: Options.Publish;
  /** Declares what must exist before sending (cached per connection by the topology). */
  readonly declare: () => Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  /** Epoch ms after which it fails unconfirmed (checked by one sweep timer, not a timer per entry). */
  readonly deadline: number;
  state: 'queued' | 'inflight' | 'done';
  channel: ConfirmChannel | undefined;
  returned: string | undefined;
}

/** What to publish: destination queue, body, amqplib options, and topology to declare first. */
export interface PublishRequest {
  queue: string;
  content: Buffer;
  options: Options.Publish;
  declare: () => Promise<void>;
}

const CHANNEL_REOPEN_DELAY_MS = 100;

/** The confirm-channel publisher with its outbox. */
export class AmqpPublisher implements ConnectionListener {
  private channel: ConfirmChannel | undefined;
  private readonly queued = new Fifo<OutboxEntry>();
  /** Fails entries past their deadline; runs only while something is pending. */
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly inflight = new Set<OutboxEntry>();
  private pumping = false;
  /** The connection a confirm channel is being opened on (one at a time). */
  private opening: ChannelModel | undefined;
  private failure: Error | undefined;

  /**
   * @param onUnroutable called with the queue of a returned message (it was deleted behind our
   *   back), so its cached declaration can be dropped and the next publish declares it again.
   */
  constructor(
    private readonly connection: AmqpConnection,
    private readonly options: ResolvedAmqpOptions,
    private readonly onUnroutable: (queue: string) => void,
  ) {}

  /** Publishes one message; resolves once RabbitMQ confirmed it. */
  send(request: PublishRequest): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.queued.length + this.inflight.size >= this.options.maxBufferedPublishes) {
      return Promise.reject(new TransportError(`AMQP publish buffer full (${this.options.maxBufferedPublishes} messages waiting for RabbitMQ)`));
    }
    return new Promise<void>((resolve, reject) => {
      const entry: OutboxEntry = {
        ...request,
        resolve,
        reject,
        deadline: Date.now() + this.options.publishTimeoutMs,
        state: 'queued',
        channel: undefined,
        returned: undefined,
      };
      this.queued.push(entry);
      this.startSweeping();
      void this.pump();
    });
  }

  private startSweeping(): void {
    if (this.sweepTimer) return;
    const every = Math.max(10, Math.min(1_000, this.options.publishTimeoutMs / 4));
    this.sweepTimer = setInterval(() => this.sweep(), every);
    this.sweepTimer.unref();
  }

  /** Fail the entries past their deadline; stop sweeping when nothing is pending. */
  private sweep(): void {
    const now = Date.now();
    const where = this.connection.current ? '' : ' while disconnected';
    const expired = (entry: OutboxEntry): boolean => entry.deadline <= now;
    const timedOut = (entry: OutboxEntry): TransportError =>
      new TransportError(`Publish to queue "${entry.queue}" was not confirmed by RabbitMQ within ${this.options.publishTimeoutMs} ms${where}`);
    for (const entry of this.queued.removeWhere(expired)) this.finish(entry, timedOut(entry));
    for (const entry of [...this.inflight].filter(expired)) this.settle(entry, timedOut(entry));
    if (this.pending === 0) {
      clearInterval(this.sweepTimer);
      this.sweepTimer = undefined;
    }
  }

  async onOpen(model: ChannelModel): Promise<void> {
    await this.openChannel(model).catch(() => this.reopenLater(model));
  }

  onLost(): void {
    this.channel = undefined;
  }

  onFailed(error: Error): void {
    this.failAll(error);
  }

  private async openChannel(model: ChannelModel): Promise<void> {
    if (this.opening === model) return;
    this.opening = model;
    let channel: ConfirmChannel;
    try {
      channel = await model.createConfirmChannel();
    } finally {
      if (this.opening === model) this.opening = undefined;
    }
    channel.on('error', () => undefined);
    channel.on('return', (message: Message) => this.handleReturn(channel, message));
    channel.on('close', () => this.handleChannelClose(channel, model));
    if (this.connection.current !== model || this.failure) {
      await channel.close().catch(() => undefined);
      return;
    }
    this.channel = channel;
    void this.pump();
  }

  private handleChannelClose(channel: ConfirmChannel, model: ChannelModel): void {
    if (this.channel === channel) this.channel = undefined;
    // Sent but unconfirmed: send again (in their original order, ahead of the waiting ones).
    const unconfirmed = [...this.inflight].filter((entry) => entry.channel === channel);
    for (const entry of unconfirmed) {
      this.inflight.delete(entry);
      entry.state = 'queued';
      entry.channel = undefined;
      entry.returned = undefined;
    }
    this.queued.unshift(unconfirmed);
    this.reopenLater(model);
  }

  /** The channel alone died or could not be opened (the connection is fine): try again shortly. */
  private reopenLater(model: ChannelModel): void {
    if (this.connection.current !== model || this.failure) return;
    setTimeout(() => {
      if (this.connection.current === model && !this.channel && !this.failure) {
        this.openChannel(model).catch(() => this.reopenLater(model));
      }
    }, CHANNEL_REOPEN_DELAY_MS);
  }

  private handleReturn(channel: ConfirmChannel, message: Message): void {
    const fields = message.fields as Message['fields'] & { replyCode?: number; replyText?: string };
    for (const entry of this.inflight) {
      if (entry.channel === channel && entry.returned === undefined && entry.queue === fields.routingKey && entry.content.equals(message.content)) {
        entry.returned = `${fields.replyCode ?? '?'} ${fields.replyText ?? 'returned'}`;
        return;
      }
    }
  }

  private handleConfirm(channel: ConfirmChannel, entry: OutboxEntry, error: unknown): void {
    if (entry.state !== 'inflight' || entry.channel !== channel) return;
    // amqplib fails every pending confirm with 'channel closed' before emitting 'close';
    // handleChannelClose then sends those entries again.
    if (error instanceof Error && error.message === 'channel closed') return;
    if (error) {
      this.settle(entry, new TransportError(`RabbitMQ refused (nack) a message for queue "${entry.queue}"`, { cause: error }));
    } else if (entry.returned !== undefined) {
      this.onUnroutable(entry.queue);
      this.settle(entry, new TransportError(`Message for queue "${entry.queue}" was unroutable (basic.return ${entry.returned}): the queue does not exist`));
    } else {
      this.settle(entry, undefined);
    }
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        const entry = this.queued.peek();
        const channel = this.channel;
        if (!entry || !channel) return;
        try {
          await entry.declare();
        } catch (error) {
          if (this.channel !== channel || !this.connection.current) return; // connection trouble: wait for reopen
          this.settle(entry, error instanceof Error ? error : new TransportError(String(error)));
          continue;
        }
        if (this.queued.peek() !== entry || this.channel !== channel) continue; // timed out, or channel changed meanwhile
        this.queued.shift();
        entry.state = 'inflight';
        entry.channel = channel;
        this.inflight.add(entry);
        let writable: boolean;
        try {
          writable = channel.publish('', entry.queue, entry.content, entry.options, (error: unknown) => this.handleConfirm(channel, entry, error));
        } catch (error) {
          this.inflight.delete(entry);
          if (error instanceof RangeError || error instanceof TypeError) {
            this.settle(entry, new TransportError(`Cannot publish to queue "${entry.queue}": ${error.message}`, { cause: error }));
            continue;
          }
          entry.state = 'queued'; // the channel closed under us
          entry.channel = undefined;
          this.queued.unshift([entry]);
          return;
        }
        if (!writable) await new Promise<void>((resume) => {
          const done = (): void => {
            channel.off('drain', done);
            channel.off('close', done);
            resume();
          };
          channel.on('drain', done);
          channel.on('close', done);
        });
      }
    } finally {
      this.pumping = false;
      if (this.queued.length > 0 && this.channel) void this.pump();
    }
  }

  private settle(entry: OutboxEntry, error: Error | undefined): void {
    if (entry.state === 'done') return;
    if (entry.state === 'queued') this.queued.remove(entry);
    this.finish(entry, error);
  }

  /** Settle an entry already taken out of the queue. */
  private finish(entry: OutboxEntry, error: Error | undefined): void {
    if (entry.state === 'done') return;
    this.inflight.delete(entry);
    entry.state = 'done';
    if (error) entry.reject(error);
    else entry.resolve();
  }

  private failAll(error: Error): void {
    this.failure = error;
    for (const entry of this.queued.removeWhere(() => true)) this.finish(entry, error);
    for (const entry of [...this.inflight]) this.settle(entry, error);
  }

  /** Number of publishes not yet confirmed (buffered or in flight). */
  get pending(): number {
    return this.queued.length + this.inflight.size;
  }

  /**
   * Waits for outstanding publishes while connected (each is bounded by `publishTimeoutMs`), fails
   * them at once while disconnected, then closes the channel.
   */
  async close(): Promise<void> {
    if (!this.connection.current) this.failAll(new TransportError('The AMQP broker was closed while disconnected; publish not sent'));
    while (this.pending > 0 && !this.failure && this.connection.current) {
      await new Promise((resume) => setTimeout(resume, 10));
    }
    this.failAll(new TransportError('The AMQP broker was closed before RabbitMQ confirmed the publish'));
    const channel = this.channel;
    this.channel = undefined;
    if (channel) await channel.close().catch(() => undefined);
  }
}
