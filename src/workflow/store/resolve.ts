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
      return new RedisWorkflowStore({ ...pick(options), url });
    }
    default:
      throw new ConfigError(`Workflows need a memory:// or redis:// result backend (got '${url.replace(/\/\/[^@/]*@/, '//***@')}')`);
  }
}

function pick(options: Record<string, unknown>): { workflowKeyPrefix?: string; operationTimeoutMs?: number; connectionName?: string } {
  const picked: { workflowKeyPrefix?: string; operationTimeoutMs?: number; connectionName?: string } = {};
  if (typeof options['workflowKeyPrefix'] === 'string') picked.workflowKeyPrefix = options['workflowKeyPrefix'];
  if (typeof options['operationTimeoutMs'] === 'number') picked.operationTimeoutMs = options['operationTimeoutMs'];
  if (typeof options['connectionName'] === 'string') picked.connectionName = options['connectionName'];
  return picked;
}
