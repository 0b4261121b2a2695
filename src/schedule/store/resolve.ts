/**
 * Backend URL → schedule store: schedules live where results live. `memory://[name]` → the memory
 * store of that name; `redis://` / `rediss://` → the Redis store on the same database.
 * @module
 */
import { ConfigError } from '../../errors.js';
import { MemoryScheduleStore } from './memory.js';
import type { ScheduleStore } from './store.js';

/** Open the schedule store for a result backend URL. */
export async function resolveScheduleStore(url: string, options: Record<string, unknown> = {}): Promise<ScheduleStore> {
  const scheme = url.split(':', 1)[0]?.toLowerCase();
  switch (scheme) {
    case 'memory':
      return new MemoryScheduleStore({ name: url.slice('memory://'.length) || 'default' });
    case 'redis':
    case 'rediss': {
      const { RedisScheduleStore } = await import('./redis.js');
      const keyPrefix = typeof options['keyPrefix'] === 'string' ? options['keyPrefix'] : undefined;
      return new RedisScheduleStore({ url, ...(keyPrefix !== undefined ? { keyPrefix } : {}) });
    }
    default:
      throw new ConfigError(`Schedules need a memory:// or redis:// result backend (got '${url.replace(/\/\/[^@/]*@/, '//***@')}')`);
  }
}
