/**
 * `map` nodes (WORKFLOWS.md §W6): one ordinary task message per item of the parent's list result,
 * published in batches (no message carries the list), each reporting to a built-in callback that
 * counts it once in the store; the item that completes the count settles the node with every
 * result in item order. An empty list gives `[]` at once; a non-list, or an item that failed for
 * good, fails the node (`MapError`).
 * @module
 */
import type { NodeError } from '../../types.js';
import type { WorkflowEngine } from '../engine.js';
import type { NodeCall } from '../node-message.js';
import { markWaiting } from './wait.js';
import { nodeError, type KindDeps } from './shared.js';

/** Items per published batch. */
export const MAP_BATCH = 500;

/** Which map item a callback reports: the kwargs of its callbacks. */
export interface MapItemRef {
  readonly run_id: string;
  readonly node: string;
  /** The map node's task id (its current attempt). */
  readonly map_task_id: string;
  readonly index: number;
}

/** Read a {@link MapItemRef} from callback kwargs, if it is one. */
export function mapItemRefOf(kwargs: Readonly<Record<string, unknown>> | undefined): MapItemRef | undefined {
  const { run_id: runId, node, map_task_id: mapTaskId, index } = kwargs ?? {};
  if (typeof runId !== 'string' || typeof node !== 'string' || typeof mapTaskId !== 'string' || typeof index !== 'number') return undefined;
  return { run_id: runId, node, map_task_id: mapTaskId, index };
}

/** Start a map node. */
export async function startMap(engine: WorkflowEngine, kinds: KindDeps, call: NodeCall): Promise<void> {
  const items = call.parentResults[0];
  const at = engine.deps.now();
  const settle = (outcome: { status: 'success'; result: unknown } | { status: 'error'; error: NodeError }) => engine.settle(call.runId, { key: call.node.key, taskId: call.taskId, at, ...outcome });
  if (!Array.isArray(items)) {
    await settle({ status: 'error', error: nodeError('MapError', `map '${call.node.key}' needs a list from '${call.node.after[0] ?? ''}' (got ${typeof items === 'object' ? JSON.stringify(items)?.slice(0, 60) : typeof items})`) });
    return;
  }
  await markWaiting(engine, call);
  if (items.length === 0) {
    await settle({ status: 'success', result: [] });
    return;
  }
  await kinds.signals.mapStart(call.runId, call.node.key, call.taskId, items.length, kinds.expiresSeconds);
  for (let i = 0; i < items.length; i += MAP_BATCH) {
    await kinds.sendMapItems(call, items.slice(i, i + MAP_BATCH).map((item, j) => ({ index: i + j, item })));
  }
}

/** An item succeeded: count it; the last one settles the node with every result. */
export async function mapItemDone(engine: WorkflowEngine, kinds: KindDeps, ref: MapItemRef, result: unknown): Promise<void> {
  const progress = await kinds.signals.mapItem(ref.run_id, ref.node, ref.map_task_id, ref.index, result);
  if (!progress.results) return;
  await engine.settle(ref.run_id, { key: ref.node, taskId: ref.map_task_id, status: 'success', result: progress.results, at: engine.deps.now(), onlyFrom: ['progress'] });
}

/** An item failed for good: the node fails with its error. */
export async function mapItemFailed(engine: WorkflowEngine, ref: MapItemRef, error: NodeError): Promise<void> {
  const failed = nodeError('MapError', `item ${ref.index} failed: ${error.type}: ${error.message}`);
  await engine.settle(ref.run_id, { key: ref.node, taskId: ref.map_task_id, status: 'error', error: { ...failed, traceback: error.traceback }, at: engine.deps.now(), onlyFrom: ['progress'] });
}
