/**
 * `wait` and `approval` nodes (WORKFLOWS.md §W6). A wait arms itself in the store's index under
 * (event name, key), unless a retained event already completes it; `fire` takes the waiters of one
 * (name, key) and settles each (a settle is compare-and-set on the node's task id, so two fires
 * complete a node once). An approval waits for `approve()` / `reject()` on its run and node.
 * Timeouts are ETA messages: nothing polls.
 * @module
 */
import { UnknownRunError } from '../../errors.js';
import { EventDataError, EventNameError, NodeNotWaitingError } from '../../signal-errors.js';
import { EVENT_NAME } from '../../definition/node-types.js';
import type { RunMeta } from '../../store/store.js';
import { nodeEvent, type WorkflowEngine } from '../engine.js';
import type { NodeCall } from '../node-message.js';
import { nodeError, notJsonReason, valueAt, WAIT_TIMEOUT_TASK, type KindDeps } from './shared.js';

/** Move a typed node queued → progress and say so; false when it was not queued (a repeat). */
export async function markWaiting(engine: WorkflowEngine, call: NodeCall): Promise<boolean> {
  const at = engine.deps.now();
  const started = await engine.deps.store.startNode(call.runId, call.node.key, call.taskId, at);
  if (started.node) await engine.deps.store.publish([nodeEvent(call.runId, call.node.key, call.taskId, 'progress', 'queued', at)]);
  return started.node;
}

/** The (event, key) a wait node listens on, or the reason it has none. */
export function waitKey(meta: RunMeta, call: NodeCall): { event: string; key: string } | { problem: string } {
  const wait = call.node.wait!;
  if (wait.correlate === undefined) return { event: wait.event!, key: '' };
  const value = valueAt({ payload: meta.payload }, wait.correlate);
  if (value === undefined || value === null || typeof value === 'object') return { problem: `correlate: ${wait.correlate} holds no key (got ${JSON.stringify(value) ?? 'nothing'})` };
  return { event: wait.event!, key: String(value) };
}

/** Start a wait or approval node (see the module documentation). */
export async function startWait(engine: WorkflowEngine, kinds: KindDeps, meta: RunMeta, call: NodeCall): Promise<void> {
  const { node } = call;
  const at = engine.deps.now();
  const fail = (type: string, message: string) => engine.settle(call.runId, { key: node.key, taskId: call.taskId, status: 'error', error: nodeError(type, message), at });
  const target = node.type === 'wait' ? waitKey(meta, call) : undefined;
  if (target && 'problem' in target) return void (await fail('CorrelationError', target.problem));
  // A repeated claim (a redelivered parent completion) arms again: arming and timeouts are idempotent.
  await markWaiting(engine, call);
  const timeout = node.wait?.timeout;
  if (timeout !== undefined) {
    const kwargs = { run_id: call.runId, node: node.key, task_id: call.taskId, timeout, ...(target ? { event: target.event, key: target.key } : {}) };
    await kinds.sendDelayed(WAIT_TIMEOUT_TASK, kwargs, { taskId: `${call.taskId}-timeout`, eta: at + timeout * 1000, rootId: call.runId });
  }
  if (!target) return;
  const since = meta.created - (node.wait?.retainEvents ?? 0) * 1000;
  const retained = await kinds.signals.armWait(target.event, target.key, { runId: call.runId, node: node.key, taskId: call.taskId }, since, kinds.expiresSeconds);
  if (retained) await engine.settle(call.runId, { key: node.key, taskId: call.taskId, status: 'success', result: retained.data, at: engine.deps.now(), onlyFrom: ['progress'] });
}

/** Options of `app.fire()`. */
export interface FireOptions {
  /** The correlation key (dagger) / session (Triggers). Default: `''`. */
  key?: string | number;
  /** Keep the event this many seconds for waits that start later. Default: the run lifetime (result expiry). */
  retain?: number;
}

/** Check an event before it is fired; returns the key as a string. */
export function checkEvent(name: unknown, data: unknown, options: FireOptions): string {
  if (typeof name !== 'string' || !EVENT_NAME.test(name)) throw new EventNameError(name);
  const reason = notJsonReason(data);
  if (reason !== undefined) throw new EventDataError(name, reason);
  const key = options.key ?? '';
  if (typeof key !== 'string' && !(typeof key === 'number' && Number.isFinite(key))) throw new EventDataError(name, 'the key must be a string or a number');
  return String(key);
}

/** Fire an event into the waiting nodes of (name, key); returns how many nodes it completed. */
export async function fireWaits(engine: WorkflowEngine, kinds: KindDeps, name: string, key: string, data: unknown, retain: number): Promise<number> {
  const at = engine.deps.now();
  const waiters = await kinds.signals.fire(name, key, { data, at }, retain);
  let completed = 0;
  for (let i = 0; i < waiters.length; i += 100) {
    const settled = await Promise.all(
      waiters.slice(i, i + 100).map((w) => engine.settle(w.runId, { key: w.node, taskId: w.taskId, status: 'success', result: data, at, onlyFrom: ['progress'] })),
    );
    completed += settled.filter(Boolean).length;
  }
  return completed;
}

/** A wait's timeout message ran: fail the node if that attempt still waits. */
export async function waitTimedOut(engine: WorkflowEngine, kinds: KindDeps, kwargs: Readonly<Record<string, unknown>>): Promise<void> {
  const runId = String(kwargs['run_id']);
  const node = String(kwargs['node']);
  const taskId = String(kwargs['task_id']);
  if (typeof kwargs['event'] === 'string') await kinds.signals.disarmWait(kwargs['event'], String(kwargs['key'] ?? ''), { runId, node, taskId });
  const message = `no event came within ${String(kwargs['timeout'])}s`;
  await engine.settle(runId, { key: node, taskId, status: 'error', error: nodeError('WaitTimeoutError', message), at: engine.deps.now(), onlyFrom: ['progress'] });
}

/** Approve (`data`) or reject (`reason`) an approval node that is waiting; typed errors otherwise. */
export async function decideApproval(engine: WorkflowEngine, runId: string, key: string, decision: { approve: true; data: unknown } | { approve: false; reason: string }): Promise<void> {
  const state = await engine.deps.store.getRun(runId);
  if (!state) throw new UnknownRunError(runId);
  const graph = await engine.graphOf(state.meta);
  const node = graph.byKey.get(key);
  if (!node) throw new NodeNotWaitingError(runId, key, `the run has no node '${key}'`);
  if (node.type !== 'approval') throw new NodeNotWaitingError(runId, key, `it is a ${node.type ?? 'task'} node`);
  const current = state.nodes[key];
  if (current?.status !== 'progress') throw new NodeNotWaitingError(runId, key, `it is ${current?.status ?? 'unknown'}`);
  if (decision.approve) {
    const reason = notJsonReason(decision.data);
    if (reason !== undefined) throw new EventDataError(`approve ${key}`, reason);
  }
  const at = engine.deps.now();
  const outcome = decision.approve
    ? { key, taskId: current.taskId, status: 'success' as const, result: decision.data ?? null, at, onlyFrom: ['progress' as const] }
    : { key, taskId: current.taskId, status: 'error' as const, error: nodeError('ApprovalRejectedError', decision.reason), at, onlyFrom: ['progress' as const] };
  if (!(await engine.settle(runId, outcome))) throw new NodeNotWaitingError(runId, key, 'it was decided or timed out meanwhile');
}
