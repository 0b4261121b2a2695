/**
 * The Python producer's half of a combination, batched to keep the suite fast: `produce.py` runs
 * once with every scenario, then `read_result.py` runs once over every id it printed. Cells await
 * the shared batch and assert their own part. Memoized per combination context.
 */
import { pythonProduce, pythonRead, type PyGroupRecord, type PyQuery, type PyTaskRecord } from './harness.js';
import type { InteropContext } from './context.js';

type Ids = Record<string, unknown>;

/** Per scenario of produce.py: which of its ids Python reads back, and how. */
const READS: Record<string, (ids: Ids, ctx: InteropContext) => PyQuery[]> = {
  echo_kwargs: (ids) => tasks(ids['id']),
  by_name: (ids) => tasks(ids['id']),
  countdown_expires: (ids) => tasks(ids['id'], ids['expired_id']),
  priority: (ids) => tasks(ids['id']),
  chain3: (ids) => tasks(...(ids['ids'] as unknown[])),
  group3: (ids) => groups(ids['group_id']),
  chord3: (ids) => tasks(ids['id']),
  // Python corrupts msgpack chains that embed a group (celery/celery#4710): nothing to read then.
  chain_chord: (ids, ctx) => (ctx.combo.serializer === 'msgpack' ? [] : tasks(ids['id'])),
  map_starmap_chunks: (ids) => [...tasks(ids['map_id'], ids['starmap_id']), ...groups(ids['chunks_group_id'])],
  link: (ids) => tasks(ids['id'], ids['callback_id']),
  link_error: (ids) => tasks(ids['id'], ids['errback_id']),
  retry: (ids) => tasks(ids['id']),
  fail: (ids) => tasks(ids['id']),
  mixed_chain: (ids) => tasks(...(ids['ids'] as unknown[])),
  mixed_errbacks: (ids) => tasks(ids['py_failed_id'], ids['ts_errback_id'], ids['ts_failed_id'], ids['py_errback_id']),
  mixed_chord: (ids) => tasks(ids['id']),
  chord_on_error: (ids) => tasks(ids['id'], ids['errback_id']),
  // A header chain that ends in a group embeds a group signature: corrupt in Python's msgpack (celery#4710).
  chord_group_tail: (ids, ctx) => (ctx.combo.serializer === 'msgpack' ? [] : tasks(ids['id'])),
  rebuild_chord_chain: (ids) => tasks(ids['id']),
  replace_chain: (ids) => tasks(...(ids['ids'] as unknown[])),
  replace_chord: (ids) => tasks(ids['id']),
  replace_group_link: (ids) => tasks(ids['id'], ids['linked_id'], ids['callback_id']),
};

/** Every scenario the batch produces. */
export const PY_SCENARIOS = Object.keys(READS);

function tasks(...ids: unknown[]): PyQuery[] {
  return ids.map((id) => ({ id: String(id), kind: 'task' as const, timeout: 20 }));
}

function groups(...ids: unknown[]): PyQuery[] {
  return ids.map((id) => ({ id: String(id), kind: 'group' as const, timeout: 20 }));
}

/** The produced ids and what Python read for them. */
export class PythonSide {
  constructor(
    private readonly produced: Record<string, Ids>,
    private readonly records: Map<string, PyTaskRecord & PyGroupRecord>,
  ) {}

  /** The ids a scenario printed (throws with the Python error when the scenario failed). */
  ids(scenario: string): Ids {
    const ids = this.produced[scenario];
    if (!ids) throw new Error(`produce.py printed nothing for ${scenario}`);
    if (ids['error']) throw new Error(`produce.py ${scenario} failed: ${String(ids['error'])}\n${String(ids['traceback'])}`);
    return ids;
  }

  /** One id printed by a scenario. */
  id(scenario: string, key: string): string {
    const value = this.ids(scenario)[key];
    if (typeof value !== 'string') throw new Error(`produce.py ${scenario} printed no ${key}`);
    return value;
  }

  /** Several ids printed under one key. */
  idList(scenario: string, key: string): string[] {
    return this.ids(scenario)[key] as string[];
  }

  /** What Python's AsyncResult read for a task id. */
  task(id: string): PyTaskRecord {
    return this.record(id);
  }

  /** What Python's GroupResult.restore read for a group id. */
  group(id: string): PyGroupRecord {
    return this.record(id);
  }

  private record(id: string): PyTaskRecord & PyGroupRecord {
    const record = this.records.get(id);
    if (!record) throw new Error(`read_result.py did not read ${id}`);
    if (record.reader_error) throw new Error(`read_result.py failed on ${id}: ${record.reader_error}`);
    return record;
  }
}

const batches = new WeakMap<InteropContext, Promise<PythonSide>>();

async function runBatch(ctx: InteropContext): Promise<PythonSide> {
  const produced = (await pythonProduce(ctx.env, PY_SCENARIOS)) as Record<string, Ids>;
  const queries = PY_SCENARIOS.flatMap((scenario) => {
    const ids = produced[scenario];
    return ids && !ids['error'] ? READS[scenario]!(ids, ctx) : [];
  });
  const records = await pythonRead(ctx.env, queries);
  return new PythonSide(produced, new Map(records.map((record) => [record.id, record])));
}

/** The combination's Python batch (started by the first cell that asks). */
export function pythonSide(ctx: InteropContext): Promise<PythonSide> {
  let batch = batches.get(ctx);
  if (!batch) {
    batch = runBatch(ctx);
    batches.set(ctx, batch);
  }
  return batch;
}
