/**
 * Result backend URL → adapter. `memory://[name]`, `redis://`, `rediss://`.
 * @module
 */
import { ConfigError, redactUrl } from '../errors.js';
import type { ResultBackend } from './backend.js';
import { MemoryBackend } from './memory.js';

/** Open the result backend adapter for `url`. `options` are passed to the adapter's constructor. */
export async function resolveBackend(url: string, options: Record<string, unknown> = {}): Promise<ResultBackend> {
  const scheme = url.split(':', 1)[0]?.toLowerCase();
  switch (scheme) {
    case 'memory':
      return new MemoryBackend({ name: url.slice('memory://'.length) || 'default' });
    case 'redis':
    case 'rediss': {
      const { RedisBackend } = await import('./redis.js');
      return new RedisBackend({ ...options, url });
    }
    default:
      throw new ConfigError(`Unsupported result backend URL '${redactUrl(url)}': use memory:// or redis://`);
  }
}
