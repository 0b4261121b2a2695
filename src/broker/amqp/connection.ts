/**
 * One AMQP connection that comes back by itself: after it drops it is reopened with exponential
 * backoff, and every registered {@link ConnectionListener} is told when it is lost and when it is
 * open again (so publishers and consumers can recreate their channels, topology and consumers).
 * @module
 */
import { connect, type ChannelModel } from 'amqplib';
import { isTlsError, TransportError } from '../../errors.js';
import { guardHeaders } from './header-guard.js';
import { reconnectDelay, redactUrl, type ResolvedAmqpOptions } from './options.js';

/** A component that owns channels on the shared connection. */
export interface ConnectionListener {
  /** The connection is open (first time or again). Set up channels here; errors are the listener's. */
  onOpen(model: ChannelModel): Promise<void>;
  /** The connection dropped; channels on it are gone. Reconnection is under way. */
  onLost(error: Error): void;
  /** Reconnection gave up (`reconnect.maxAttempts`); nothing will come back. */
  onFailed(error: Error): void;
}

type State = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'failed' | 'closed';

/** The self-healing connection shared by the broker's publisher and consumers. */
export class AmqpConnection {
  private state: State = 'idle';
  private model: ChannelModel | undefined;
  private firstConnect: Promise<void> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private failedAttempts = 0;
  private readonly listeners = new Set<ConnectionListener>();

  constructor(private readonly options: ResolvedAmqpOptions) {}

  /** The open connection, or `undefined` while disconnected. */
  get current(): ChannelModel | undefined {
    return this.model;
  }

  /** True once {@link close} was called or reconnection gave up: nothing will work any more. */
  get isDead(): boolean {
    return this.state === 'closed' || this.state === 'failed';
  }

  addListener(listener: ConnectionListener): void {
    this.listeners.add(listener);
  }

  removeListener(listener: ConnectionListener): void {
    this.listeners.delete(listener);
  }

  /**
   * Opens the connection the first time (one attempt; rejects with {@link TransportError} when
   * RabbitMQ cannot be reached). Resolves at once when already open or reconnecting in the background.
   */
  connect(): Promise<void> {
    if (this.state === 'closed') return Promise.reject(new TransportError('The AMQP broker was closed'));
    if (this.state === 'failed') return Promise.reject(new TransportError('The AMQP broker gave up reconnecting'));
    if (this.state === 'open' || this.state === 'reconnecting') return Promise.resolve();
    this.firstConnect ??= this.open(false).catch((error: unknown) => {
      this.firstConnect = undefined;
      if (this.state === 'connecting') this.state = 'idle';
      throw error;
    });
    return this.firstConnect;
  }

  private async open(reconnect: boolean): Promise<void> {
    if (!reconnect) this.state = 'connecting';
    let model: ChannelModel;
    try {
      model = await connect(this.options.connection, {
        ...this.options.tls,
        timeout: this.options.connectTimeoutMs,
        // Without TCP_NODELAY, Nagle's algorithm holds small frames (acks, a chain's next step)
        // until the peer's delayed ACK: about 40 ms per chain hop.
        noDelay: true,
        clientProperties: { connection_name: `celeriac pid ${process.pid}` },
      });
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      const what = isTlsError(cause) ? 'TLS with RabbitMQ' : 'Cannot connect to RabbitMQ';
      throw new TransportError(`${what} at ${redactUrl(this.options.url)} failed: ${reason}`.replace(/^Cannot connect to RabbitMQ at (.*) failed: /, 'Cannot connect to RabbitMQ at $1: '), { cause });
    }
    if (this.state === 'closed') {
      await model.close().catch(() => undefined);
      return;
    }
    guardHeaders(model, this.options.maxHeaderDepth); // py-amqp's 'L' ints, deep or malformed headers would otherwise kill the connection
    model.on('error', () => undefined); // the 'close' event that follows carries the error
    model.on('close', (error?: Error) => this.handleClose(model, error));
    this.model = model;
    this.state = 'open';
    this.failedAttempts = 0;
    this.options.onEvent({ type: 'connected', reconnect });
    for (const listener of [...this.listeners]) {
      await listener.onOpen(model).catch(() => undefined);
    }
  }

  private handleClose(model: ChannelModel, error: Error | undefined): void {
    if (model !== this.model) return;
    this.model = undefined;
    if (this.state === 'closed') return;
    const cause = error ?? new TransportError('The AMQP connection was closed');
    this.state = 'reconnecting';
    this.options.onEvent({ type: 'disconnected', error: cause });
    for (const listener of [...this.listeners]) listener.onLost(cause);
    this.scheduleReconnect(cause);
  }

  private scheduleReconnect(error: Error): void {
    if (this.state !== 'reconnecting') return;
    this.failedAttempts += 1;
    if (this.failedAttempts > this.options.reconnect.maxAttempts) {
      this.state = 'failed';
      const failure = new TransportError(`Gave up reconnecting to RabbitMQ: ${error.message}`, { cause: error });
      this.options.onEvent({ type: 'reconnect-failed', error: failure });
      for (const listener of [...this.listeners]) listener.onFailed(failure);
      return;
    }
    const delayMs = reconnectDelay(this.options.reconnect, this.failedAttempts);
    this.options.onEvent({ type: 'reconnect-scheduled', attempt: this.failedAttempts, delayMs, error });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.open(true).catch((cause: unknown) => {
        this.scheduleReconnect(cause instanceof Error ? cause : new Error(String(cause)));
      });
    }, delayMs);
  }

  /** Closes the connection for good and stops reconnecting. */
  async close(): Promise<void> {
    this.state = 'closed';
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const model = this.model;
    this.model = undefined;
    if (model) await model.close().catch(() => undefined);
  }
}
