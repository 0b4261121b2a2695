/**
 * Options of the Redis result backend, each with its default.
 * @module
 */
import { ConfigError } from '../../errors.js';
import type { SerializerName } from '../../protocol/serializer.js';
import { checkRedisUrl } from '../../redis/url.js';
import { redisTarget, type RedisTlsOptions } from '../../redis/tls.js';

/** Options of {@link RedisBackend}. Every field is optional. */
export interface RedisBackendOptions {
  /** `redis://[[user]:password@]host:port/db`, or `rediss://…` for TLS. Default: `'redis://127.0.0.1:6379/0'`. */
  url?: string;
  /**
   * How metas, saved groups and chord parts are encoded (Celery's `result_serializer`). Reading
   * accepts both JSON and msgpack whatever this says. Default: `'json'`.
   */
  serializer?: SerializerName;
  /** TTL of metas, saved groups, chord counters and revocations (Celery's `result_expires`); `0` disables expiry. Default: `86_400`. */
  expiresSeconds?: number;
  /** Put in front of every key and channel (newer Celery's `global_keyprefix`). Default: `''`. */
  keyPrefix?: string;
  /** How long writes and reads keep retrying while Redis is unreachable before throwing a `TransportError`. Default: `30_000`. */
  operationTimeoutMs?: number;
  /** The name shown in `CLIENT LIST` (suffixed `:cmd` / `:sub`). Default: `'celeriac'`. */
  connectionName?: string;
  /** Called with errors of background work (reconnects, re-reads after a reconnect). Default: ignore. */
  onError?: (error: Error) => void;
  /**
   * TLS for `rediss://` (Node's `tls.ConnectionOptions`: `ca`, `cert`, `key`, `servername`,
   * `rejectUnauthorized`, …), used by every connection of the backend. The URL may carry Celery's
   * `ssl_cert_reqs`, `ssl_ca_certs`, `ssl_certfile`, `ssl_keyfile`, `ssl_check_hostname` (and
   * `ssl_servername`) instead; these options win. Default: system CAs.
   */
  tls?: RedisTlsOptions;
  /**
   * With at least this many result waits pending at once, the backend listens with one pattern
   * subscription on every task-meta channel instead of one SUBSCRIBE + UNSUBSCRIBE per task (much
   * cheaper for a producer waiting on thousands of results). While it is up, the connection also
   * receives results of tasks it does not wait for, from every database of the server (Redis
   * pub/sub is server-wide). `Infinity` always subscribes per task. Default: `512`.
   */
  patternWaitThreshold?: number;
}

/** {@link RedisBackendOptions} with every default filled in. */
export interface ResolvedRedisBackendOptions {
  url: string;
  serializer: SerializerName;
  expiresSeconds: number;
  keyPrefix: string;
  operationTimeoutMs: number;
  connectionName: string;
  onError: (error: Error) => void;
  /** TLS settings (undefined: plain TCP); `url` has the TLS query parameters removed. */
  tls: RedisTlsOptions | undefined;
  patternWaitThreshold: number;
}

/** Fill in defaults and check values. Throws a {@link ConfigError} for invalid ones. */
export function resolveBackendOptions(options: RedisBackendOptions = {}): ResolvedRedisBackendOptions {
  const url = options.url ?? 'redis://127.0.0.1:6379/0';
  checkRedisUrl(url);
  const target = redisTarget(url, options.tls);
  const serializer = options.serializer ?? 'json';
  if (serializer !== 'json' && serializer !== 'msgpack') throw new ConfigError(`Unsupported result serializer: ${String(serializer)}`);
  const expiresSeconds = options.expiresSeconds ?? 86_400;
  if (!Number.isFinite(expiresSeconds) || expiresSeconds < 0) throw new ConfigError(`expiresSeconds must be >= 0, got ${expiresSeconds}`);
  const patternWaitThreshold = options.patternWaitThreshold ?? 512;
  if (!(patternWaitThreshold >= 1)) throw new ConfigError(`patternWaitThreshold must be >= 1 (or Infinity), got ${patternWaitThreshold}`);
  const operationTimeoutMs = options.operationTimeoutMs ?? 30_000;
  if (!(operationTimeoutMs > 0)) throw new ConfigError(`operationTimeoutMs must be positive, got ${operationTimeoutMs}`);
  return {
    url: target.url,
    tls: target.tls,
    serializer,
    expiresSeconds: Math.round(expiresSeconds),
    keyPrefix: options.keyPrefix ?? '',
    operationTimeoutMs,
    connectionName: options.connectionName ?? 'celeriac',
    onError: options.onError ?? (() => undefined),
    patternWaitThreshold,
  };
}

/** The database number in a Redis URL (`/2` → 2; none → 0). */
export function databaseOf(url: string): number {
  const match = /^rediss?:\/\/[^/]*\/(\d+)/i.exec(url);
  return match ? Number(match[1]) : 0;
}
