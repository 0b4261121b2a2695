/**
 * Decode a run hash (HGETALL reply) into a {@link RunState}; field names in lua/common.lua.
 * @module
 */
import type { NodeStatus, RunStatus } from '../types.js';
import type { NodeState, RunMeta, RunState } from './store.js';

const num = (text: string | undefined): number | null => (text === undefined ? null : Number(text));

/** The run in `hash`, or undefined when the hash is empty (no such run). */
export function parseRunHash(hash: Record<string, string>): RunState | undefined {
  const metaText = hash['meta'];
  if (metaText === undefined) return undefined;
  const meta = JSON.parse(metaText) as RunMeta;
  const keys = JSON.parse(hash['nodekeys'] ?? '[]') as string[];
  const nodes: Record<string, NodeState> = {};
  for (const key of keys) {
    const status = (hash[`s:${key}`] ?? 'pending') as NodeStatus;
    const result = hash[`r:${key}`];
    const error = hash[`e:${key}`];
    nodes[key] = {
      status,
      taskId: hash[`i:${key}`] ?? '',
      result: status === 'success' && result !== undefined ? JSON.parse(result) : null,
      error: error !== undefined ? JSON.parse(error) : null,
      retries: num(hash[`n:${key}`]) ?? 0,
      started: num(hash[`ts:${key}`]),
      finished: num(hash[`tf:${key}`]),
    };
  }
  return { meta, status: (hash['status'] ?? 'pending') as RunStatus, updated: Number(hash['updated'] ?? meta.created), nodes };
}
