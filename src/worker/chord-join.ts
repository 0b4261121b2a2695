/**
 * The header results a chord body gets. Normally every part's result in header order. When the
 * producer saved the header group (`celery-taskset-meta-<gid>`, what Python's Redis backend does
 * for a header with a nested group, e.g. a chain ending in a group), the results are joined along
 * the saved structure instead, as Celery's Redis backend does: a nested group stays one list
 * (`[[42, 42]]`, not `[42, 42]`).
 * @module
 */
import type { ChordPart, ResultBackend } from '../backend/backend.js';
import type { ResultTuple } from '../protocol/result-meta.js';

/** The body's argument for a complete chord whose counted parts are `parts` (header order). */
export async function joinHeaderResults(backend: Pick<ResultBackend, 'restoreGroup' | 'getMetas'>, groupId: string, parts: readonly ChordPart[]): Promise<unknown[]> {
  const flat = parts.map((part) => part.result);
  const saved = await backend.restoreGroup(groupId);
  const members = saved?.[1];
  if (!Array.isArray(members)) return flat;
  const known = new Map(parts.map((part) => [part.taskId, part.result]));
  const missing = new Set<string>();
  const collect = (tuple: ResultTuple): void => {
    if (Array.isArray(tuple[1])) tuple[1].forEach(collect);
    else if (!known.has(tuple[0][0])) missing.add(tuple[0][0]);
  };
  members.forEach(collect);
  if (missing.size > 0) {
    const ids = [...missing];
    const metas = await backend.getMetas(ids);
    ids.forEach((id, i) => known.set(id, metas[i]?.result ?? null));
  }
  const join = (tuple: ResultTuple): unknown => (Array.isArray(tuple[1]) ? tuple[1].map(join) : known.get(tuple[0][0]));
  return members.map(join);
}
