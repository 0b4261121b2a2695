/**
 * Options of the RabbitMQ broker, their defaults, and parsing of `amqp://` URLs.
 * @module
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { ConfigError, redactUrl } from '../../errors.js';
import { DEFAULT_MAX_HEADER_DEPTH } from '../../protocol/depth.js';

/** How the broker retries after the connection (or a channel) to RabbitMQ dropped. */
export interface AmqpReconnectOptions {
  /** Delay before the first reconnect attempt, in ms. Default `100`. */
  initialDelayMs?: number;
  /** Upper bound of the delay between attempts, in ms. Default `5000`. */
  maxDelayMs?: number;
  /** Growth factor of the delay after each failed attempt. Default `2`. */
  factor?: number;
  /** Random spread applied to each delay, 0–1 (0.2 = ±20 %). Default `0.2`. */
  jitter?: number;
  /**
   * Give up after this many failed attempts in a row; buffered publishes then fail with
   * `TransportError` and consumers stop. Default `Infinity` (retry forever, like Celery).
   */
  maxAttempts?: number;
}

/** Something that happened to the connection; see {@link AmqpBrokerOptions.onEvent}. */
export type AmqpBrokerEvent =
  | { type: 'connected'; reconnect: boolean }
  | { type: 'disconnected'; error: Error }
  | { type: 'reconnect-scheduled'; attempt: number; delayMs: number; error: Error }
  | { type: 'reconnect-failed'; error: Error }
  | { type: 'topology-mismatch'; queue: string; error: Error };

/** Options of {@link AmqpBroker}. Every option is optional; the defaults are documented per field. */
export interface AmqpBrokerOptions {
  /**
   * `amqp://user:pass@host:port/vhost` or `amqps://…`. `pyamqp://` and `librabbitmq://` (Celery's
   * spellings) are accepted as `amqp://`. Celery's `//` path means vhost `/`; an empty path too.
   * Default `amqp://guest:guest@127.0.0.1:5672//`.
   */
  url?: string;
  /**
   * `x-max-priority` of every task queue this broker declares (Celery's `task_queue_max_priority`).
   * Default `undefined`: no argument, no priorities (exactly Celery's default declaration).
   */
  maxPriority?: number;
  /** `'quorum'` declares task queues with `x-queue-type: quorum`. Default `'classic'` (no argument). */
  queueType?: 'classic' | 'quorum';
  /** Reconnect backoff. See {@link AmqpReconnectOptions} for the defaults. */
  reconnect?: AmqpReconnectOptions;
  /**
   * How long a publish may wait for RabbitMQ's confirm, including time spent buffered while
   * disconnected, before it fails with `TransportError`. Default `30000` ms.
   */
  publishTimeoutMs?: number;
  /**
   * Most publishes held while disconnected or waiting for confirms; beyond that `publish` fails at
   * once with `TransportError`. Default `10000`.
   */
  maxBufferedPublishes?: number;
  /** AMQP heartbeat in seconds; `0` disables it. Default `undefined`: the server's value (60 s). */
  heartbeat?: number;
  /** Timeout of one TCP/TLS connect + AMQP handshake, in ms. Default `10000`. */
  connectTimeoutMs?: number;
  /**
   * TLS settings for `amqps://` (`ca`, `cert`, `key`, `passphrase`, `rejectUnauthorized`, `servername`…),
   * passed to `tls.connect` by every connection (the broker's and its remote control's). The URL may
   * carry RabbitMQ's spellings instead: `cacertfile`, `certfile`, `keyfile` (file paths), `verify`
   * (`verify_peer` | `verify_none`) and `server_name_indication`; these options win.
   * Default: none (system CAs, server name from the URL host).
   */
  tls?: TlsOptions;
  /** Observer of connection events (logging, metrics, tests). Must not throw. Default: none. */
  onEvent?: (event: AmqpBrokerEvent) => void;
  /**
   * Deepest nesting of tables/arrays accepted in a received message's headers (8–1000). A message
   * nested deeper (or with a malformed headers table) is dead-lettered with the reason instead of
   * reaching the worker; without this bound such a message crashed amqplib's parser. Default `64`.
   */
  maxHeaderDepth?: number;
}

/** The options with every default applied. */
export interface ResolvedAmqpOptions {
  readonly url: string;
  readonly connection: AmqpConnectionTarget;
  readonly maxPriority: number | undefined;
  readonly queueType: 'classic' | 'quorum';
  readonly reconnect: Required<AmqpReconnectOptions>;
  readonly publishTimeoutMs: number;
  readonly maxBufferedPublishes: number;
  readonly connectTimeoutMs: number;
  readonly tls: TlsOptions;
  readonly onEvent: (event: AmqpBrokerEvent) => void;
  readonly maxHeaderDepth: number;
}

/** Where to connect, in the object form amqplib accepts. */
export interface AmqpConnectionTarget {
  protocol: 'amqp' | 'amqps';
  hostname: string;
  port: number;
  username: string;
  password: string;
  vhost: string;
  heartbeat?: number;
}

/** The default broker URL: the local RabbitMQ with the guest account. */
export const DEFAULT_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672//';

/** Parses an AMQP URL (Celery spellings included) into a connection target. */
export function parseAmqpUrl(url: string, heartbeat?: number): AmqpConnectionTarget {
  const normalized = url.replace(/^(pyamqp|librabbitmq):\/\//, 'amqp://');
  let parsed: URL;
  try {
    parsed = new URL(normalized);
  } catch {
    throw new ConfigError(`Invalid AMQP URL: ${redactUrl(url)}`);
  }
  const protocol = parsed.protocol.replace(/:$/, '');
  if (protocol !== 'amqp' && protocol !== 'amqps') {
    throw new ConfigError(`AMQP URL must start with amqp:// or amqps://, got ${redactUrl(url)}`);
  }
  const path = parsed.pathname.startsWith('/') ? parsed.pathname.slice(1) : parsed.pathname;
  const target: AmqpConnectionTarget = {
    protocol,
    hostname: parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : protocol === 'amqp' ? 5672 : 5671,
    username: parsed.username ? decodeURIComponent(parsed.username) : 'guest',
    password: parsed.password ? decodeURIComponent(parsed.password) : 'guest',
    vhost: path === '' ? '/' : decodeURIComponent(path),
  };
  if (heartbeat !== undefined) target.heartbeat = heartbeat;
  return target;
}

export { redactUrl };

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(value >= 0)) throw new ConfigError(`AmqpBroker option ${name} must be a number ≥ 0, got ${value}`);
  return value;
}

const TLS_FILES = { cacertfile: 'ca', certfile: 'cert', keyfile: 'key' } as const;

/** TLS settings from an `amqps://` URL's query (RabbitMQ's spellings); see {@link AmqpBrokerOptions.tls}. */
export function tlsFromUrl(url: string): TlsOptions {
  let query: URLSearchParams;
  try {
    query = new URL(url.replace(/^(pyamqp|librabbitmq):\/\//, 'amqp://')).searchParams;
  } catch {
    return {};
  }
  const tls: TlsOptions = {};
  for (const [param, option] of Object.entries(TLS_FILES)) {
    const path = query.get(param);
    if (path === null) continue;
    try {
      tls[option] = readFileSync(path);
    } catch (error) {
      throw new ConfigError(`Cannot read ${param}=${path} of ${redactUrl(url)}: ${(error as Error).message}`);
    }
  }
  const verify = query.get('verify');
  if (verify !== null) {
    if (verify !== 'verify_peer' && verify !== 'verify_none') throw new ConfigError(`verify must be verify_peer or verify_none in ${redactUrl(url)}`);
    tls.rejectUnauthorized = verify === 'verify_peer';
  }
  const servername = query.get('server_name_indication');
  if (servername !== null) tls.servername = servername;
  if (Object.keys(tls).length > 0 && !url.toLowerCase().startsWith('amqps://')) throw new ConfigError(`TLS settings in ${redactUrl(url)} need the amqps:// scheme`);
  return tls;
}

function headerDepth(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_HEADER_DEPTH;
  if (!(Number.isInteger(value) && value >= 8 && value <= 1_000)) throw new ConfigError(`AmqpBroker option maxHeaderDepth must be an integer 8–1000, got ${value}`);
  return value;
}

/** Applies the defaults and validates the options. Throws {@link ConfigError}. */
export function resolveAmqpOptions(options: AmqpBrokerOptions = {}): ResolvedAmqpOptions {
  const url = options.url ?? DEFAULT_AMQP_URL;
  const queueType = options.queueType ?? 'classic';
  if (queueType !== 'classic' && queueType !== 'quorum') {
    throw new ConfigError(`AmqpBroker option queueType must be 'classic' or 'quorum', got ${String(queueType)}`);
  }
  const maxPriority = options.maxPriority;
  if (maxPriority !== undefined && !(Number.isInteger(maxPriority) && maxPriority >= 1 && maxPriority <= 255)) {
    throw new ConfigError(`AmqpBroker option maxPriority must be an integer 1–255, got ${maxPriority}`);
  }
  if (maxPriority !== undefined && queueType === 'quorum') {
    throw new ConfigError('AmqpBroker: quorum queues do not support maxPriority (x-max-priority)');
  }
  const reconnect = options.reconnect ?? {};
  return {
    url,
    connection: parseAmqpUrl(url, options.heartbeat),
    maxPriority,
    queueType,
    reconnect: {
      initialDelayMs: positive('reconnect.initialDelayMs', reconnect.initialDelayMs, 100),
      maxDelayMs: positive('reconnect.maxDelayMs', reconnect.maxDelayMs, 5_000),
      factor: positive('reconnect.factor', reconnect.factor, 2),
      jitter: Math.min(1, positive('reconnect.jitter', reconnect.jitter, 0.2)),
      maxAttempts: positive('reconnect.maxAttempts', reconnect.maxAttempts, Number.POSITIVE_INFINITY),
    },
    publishTimeoutMs: positive('publishTimeoutMs', options.publishTimeoutMs, 30_000),
    maxBufferedPublishes: positive('maxBufferedPublishes', options.maxBufferedPublishes, 10_000),
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs, 10_000),
    tls: { ...tlsFromUrl(url), ...options.tls },
    onEvent: options.onEvent ?? (() => undefined),
    maxHeaderDepth: headerDepth(options.maxHeaderDepth),
  };
}

/** The delay before reconnect attempt `attempt` (1-based): exponential, capped, with jitter. */
export function reconnectDelay(reconnect: Required<AmqpReconnectOptions>, attempt: number): number {
  const base = Math.min(reconnect.maxDelayMs, reconnect.initialDelayMs * reconnect.factor ** (attempt - 1));
  const spread = base * reconnect.jitter * (Math.random() * 2 - 1);
  return Math.max(0, Math.round(Math.min(reconnect.maxDelayMs, base + spread)));
}
