/**
 * Operator actions on a run: cancel (idempotent), expire at `maxDuration`, resume (the same run:
 * failed and canceled nodes run again with new task ids; successful results are kept).
 * @module
 */
import { newId } from '../../ids.js';
import { UnknownRunError, WorkflowStateError } from '../errors.js';
import type { ClaimRequest, JoinCounts, NodeReset, RunState } from '../store/store.js';
import { isFinalNodeStatus, type CancelOutcome, type NodeStatus } from '../types.js';
import { runEvent, type WorkflowEngine } from './engine.js';
import { decideJoin } from './join.js';

/** Cancel a run: nothing new starts, queued and running nodes are revoked. Idempotent. */
export async function cancelRun(engine: WorkflowEngine, runId: string): Promise<CancelOutcome> {
  const meta = await engine.deps.store.readMeta(runId);
  if (!meta) throw new UnknownRunError(runId);
  const error = { type: 'NodeCanceledError', message: 'the run was canceled', traceback: null };
  const closed = await engine.close(meta, 'canceled', { cancelPending: true, cancelRunning: true, error });
  return { changed: closed.changed, status: closed.status ?? 'canceled', revoked: closed.revoked };
}

/** End a run that ran past its `maxDuration` (no-op when it already finished). */
export async function expireRun(engine: WorkflowEngine, runId: string, maxDuration: number): Promise<void> {
  const meta = await engine.deps.store.readMeta(runId);
  if (!meta) return;
  const error = { type: 'WorkflowTimeoutError', message: `the run exceeded its maxDuration of ${maxDuration}s`, traceback: null };
  await engine.close(meta, 'error', { cancelPending: true, cancelRunning: true, error });
}

/** Resume a failed or canceled run in place; see the module documentation. */
export async function resumeRun(engine: WorkflowEngine, runId: string): Promise<void> {
  const { store } = engine.deps;
  const state = await store.getRun(runId);
  if (!state) throw new UnknownRunError(runId);
  if (state.status !== 'error' && state.status !== 'canceled') {
    throw new WorkflowStateError(runId, `run ${runId} is ${state.status}: only runs in error or canceled can be resumed`);
  }
  const loaded = await engine.graphOf(state.meta);
  const rerun = new Set(loaded.graph.nodes.filter((node) => isRerun(state, node.key)).map((node) => node.key));
  const statusAfter = (key: string): NodeStatus => (rerun.has(key) ? 'pending' : state.nodes[key]!.status);
  const resets: NodeReset[] = [...rerun].map((key) => {
    const node = loaded.byKey.get(key)!;
    const settledParents: Record<string, NodeStatus> = {};
    let counts: JoinCounts = { settled: 0, ok: 0, skipped: 0 };
    for (const parent of node.after) {
      const status = statusAfter(parent);
      if (!isFinalNodeStatus(status)) continue;
      settledParents[parent] = status;
      counts = { settled: counts.settled + 1, ok: counts.ok + (status === 'success' ? 1 : 0), skipped: counts.skipped + (status === 'skipped' ? 1 : 0) };
    }
    return { key, taskId: newId(), counts, settledParents, parents: node.after };
  });
  const at = engine.deps.now();
  if (!(await store.reopenRun(runId, resets, at))) throw new WorkflowStateError(runId, `run ${runId} changed while resuming; try again`);
  await store.publish([runEvent(state.meta, 'progress', state.status, at)]);
  const ready: ClaimRequest[] = resets
    .filter((reset) => {
      const node = loaded.byKey.get(reset.key)!;
      return decideJoin(node.join, node.after.length, reset.counts) === 'run';
    })
    .map((reset) => ({ key: reset.key, by: '', parents: loaded.byKey.get(reset.key)!.after }));
  await engine.publishClaims(state.meta, loaded, ready, null);
}

function isRerun(state: RunState, key: string): boolean {
  const status = state.nodes[key]?.status;
  return status === 'error' || status === 'canceled' || status === 'pending';
}
