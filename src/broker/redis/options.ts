/**
 * Options of the Redis broker, each with its default, and their resolution into plain values.
 * @module
 */
import { ConfigError } from '../../errors.js';
import { DEFAULT_PRIORITY_STEPS } from './keys.js';
import { DEFAULT_MAX_HEADER_DEPTH } from '../../protocol/depth.js';
import { checkRedisUrl } from '../../redis/url.js';
import { redisTarget, type RedisTlsOptions } from '../../redis/tls.js';

/** Options of {@link RedisBroker}. Every field is optional. */
export interface RedisBrokerOptions {
  /**
   * `redis://[[user]:password@]host:port/db`, or `rediss://…` for TLS.
   * Default: `'redis://127.0.0.1:6379/0'`.
   */
  url?: string;
  /** Put in front of every key and queue list, like kombu's `global_keyprefix`. Default: `''`. */
  keyPrefix?: string;
  /**
   * How long a delivery may stay unacknowledged without a live owner before it is delivered again
   * (kombu's `visibility_timeout`). A live consumer keeps refreshing its deliveries, so only a dead
   * consumer's messages come back. Use the same value as any Python worker on the same Redis.
   * Default: `3_600_000` (1 hour, kombu's default).
   */
  visibilityTimeoutMs?: number;
  /**
   * How often in-flight deliveries get their `unacked_index` score refreshed.
   * Default: a third of `visibilityTimeoutMs`, at most 60 s.
   */
  leaseRefreshIntervalMs?: number;
  /**
   * How often a consuming broker looks for expired deliveries to restore (under kombu's
   * `unacked_mutex`, so one process sweeps at a time). Default: a quarter of `visibilityTimeoutMs`,
   * between 100 ms and 60 s.
   */
  sweepIntervalMs?: number;
  /** How often parked (ETA/countdown) messages are checked besides the next-due timer. Default: `1_000`. */
  delayedPollIntervalMs?: number;
  /**
   * How long one blocking wait for an empty queue lasts before it is re-armed (it wakes at once
   * when a message arrives; this only bounds how long a dead socket can go unnoticed). Default: `5_000`.
   */
  blockTimeoutMs?: number;
  /**
   * How long `publish`/`publishBatch` and settlements keep retrying while Redis is unreachable
   * before throwing a `TransportError`. Default: `30_000`.
   */
  operationTimeoutMs?: number;
  /** kombu's `priority_steps`: the priority buckets per queue. Default: `[0, 3, 6, 9]`. */
  prioritySteps?: readonly number[];
  /** The most messages moved by one sweep or delayed-promotion step. Default: `500`. */
  batchLimit?: number;
  /** The name shown in `CLIENT LIST` (suffixed `:cmd` / `:wait`). Default: `'celeriac'`. */
  connectionName?: string;
  /** Called with errors of background work (sweeps, lease refresh, reconnects). Default: ignore. */
  onError?: (error: Error) => void;
  /**
   * Deepest nesting of objects/arrays accepted in a message's headers (8–1000); deeper messages
   * are dead-lettered (`headers-too-deep`) before anything walks them. Default: `64`.
   */
  maxHeaderDepth?: number;
  /**
   * Most entries kept in a queue's dead-letter list (`<queue>.celeriac.dead`); the oldest are
   * dropped beyond it. Default: `10_000`.
   */
  deadLetterMaxCount?: number;
  /**
   * Most bytes of a dead-lettered message kept in its record; a longer one is stored cut to this
   * size and marked `truncated` (it can be shown but not replayed). Default: `16_384`.
   */
  deadLetterMaxBytes?: number;
  /**
   * TLS for `rediss://` (Node's `tls.ConnectionOptions`: `ca`, `cert`, `key`, `servername`,
   * `rejectUnauthorized`, …), used by every connection of the broker and of its remote control.
   * The URL may carry Celery's `ssl_cert_reqs`, `ssl_ca_certs`, `ssl_certfile`, `ssl_keyfile`,
   * `ssl_check_hostname` (and `ssl_servername`) instead; these options win. Default: system CAs.
   */
  tls?: RedisTlsOptions;
}

/** {@link RedisBrokerOptions} with every default filled in. */
export interface ResolvedRedisBrokerOptions {
  url: string;
  keyPrefix: string;
  visibilityTimeoutMs: number;
  leaseRefreshIntervalMs: number;
  sweepIntervalMs: number;
  delayedPollIntervalMs: number;
  blockTimeoutMs: number;
  operationTimeoutMs: number;
  prioritySteps: readonly number[];
  batchLimit: number;
  connectionName: string;
  onError: (error: Error) => void;
  maxHeaderDepth: number;
  deadLetterMaxCount: number;
  deadLetterMaxBytes: number;
  /** TLS settings (undefined: plain TCP); `url` has the TLS query parameters removed. */
  tls: RedisTlsOptions | undefined;
}

/** The default broker URL. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379/0';

/** Fill in defaults and check values. Throws a {@link ConfigError} for invalid ones. */
export function resolveBrokerOptions(options: RedisBrokerOptions = {}): ResolvedRedisBrokerOptions {
  const url = options.url ?? DEFAULT_REDIS_URL;
  checkRedisUrl(url);
  const target = redisTarget(url, options.tls);
  const visibilityTimeoutMs = positive('visibilityTimeoutMs', options.visibilityTimeoutMs ?? 3_600_000);
  const prioritySteps = options.prioritySteps ?? DEFAULT_PRIORITY_STEPS;
  if (prioritySteps.some((step) => !Number.isInteger(step) || step < 0 || step > 9)) {
    throw new ConfigError(`prioritySteps must be integers 0..9, got ${JSON.stringify(prioritySteps)}`);
  }
  return {
    url: target.url,
    tls: target.tls,
    keyPrefix: options.keyPrefix ?? '',
    visibilityTimeoutMs,
    leaseRefreshIntervalMs: positive(
      'leaseRefreshIntervalMs',
      options.leaseRefreshIntervalMs ?? Math.min(60_000, visibilityTimeoutMs / 3),
    ),
    sweepIntervalMs: positive(
      'sweepIntervalMs',
      options.sweepIntervalMs ?? Math.min(60_000, Math.max(100, visibilityTimeoutMs / 4)),
    ),
    delayedPollIntervalMs: positive('delayedPollIntervalMs', options.delayedPollIntervalMs ?? 1_000),
    blockTimeoutMs: positive('blockTimeoutMs', options.blockTimeoutMs ?? 5_000),
    operationTimeoutMs: positive('operationTimeoutMs', options.operationTimeoutMs ?? 30_000),
    prioritySteps,
    batchLimit: positive('batchLimit', options.batchLimit ?? 500),
    connectionName: options.connectionName ?? 'celeriac',
    onError: options.onError ?? (() => undefined),
    maxHeaderDepth: integerIn('maxHeaderDepth', options.maxHeaderDepth ?? DEFAULT_MAX_HEADER_DEPTH, 8, 1_000),
    deadLetterMaxCount: integerIn('deadLetterMaxCount', options.deadLetterMaxCount ?? 10_000, 1, 10_000_000),
    deadLetterMaxBytes: integerIn('deadLetterMaxBytes', options.deadLetterMaxBytes ?? 16_384, 256, 512 * 1024 * 1024),
  };
}

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new ConfigError(`${name} must be an integer ${min}–${max}, got ${value}`);
  return value;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`${name} must be a positive number, got ${value}`);
  return value;
}
