/** Work in progress: the Redis workflow store. */
import type { WorkflowStore } from './store.js';
/** Not implemented yet. */
export class RedisWorkflowStore {
  constructor(_options: Record<string, unknown>) {
    throw new Error('the Redis workflow store is not implemented yet');
  }
}
export type { WorkflowStore };
