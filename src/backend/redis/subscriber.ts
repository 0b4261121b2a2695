/**
 * One pub/sub connection shared by every waiter of a backend: channels are reference-counted,
 * SUBSCRIBE/UNSUBSCRIBE requests made in the same tick go out as one command, and a subscription
 * resolves only once Redis confirmed it (so a caller may then read without missing a PUBLISH).
 *
 * The bulk user may also cover its channels with one pattern subscription ({@link acquirePattern}):
 * taken while it has many waits at once, released (PUNSUBSCRIBE) a moment after the last one ends.
 *
 * After a reconnect, every channel (and the pattern) is subscribed again explicitly, and only then are the
 * reconnect listeners called, so they can re-read what may have been published while the
 * connection was down (the only place the backend falls back to reading instead of pushing).
 * @module
 */
import type { Redis } from 'ioredis';
import { TransportError } from '../../errors.js';
import { createRedisClient } from '../../redis/connection.js';
import type { ConnectionOptions } from 'node:tls';

/** Receives the raw payload published on a channel. */
export type ChannelListener = (payload: Buffer) => void;

interface ChannelEntry {
  readonly listeners: Set<ChannelListener>;
  ready: Promise<void>;
}

/** The shared subscriber connection of one backend. */
export class SubscriberHub {
  private client: Redis | undefined;
  private readonly channels = new Map<string, ChannelEntry>();
  private readonly reconnectListeners = new Set<() => void>();
  private toSubscribe: Array<{ channels: readonly string[]; resolve: () => void; reject: (error: Error) => void }> = [];
  /** Channels owned by the bulk user ({@link subscribeMany}): no per-channel listener sets. */
  private readonly bulk = new Set<string>();
  private bulkHandler: ((channel: string, payload: Buffer) => void) | undefined;
  private toUnsubscribe = new Set<string>();
  private flushScheduled = false;
  private everReady = false;
  /** The bulk pattern: how many waits rely on it, and its confirmation (unset while not subscribed). */
  private pattern: { readonly name: string; users: number; ready: Promise<void> | undefined; linger: NodeJS.Timeout | undefined } | undefined;

  constructor(
    private readonly url: string,
    private readonly connectionName: string,
    private readonly onError: (error: Error) => void,
    private readonly tls?: ConnectionOptions,
  ) {}

  /**
   * Listen on `channel`. Resolves, with a function that stops listening, once the subscription is
   * confirmed by Redis.
   */
  async listen(channel: string, listener: ChannelListener): Promise<() => void> {
    let entry = this.channels.get(channel);
    if (!entry) {
      const created: ChannelEntry = { listeners: new Set(), ready: Promise.resolve() };
      created.ready = this.requestSubscribe(channel);
      entry = created;
      this.channels.set(channel, entry);
    }
    entry.listeners.add(listener);
    const current = entry;
    const stop = (): void => {
      current.listeners.delete(listener);
      if (current.listeners.size === 0 && this.channels.get(channel) === current) {
        this.channels.delete(channel);
        this.toUnsubscribe.add(channel);
        this.scheduleFlush();
      }
    };
    try {
      await current.ready;
    } catch (error) {
      stop();
      throw error;
    }
    return stop;
  }

  /**
   * Subscribe many channels for the bulk user (one per pending result wait); resolves once Redis
   * confirmed them. Their messages go to the {@link onBulkMessage} handler.
   */
  subscribeMany(channels: readonly string[]): Promise<void> {
    for (const channel of channels) this.bulk.add(channel);
    return new Promise((resolve, reject) => {
      this.toSubscribe.push({ channels, resolve, reject });
      this.scheduleFlush();
    });
  }

  /** Release bulk channels (sent with the tick's other UNSUBSCRIBEs). */
  unsubscribeMany(channels: readonly string[]): void {
    for (const channel of channels) {
      if (this.bulk.delete(channel)) this.toUnsubscribe.add(channel);
    }
    this.scheduleFlush();
  }

  /**
   * Cover `count` bulk waits with the pattern subscription `pattern` (one per hub); resolves once
   * Redis confirmed it, so a read made afterwards misses no PUBLISH. Messages on channels the
   * pattern matches go to the {@link onBulkMessage} handler.
   */
  acquirePattern(pattern: string, count: number): Promise<void> {
    if (this.pattern && this.pattern.name !== pattern) throw new TypeError(`one bulk pattern per hub (${this.pattern.name} is in use)`);
    const state = (this.pattern ??= { name: pattern, users: 0, ready: undefined, linger: undefined });
    state.users += count;
    if (state.linger) clearTimeout(state.linger);
    state.linger = undefined;
    state.ready ??= this.connection()
      .psubscribe(pattern)
      .then(() => undefined)
      .catch((error: Error) => {
        state.ready = undefined;
        throw error;
      });
    return state.ready;
  }

  /** `count` waits no longer rely on the pattern; after `lingerMs` without users it is dropped. */
  releasePattern(count: number, lingerMs: number): void {
    const state = this.pattern;
    if (!state) return;
    state.users = Math.max(0, state.users - count);
    if (state.users > 0 || state.linger) return;
    state.linger = setTimeout(() => {
      state.linger = undefined;
      if (state.users > 0 || this.pattern !== state) return;
      this.pattern = undefined;
      if (state.ready && this.client) this.client.punsubscribe(state.name).catch((error: Error) => this.onError(error));
    }, lingerMs);
    state.linger.unref();
  }

  /** True while the bulk pattern is subscribed (or being subscribed). */
  get patternActive(): boolean {
    return this.pattern?.ready !== undefined;
  }

  /** Where messages on bulk channels go (one handler per hub). */
  onBulkMessage(handler: (channel: string, payload: Buffer) => void): void {
    this.bulkHandler = handler;
  }

  /** Call `listener` after every reconnect, once all channels are subscribed again. Returns a remover. */
  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  /** Close the connection; pending subscriptions fail. A later {@link listen} opens a new one. */
  async close(): Promise<void> {
    const pending = this.toSubscribe;
    this.toSubscribe = [];
    this.toUnsubscribe.clear();
    this.channels.clear();
    this.bulk.clear();
    if (this.pattern?.linger) clearTimeout(this.pattern.linger);
    this.pattern = undefined;
    this.reconnectListeners.clear();
    this.everReady = false;
    const client = this.client;
    this.client = undefined;
    client?.disconnect();
    for (const request of pending) request.reject(new TransportError('The result backend was closed'));
  }

  private requestSubscribe(channel: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.toSubscribe.push({ channels: [channel], resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const unsubscribe = [...this.toUnsubscribe].filter((channel) => !this.channels.has(channel) && !this.bulk.has(channel));
    this.toUnsubscribe.clear();
    if (unsubscribe.length > 0 && this.client) {
      this.client.unsubscribe(...unsubscribe).catch((error: Error) => this.onError(error));
    }
    const batch = this.toSubscribe;
    this.toSubscribe = [];
    if (batch.length === 0) return;
    this.connection().subscribe(...batch.flatMap((request) => request.channels)).then(
      () => batch.forEach((request) => request.resolve()),
      (error: Error) => batch.forEach((request) => request.reject(error)),
    );
  }

  private connection(): Redis {
    if (this.client) return this.client;
    const client = createRedisClient(this.url, this.connectionName, 'sub', this.onError, this.tls);
    client.on('messageBuffer', (channel: Buffer, payload: Buffer) => {
      const name = channel.toString();
      const entry = this.channels.get(name);
      if (entry) for (const listener of [...entry.listeners]) listener(payload);
      else if (this.bulk.has(name)) this.bulkHandler?.(name, payload);
    });
    client.on('pmessageBuffer', (_pattern: Buffer, channel: Buffer, payload: Buffer) => {
      this.bulkHandler?.(channel.toString(), payload);
    });
    client.on('ready', () => {
      if (this.everReady) void this.resubscribe(client);
      this.everReady = true;
    });
    this.client = client;
    return client;
  }

  private async resubscribe(client: Redis): Promise<void> {
    try {
      const channels = [...this.channels.keys(), ...this.bulk];
      if (channels.length > 0) await client.subscribe(...channels);
      if (this.pattern?.ready) await client.psubscribe(this.pattern.name);
      for (const listener of [...this.reconnectListeners]) listener();
    } catch (error) {
      this.onError(error as Error);
    }
  }
}
