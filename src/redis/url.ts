/**
 * Checks of `redis://` / `rediss://` URLs before any connection is made, so a typo fails with one
 * clear line (the password masked) instead of a `SELECT NaN` crash or a reconnect loop.
 * @module
 */
import { ConfigError, redactUrl } from '../errors.js';

/**
 * Throws {@link ConfigError} unless `url` is a Redis URL ioredis can use: scheme `redis`/`rediss`,
 * a host, an optional port 1–65535 and an optional database number (`/0`…`/15`, any integer ≥ 0).
 */
export function checkRedisUrl(url: string): void {
  const shown = redactUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`Invalid Redis URL ${shown} (a password holding @, :, / or % must be percent-encoded)`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new ConfigError(`Not a Redis URL: ${shown} (use redis:// or rediss://)`);
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new ConfigError(`Invalid Redis URL ${shown}: the database must be a number, got '${db}'`);
}

/** True when `error` is Redis refusing the credentials (wrong password or user, or none sent). */
export function isAuthError(error: unknown): boolean {
  return error instanceof Error && /^(WRONGPASS|NOAUTH|NOPERM)\b|invalid password|AUTH.*without any password/i.test(error.message);
}
