/**
 * The in-memory workflow store (the embedded default). Stores of the same name in one process share
 * their data, like `memory://` backends. Every verb runs synchronously inside one call, which makes
 * it atomic in a single-threaded process.
 * @module
 */
import { EventEmitter } from 'node:events';
import type { WorkflowGraph } from '../definition/spec.js';
import { isFinalNodeStatus, isFinalRunStatus, type ListQuery, type NodeStatus, type RunStatus, type WorkflowEvent } from '../types.js';
import { decodeCursor, encodeCursor, pageLimit } from './cursor.js';
import { MemorySignalStore } from './signals-memory.js';
import type { SignalStore } from './signals.js';
import type {
  Claim, ClaimRequest, CloseRequest, CloseResult, HeadPage, JoinCounts, NodeOutcome, NodeReset, NodeState, RunHead, RunMeta, RunState,
  SettleResult, Unsubscribe, WorkflowStore,
} from './store.js';

interface MutableNode {
  status: NodeStatus;
  taskId: string;
  result: unknown;
  error: NodeState['error'];
  retries: number;
  started: number | null;
  finished: number | null;
  by: string | null;
  sent: boolean;
  counts: { settled: number; ok: number; skipped: number };
  settledParents: Map<string, NodeStatus>;
}

interface MutableRun {
  meta: RunMeta;
  status: RunStatus;
  updated: number;
  done: number;
  errors: number;
  nodes: Map<string, MutableNode>;
  once: Set<string>;
  expiresAt: number;
}

interface Shared {
  graphs: Map<string, WorkflowGraph>;
  runs: Map<string, MutableRun>;
  /** Every run, newest first (created desc, then id desc): list pages start with a binary search. */
  order: RunMeta[];
  events: EventEmitter;
}

/** True when `a` comes before `b` in newest-first order. */
function newer(a: { created: number; id: string }, b: { created: number; id: string }): boolean {
  return a.created > b.created || (a.created === b.created && a.id > b.id);
}

/** The index of the first entry of `order` that `position` comes before (or equals). */
function firstAfter(order: readonly RunMeta[], position: { created: number; id: string }, inclusive: boolean): number {
  let low = 0;
  let high = order.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    const entry = order[mid]!;
    const before = newer(entry, position) || (inclusive && entry.created === position.created && entry.id === position.id);
    if (before) low = mid + 1;
    else high = mid;
  }
  return low;
}

const shared = new Map<string, Shared>();

const clone = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));

/** The memory store; see the module documentation. */
export class MemoryWorkflowStore implements WorkflowStore {
  readonly kind = 'memory';
  private readonly data: Shared;
  private readonly signalStore: MemorySignalStore;

  constructor(options: { name?: string } = {}) {
    const name = options.name ?? 'default';
    this.signalStore = new MemorySignalStore(name);
    let data = shared.get(name);
    if (!data) {
      data = { graphs: new Map(), runs: new Map(), order: [], events: new EventEmitter() };
      data.events.setMaxListeners(0);
      shared.set(name, data);
    }
    this.data = data;
  }

  async connect(): Promise<void> {}
  async close(): Promise<void> {}

  async saveGraph(graphId: string, graph: WorkflowGraph): Promise<void> {
    if (!this.data.graphs.has(graphId)) this.data.graphs.set(graphId, clone(graph));
  }

  async loadGraph(graphId: string): Promise<WorkflowGraph | undefined> {
    return this.data.graphs.get(graphId);
  }

  async createRun(meta: RunMeta, taskIds: Readonly<Record<string, string>>, options: { expiresSeconds: number; retention?: number }): Promise<{ trimmed: string[] }> {
    if (this.data.runs.has(meta.id)) throw new Error(`run ${meta.id} exists already`);
    const nodes = new Map<string, MutableNode>();
    for (const [key, taskId] of Object.entries(taskIds)) {
      nodes.set(key, { status: 'pending', taskId, result: null, error: null, retries: 0, started: null, finished: null, by: null, sent: false, counts: { settled: 0, ok: 0, skipped: 0 }, settledParents: new Map() });
    }
    const expiresAt = options.expiresSeconds > 0 ? Date.now() + options.expiresSeconds * 1000 : Number.POSITIVE_INFINITY;
    const stored = clone(meta);
    this.data.runs.set(meta.id, { meta: stored, status: 'pending', updated: meta.created, done: 0, errors: 0, nodes, once: new Set(), expiresAt });
    this.data.order.splice(firstAfter(this.data.order, stored, false), 0, stored);
    const trimmed: string[] = [];
    if (options.retention !== undefined) {
      const same = this.data.order.filter((entry) => entry.fullname === meta.fullname);
      for (const old of same.slice(options.retention)) {
        this.remove(old.id);
        trimmed.push(old.id);
      }
    }
    return { trimmed };
  }

  async readMeta(runId: string): Promise<RunMeta | undefined> {
    return this.run(runId)?.meta;
  }

  async getRun(runId: string): Promise<RunState | undefined> {
    const run = this.run(runId);
    if (!run) return undefined;
    const nodes: Record<string, NodeState> = {};
    for (const [key, n] of run.nodes) {
      nodes[key] = { status: n.status, taskId: n.taskId, result: clone(n.result), error: n.error, retries: n.retries, started: n.started, finished: n.finished };
    }
    return { meta: run.meta, status: run.status, updated: run.updated, nodes };
  }

  async listRuns(query: ListQuery): Promise<HeadPage> {
    const limit = pageLimit(query.limit);
    const start = query.cursor !== undefined ? firstAfter(this.data.order, decodeCursor(query.cursor), true) : 0;
    const items: RunHead[] = [];
    let more = false;
    for (let i = start; i < this.data.order.length; i += 1) {
      const run = this.run(this.data.order[i]!.id);
      if (!run) {
        i -= 1;
        continue;
      }
      const matches =
        (query.project === undefined || run.meta.project === query.project) &&
        (query.name === undefined || run.meta.fullname === query.name || (query.project !== undefined && run.meta.fullname === `${query.project}.${query.name}`)) &&
        (query.status === undefined || run.status === query.status);
      if (!matches) continue;
      if (items.length === limit) {
        more = true;
        break;
      }
      items.push({ meta: run.meta, status: run.status, updated: run.updated });
    }
    const last = items[items.length - 1];
    return more && last ? { items, cursor: encodeCursor(last.meta.created, last.meta.id) } : { items };
  }

  async startNode(runId: string, key: string, taskId: string, at: number): Promise<{ node: boolean; run: boolean }> {
    const run = this.run(runId);
    const node = run?.nodes.get(key);
    if (!run || !node || node.taskId !== taskId || node.status !== 'queued') return { node: false, run: false };
    node.status = 'progress';
    node.started = at;
    run.updated = at;
    const started = run.status === 'pending';
    if (started) run.status = 'progress';
    return { node: true, run: started };
  }

  async settleNode(runId: string, outcome: NodeOutcome, children: readonly string[]): Promise<SettleResult> {
    const run = this.run(runId);
    const node = run?.nodes.get(outcome.key);
    if (!run || !node) return { first: false, status: undefined, previous: undefined, counts: {}, done: 0, errors: 0, runStatus: run?.status };
    const previous = node.status;
    const allowed = outcome.onlyFrom ? outcome.onlyFrom.includes(node.status) : !isFinalNodeStatus(node.status);
    const first = allowed && (outcome.taskId === undefined || outcome.taskId === node.taskId);
    let runPrevious: RunStatus | undefined;
    if (first) {
      node.status = outcome.status;
      node.result = outcome.status === 'success' ? clone(outcome.result ?? null) : null;
      node.error = outcome.error ?? null;
      node.retries = outcome.retries ?? node.retries;
      node.finished = outcome.at;
      run.done += 1;
      if (outcome.status === 'error') run.errors += 1;
      run.updated = outcome.at;
      if (run.status === 'pending' && (outcome.status === 'success' || outcome.status === 'error')) {
        runPrevious = 'pending';
        run.status = 'progress';
      }
    }
    const counts: Record<string, JoinCounts> = {};
    for (const key of children) {
      const child = run.nodes.get(key);
      if (!child) continue;
      if (isFinalNodeStatus(node.status) && !child.settledParents.has(outcome.key)) {
        child.settledParents.set(outcome.key, node.status);
        child.counts.settled += 1;
        if (node.status === 'success') child.counts.ok += 1;
        if (node.status === 'skipped') child.counts.skipped += 1;
      }
      counts[key] = { ...child.counts };
    }
    return { first, status: node.status, previous, counts, done: run.done, errors: run.errors, runStatus: run.status, ...(runPrevious ? { runPrevious } : {}) };
  }

  async claimNodes(runId: string, requests: readonly ClaimRequest[]): Promise<Claim[]> {
    const run = this.run(runId);
    return requests.map((request) => {
      const node = run?.nodes.get(request.key);
      if (!run || !node) return { key: request.key, claimed: false, taskId: '', parentResults: [] };
      let claimed = false;
      if (node.status === 'pending' && !isFinalRunStatus(run.status)) {
        node.status = 'queued';
        node.by = request.by;
        node.sent = false;
        claimed = true;
      } else if (node.status === 'queued' && node.by === request.by && !node.sent) {
        claimed = true;
      }
      const parentResults = request.parents.map((parent) => {
        const p = run.nodes.get(parent);
        return p && p.status === 'success' ? clone(p.result) : null;
      });
      return { key: request.key, claimed, taskId: node.taskId, parentResults };
    });
  }

  async markSent(runId: string, keys: readonly string[]): Promise<void> {
    const run = this.run(runId);
    for (const key of keys) {
      const node = run?.nodes.get(key);
      if (node) node.sent = true;
    }
  }

  async closeRun(runId: string, request: CloseRequest): Promise<CloseResult> {
    const run = this.run(runId);
    if (!run) return { changed: false, previous: undefined, status: undefined, canceled: [] };
    if (isFinalRunStatus(run.status)) return { changed: false, previous: run.status, status: run.status, canceled: [] };
    const previous = run.status;
    run.status = request.status;
    run.updated = request.at;
    const canceled: { key: string; taskId: string; previous: NodeStatus }[] = [];
    for (const [key, node] of run.nodes) {
      const cancel = (node.status === 'pending' && request.cancelPending) || ((node.status === 'queued' || node.status === 'progress') && request.cancelRunning);
      if (!cancel) continue;
      canceled.push({ key, taskId: node.taskId, previous: node.status });
      node.status = 'canceled';
      node.error = request.error ?? null;
      node.finished = request.at;
      run.done += 1;
    }
    return { changed: true, previous, status: run.status, canceled };
  }

  async reopenRun(runId: string, resets: readonly NodeReset[], at: number): Promise<boolean> {
    const run = this.run(runId);
    if (!run || (run.status !== 'error' && run.status !== 'canceled')) return false;
    run.status = 'progress';
    run.updated = at;
    for (const reset of resets) {
      const node = run.nodes.get(reset.key);
      if (!node) continue;
      if (isFinalNodeStatus(node.status)) run.done -= 1;
      if (node.status === 'error') run.errors -= 1;
      Object.assign(node, { status: 'pending', taskId: reset.taskId, result: null, error: null, started: null, finished: null, by: null, sent: false });
      node.counts = { ...reset.counts };
      node.settledParents = new Map(Object.entries(reset.settledParents));
    }
    return true;
  }

  async once(runId: string, name: string): Promise<boolean> {
    const run = this.run(runId);
    if (!run || run.once.has(name)) return false;
    run.once.add(name);
    return true;
  }

  async publish(events: readonly WorkflowEvent[]): Promise<void> {
    for (const event of events) this.data.events.emit('event', clone(event));
  }

  async subscribe(listener: (event: WorkflowEvent) => void): Promise<Unsubscribe> {
    this.data.events.on('event', listener);
    return async () => {
      this.data.events.off('event', listener);
    };
  }

  async deleteRun(runId: string): Promise<void> {
    this.remove(runId);
  }

  private remove(runId: string): void {
    const run = this.data.runs.get(runId);
    if (!run) return;
    this.data.runs.delete(runId);
    const at = firstAfter(this.data.order, run.meta, false);
    if (this.data.order[at]?.id === runId) this.data.order.splice(at, 1);
  }

  signals(): SignalStore {
    return this.signalStore;
  }

  private run(runId: string): MutableRun | undefined {
    const run = this.data.runs.get(runId);
    if (run && run.expiresAt <= Date.now()) {
      this.remove(runId);
      return undefined;
    }
    return run;
  }
}
