/**
 * Backend URL → workflow store: runs live where results live. `memory://[name]` → the memory store of
 * that name; `redis://` / `rediss://` → the Redis store on the same database.
 * @module
 */
import { ConfigError } from '../../errors.js';
import { MemoryWorkflowStore } from './memory.js';
import type { WorkflowStore } from './store.js';

/** Open the workflow store for a result backend URL. */
export async function resolveWorkflowStore(url: string, options: Record<string, unknown> = {}): Promise<WorkflowStore> {
  const scheme = url.split(':', 1)[0]?.toLowerCase();
  switch (scheme) {
    case 'memory':
      return new MemoryWorkflowStore({ name: url.slice('memory://'.length) || 'default' });
    case 'redis':
    case 'rediss': {
      const { RedisWorkflowStore } = await import('./redis.js');
      return new RedisWorkflowStore({ ...options, url }) as unknown as WorkflowStore;
    }
    default:
      throw new ConfigError(`Workflows need a memory:// or redis:// result backend (got '${url.replace(/\/\/[^@/]*@/, '//***@')}')`);
  }
}
