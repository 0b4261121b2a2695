/**
 * `timer` nodes (WORKFLOWS.md §W6): at start, the due time (`seconds` from now, or the ISO time at
 * an `at:` path of the payload) goes into one ETA message to a built-in task whose task id is the
 * node's own. The broker keeps it across worker restarts (an unacknowledged message is
 * redelivered); the settle is compare-and-set on the task id, so it completes the node once; a
 * message that arrives early is sent again for the remaining time, so it never fires early.
 * @module
 */
import type { RunMeta } from '../../store/store.js';
import type { WorkflowEngine } from '../engine.js';
import type { NodeCall } from '../node-message.js';
import { markWaiting } from './wait.js';
import { nodeError, TIMER_TASK, valueAt, type KindDeps } from './shared.js';

/** The due time of a timer node (epoch ms), or the reason it has none. */
export function dueTime(meta: RunMeta, call: NodeCall, now: number): number | { problem: string } {
  const timer = call.node.timer!;
  if (timer.seconds !== undefined) return now + timer.seconds * 1000;
  const value = valueAt({ payload: meta.payload }, timer.at!);
  const ms = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) return { problem: `at: ${timer.at} is not an ISO time (got ${JSON.stringify(value) ?? 'nothing'})` };
  return ms;
}

/** Start a timer node. */
export async function startTimer(engine: WorkflowEngine, kinds: KindDeps, meta: RunMeta, call: NodeCall): Promise<void> {
  const now = engine.deps.now();
  const due = dueTime(meta, call, now);
  if (typeof due !== 'number') {
    await engine.settle(call.runId, { key: call.node.key, taskId: call.taskId, status: 'error', error: nodeError('TimerError', due.problem), at: now });
    return;
  }
  await markWaiting(engine, call);
  await kinds.sendDelayed(TIMER_TASK, { run_id: call.runId, node: call.node.key, task_id: call.taskId, due }, { taskId: call.taskId, eta: due, rootId: call.runId });
}

/** The timer message ran: complete the node at (never before) its due time. */
export async function timerFired(engine: WorkflowEngine, kinds: KindDeps, kwargs: Readonly<Record<string, unknown>>): Promise<void> {
  const runId = String(kwargs['run_id']);
  const node = String(kwargs['node']);
  const taskId = String(kwargs['task_id']);
  const due = Number(kwargs['due']);
  const now = engine.deps.now();
  if (now < due) {
    await kinds.sendDelayed(TIMER_TASK, { ...kwargs }, { taskId: `${taskId}-again-${now}`, eta: due, rootId: runId });
    return;
  }
  await engine.settle(runId, { key: node, taskId, status: 'success', result: new Date(due).toISOString(), at: now, onlyFrom: ['progress'] });
}
