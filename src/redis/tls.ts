/**
 * TLS for Redis connections (`rediss://`), configured in code (`tls` option: Node's
 * `tls.ConnectionOptions`: `ca`, `cert`, `key`, `passphrase`, `servername`, `rejectUnauthorized`,
 * …) and/or in the URL query with the names Celery/kombu/redis-py use:
 * `ssl_cert_reqs` (`required` | `optional` | `none`, or `CERT_REQUIRED` …), `ssl_ca_certs`,
 * `ssl_certfile`, `ssl_keyfile` (file paths) and `ssl_check_hostname`, plus `ssl_servername`.
 * Options given in code win over the URL. The query parameters are removed from the URL handed to
 * ioredis. Every connection (commands, blocking waits, pub/sub, remote control) uses the result.
 * @module
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { ConfigError, redactUrl } from '../errors.js';

/** TLS settings of a Redis connection (Node's `tls.connect` options). */
export type RedisTlsOptions = ConnectionOptions;

/** A Redis URL split into what ioredis gets and the TLS settings (undefined: plain TCP). */
export interface RedisTarget {
  readonly url: string;
  readonly tls: RedisTlsOptions | undefined;
}

const FILE_PARAMS = { ssl_ca_certs: 'ca', ssl_certfile: 'cert', ssl_keyfile: 'key' } as const;
const TLS_PARAMS = ['ssl_cert_reqs', 'ssl_check_hostname', 'ssl_servername', ...Object.keys(FILE_PARAMS)];

function readFile(url: string, param: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ConfigError(`Cannot read ${param}=${path} of ${redactUrl(url)}: ${(error as Error).message}`);
  }
}

/** Splits TLS settings out of `url` and merges `tls` (which wins); see the module doc. */
export function redisTarget(url: string, tls?: RedisTlsOptions): RedisTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url, tls }; // checkRedisUrl reports it
  }
  const secure = parsed.protocol === 'rediss:';
  const fromUrl: RedisTlsOptions = {};
  let found = false;
  for (const param of TLS_PARAMS) {
    const value = parsed.searchParams.get(param);
    if (value === null) continue;
    found = true;
    parsed.searchParams.delete(param);
    if (param in FILE_PARAMS) fromUrl[FILE_PARAMS[param as keyof typeof FILE_PARAMS]] = readFile(url, param, value);
    else if (param === 'ssl_cert_reqs') {
      const level = value.toLowerCase().replace(/^cert_/, '');
      if (!['required', 'optional', 'none'].includes(level)) throw new ConfigError(`ssl_cert_reqs must be required, optional or none in ${redactUrl(url)}, got '${value}'`);
      fromUrl.rejectUnauthorized = level !== 'none';
    } else if (param === 'ssl_check_hostname') {
      if (!/^(true|false)$/i.test(value)) throw new ConfigError(`ssl_check_hostname must be true or false in ${redactUrl(url)}`);
      if (value.toLowerCase() === 'false') fromUrl.checkServerIdentity = () => undefined;
    } else if (param === 'ssl_servername') fromUrl.servername = value;
  }
  if (found && !secure) throw new ConfigError(`TLS settings in ${redactUrl(url)} need the rediss:// scheme`);
  const cleaned = found ? parsed.toString() : url;
  if (!secure && tls === undefined) return { url: cleaned, tls: undefined };
  return { url: cleaned, tls: { ...fromUrl, ...tls } };
}
