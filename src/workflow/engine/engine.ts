/**
 * Push-based advancing (WORKFLOWS.md §W4): when a node settles, count it toward its children's
 * joins, claim the children that became ready and publish them, cascade skips and cancellations,
 * stop the run on a failure (`onFailure: stop`), and finish it once every node settled. Every step
 * is an atomic, conditional store call, so a redelivered completion repeats nothing: it only
 * republishes children this node claimed but had not yet marked sent (bounded by what was in flight).
 * @module
 */
import type { Logger } from '../../logger.js';
import { childrenOf } from '../definition/compile.js';
import type { GraphNode, WorkflowGraph } from '../definition/spec.js';
import type { ClaimRequest, NodeOutcome, RunMeta, WorkflowStore } from '../store/store.js';
import type { NodeError, NodeEvent, RunEvent, RunStatus, WorkflowEvent } from '../types.js';
import { decideJoin } from './join.js';
import type { NodeKinds } from './kinds/index.js';
import type { NodeCall } from './node-message.js';

/** A compiled graph with its lookups, cached per graph id. */
export interface LoadedGraph {
  readonly graph: WorkflowGraph;
  readonly byKey: ReadonlyMap<string, GraphNode>;
  readonly children: ReadonlyMap<string, readonly string[]>;
}

/** Index a graph for the engine. */
export function loadedGraph(graph: WorkflowGraph): LoadedGraph {
  return { graph, byKey: new Map(graph.nodes.map((node) => [node.key, node])), children: childrenOf(graph) };
}

/** What the engine needs from the app. */
export interface EngineDeps {
  readonly store: WorkflowStore;
  readonly logger: Logger;
  /** Publish ready nodes as task messages (one batch). */
  sendNodes(calls: readonly NodeCall[]): Promise<void>;
  /** Revoke task ids (running ones are aborted). */
  revoke(taskIds: readonly string[]): Promise<void>;
  /** Send a run's success/failure hook task once. */
  sendHook(task: string, meta: RunMeta, status: RunStatus): Promise<void>;
  now(): number;
  /** The §W6 node types (wait, approval, timer, decision, map). Without it only task nodes run. */
  readonly kinds?: NodeKinds;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The advancing engine; see the module documentation. */
export class WorkflowEngine {
  private readonly graphs = new Map<string, Promise<LoadedGraph>>();

  constructor(readonly deps: EngineDeps) {}

  /** The graph of a run (cached by graph id). */
  graphOf(meta: RunMeta): Promise<LoadedGraph> {
    let cached = this.graphs.get(meta.graphId);
    if (!cached) {
      cached = this.deps.store.loadGraph(meta.graphId).then((graph) => {
        if (!graph) throw new Error(`the graph ${meta.graphId} of run ${meta.id} is gone`);
        return loadedGraph(graph);
      });
      cached.catch(() => this.graphs.delete(meta.graphId));
      this.graphs.set(meta.graphId, cached);
    }
    return cached;
  }

  /** Publish a new run's root nodes (and any node without parents). */
  async start(meta: RunMeta): Promise<void> {
    const loaded = await this.graphOf(meta);
    const roots = loaded.graph.nodes.filter((node) => node.after.length === 0);
    await this.publishClaims(meta, loaded, roots.map((node) => ({ key: node.key, by: '', parents: [] })), null);
  }

  /** A node's task started (reported by a celeriac worker). */
  async nodeStarted(runId: string, key: string, taskId: string): Promise<void> {
    const at = this.deps.now();
    const changed = await this.deps.store.startNode(runId, key, taskId, at);
    const events: WorkflowEvent[] = [];
    if (changed.run) {
      const meta = await this.deps.store.readMeta(runId);
      if (meta) events.push(runEvent(meta, 'progress', 'pending', at));
    }
    if (changed.node) events.push(nodeEvent(runId, key, taskId, 'progress', 'queued', at));
    this.emit(events);
  }

  /** A node's task succeeded with `result`. */
  async nodeSucceeded(runId: string, key: string, taskId: string, result: unknown, retries: number): Promise<void> {
    await this.settle(runId, { key, taskId, status: 'success', result, retries, at: this.deps.now() });
  }

  /** A node's task failed for good. */
  async nodeFailed(runId: string, key: string, taskId: string, error: NodeError, retries: number): Promise<void> {
    await this.settle(runId, { key, taskId, status: 'error', error, retries, at: this.deps.now() });
  }

  /** Settle a node, then cascade (see the module documentation). Idempotent. True when this call settled the node. */
  async settle(runId: string, outcome: NodeOutcome): Promise<boolean> {
    const meta = await this.deps.store.readMeta(runId);
    if (!meta) {
      this.deps.logger.warn({ runId, node: outcome.key }, 'a workflow node finished for a run that no longer exists');
      return false;
    }
    const loaded = await this.graphOf(meta);
    const kinds = this.deps.kinds;
    const pending: NodeOutcome[] = [kinds ? kinds.adjust(loaded.byKey.get(outcome.key), outcome) : outcome];
    let firstSettled: boolean | undefined;
    let done = 0;
    let errors = 0;
    while (pending.length > 0) {
      const current = pending.shift()!;
      const children = loaded.children.get(current.key) ?? [];
      const settled = await this.deps.store.settleNode(runId, current, children);
      firstSettled ??= settled.first;
      if (settled.status === undefined) continue;
      done = Math.max(done, settled.done);
      errors = Math.max(errors, settled.errors);
      const events: WorkflowEvent[] = [];
      if (settled.runPrevious) events.push(runEvent(meta, 'progress', settled.runPrevious, current.at));
      if (settled.first) events.push(nodeEvent(runId, current.key, current.taskId ?? '', settled.status, settled.previous ?? null, current.at));
      this.emit(events);
      if (settled.status === 'error' && meta.onFailure === 'stop') {
        await this.close(meta, 'error', { cancelPending: true, cancelRunning: false, error: upstreamError(current.key, 'failed') });
        return firstSettled;
      }
      const claims: ClaimRequest[] = [];
      const unchosen = kinds?.unchosen(loaded.byKey.get(current.key), settled.status, current.result);
      for (const child of children) {
        const node = loaded.byKey.get(child)!;
        if (unchosen?.has(child)) {
          pending.push({ key: child, status: 'skipped', at: current.at, onlyFrom: ['pending'] });
          continue;
        }
        const decision = decideJoin(node.join, node.after.length, settled.counts[child] ?? { settled: 0, ok: 0, skipped: 0 });
        if (decision === 'run') claims.push({ key: child, by: current.key, parents: node.after });
        else if (decision === 'skip') pending.push({ key: child, status: 'skipped', at: current.at, onlyFrom: ['pending'] });
        else if (decision === 'cancel') pending.push({ key: child, status: 'canceled', error: upstreamError(current.key, 'did not succeed'), at: current.at, onlyFrom: ['pending'] });
      }
      if (claims.length > 0) await this.publishClaims(meta, loaded, claims, current.taskId ?? null);
    }
    if (done >= loaded.graph.nodes.length) await this.close(meta, errors > 0 ? 'error' : 'success', { cancelPending: false, cancelRunning: false });
    return firstSettled ?? false;
  }

  /** Claim nodes, emit `queued` events, publish the ones this call won, mark them sent. */
  async publishClaims(meta: RunMeta, loaded: LoadedGraph, requests: readonly ClaimRequest[], parentTaskId: string | null): Promise<void> {
    const claims = await this.deps.store.claimNodes(meta.id, requests);
    const won = claims.filter((claim) => claim.claimed);
    if (won.length === 0) return;
    const at = this.deps.now();
    this.emit(won.map((claim) => nodeEvent(meta.id, claim.key, claim.taskId, 'queued', 'pending', at)));
    const calls: NodeCall[] = won.map((claim) => ({
      runId: meta.id,
      fullname: meta.fullname,
      node: loaded.byKey.get(claim.key)!,
      taskId: claim.taskId,
      payload: meta.payload,
      parentResults: claim.parentResults,
      parentTaskId,
    }));
    const plain = this.deps.kinds ? await this.deps.kinds.start(this, meta, calls) : calls;
    if (plain.length > 0) await this.deps.sendNodes(plain);
    const keys = won.map((claim) => claim.key);
    await this.deps.store.markSent(meta.id, keys);
  }

  /**
   * Publish progress events without waiting for them (they are best effort and keep their order on
   * the store's connection); events that end a run are awaited by `close()`.
   */
  private emit(events: readonly WorkflowEvent[]): void {
    if (events.length === 0) return;
    this.deps.store.publish(events).catch((error: unknown) => this.deps.logger.warn({ error: String(error) }, 'could not publish workflow events'));
  }

  /** Close an open run; revoke what it canceled while running; send the hook once. Returns whether it changed. */
  async close(meta: RunMeta, status: 'success' | 'error' | 'canceled', how: { cancelPending: boolean; cancelRunning: boolean; error?: NodeError }): Promise<{ changed: boolean; status: RunStatus | undefined; revoked: string[] }> {
    const at = this.deps.now();
    const result = await this.deps.store.closeRun(meta.id, { status, at, ...how });
    if (!result.changed) return { changed: false, status: result.status, revoked: [] };
    const revoked = result.canceled.filter((node) => node.previous !== 'pending').map((node) => node.taskId);
    if (revoked.length > 0) await this.deps.revoke(revoked);
    const events: WorkflowEvent[] = result.canceled.map((node) => nodeEvent(meta.id, node.key, node.taskId, 'canceled', node.previous, at));
    events.push(runEvent(meta, status, result.previous ?? null, at));
    await this.deps.store.publish(events);
    const hook = status === 'success' ? meta.hooks.success : status === 'error' ? meta.hooks.failure : undefined;
    if (hook && (await this.deps.store.once(meta.id, `hook:${status}`))) {
      await this.deps.sendHook(hook, meta, status).catch((error: unknown) => this.deps.logger.error({ runId: meta.id, hook, error: String(error) }, 'could not send a workflow hook'));
    }
    return { changed: true, status, revoked };
  }
}

function upstreamError(parent: string, what: string): NodeError {
  return { type: 'NodeCanceledError', message: `not run: '${parent}' ${what}`, traceback: null };
}

/** A run event. */
export function runEvent(meta: RunMeta, status: RunStatus, previous: RunStatus | null, at: number): RunEvent {
  return { kind: 'run', runId: meta.id, fullname: meta.fullname, status, previous, at: iso(at) };
}

/** A node event. */
export function nodeEvent(runId: string, node: string, taskId: string, status: NodeEvent['status'], previous: NodeEvent['previous'], at: number): NodeEvent {
  return { kind: 'node', runId, node, taskId, status, previous, at: iso(at) };
}
