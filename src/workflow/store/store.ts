/**
 * The workflow store contract (DESIGN.md §6): durable run and node records, join counters, the run
 * index and events, in domain verbs. Every state change is atomic and conditional, so that a
 * redelivered completion never starts a child twice nor double-counts a join. Adapters: memory and
 * Redis; one conformance suite (test/conformance/workflow-store.suite.ts) runs on both.
 * @module
 */
import type { WorkflowGraph } from '../definition/spec.js';
import type { ListQuery, NodeError, NodeStatus, RunStatus, WorkflowEvent } from '../types.js';
import type { SignalStore } from './signals.js';

/** The immutable part of a run, written once by `createRun`. */
export interface RunMeta {
  readonly id: string;
  readonly project: string;
  readonly name: string;
  readonly fullname: string;
  readonly payload: unknown;
  readonly comment: string | null;
  readonly periodic: boolean;
  /** Epoch ms. */
  readonly created: number;
  /** The id of the compiled graph (see {@link WorkflowStore.saveGraph}). */
  readonly graphId: string;
  readonly onFailure: 'stop' | 'continue';
  readonly hooks: { readonly success?: string; readonly failure?: string };
}

/** How many parents of a node have settled, and how. */
export interface JoinCounts {
  readonly settled: number;
  readonly ok: number;
  readonly skipped: number;
}

/** One node's mutable state. */
export interface NodeState {
  readonly status: NodeStatus;
  readonly taskId: string;
  /** JSON-decoded result (when success). */
  readonly result: unknown;
  readonly error: NodeError | null;
  readonly retries: number;
  /** Epoch ms. */
  readonly started: number | null;
  readonly finished: number | null;
}

/** A run as stored. */
export interface RunState {
  readonly meta: RunMeta;
  readonly status: RunStatus;
  /** Epoch ms. */
  readonly updated: number;
  readonly nodes: Readonly<Record<string, NodeState>>;
}

/** A run without its nodes. */
export interface RunHead {
  readonly meta: RunMeta;
  readonly status: RunStatus;
  readonly updated: number;
}

/** How a node ended (a task outcome, or a skip/cancel decided by the engine). */
export interface NodeOutcome {
  readonly key: string;
  /** Settle only if this is the node's current task id (stale attempts are ignored). Omit for engine decisions. */
  readonly taskId?: string;
  readonly status: 'success' | 'error' | 'skipped' | 'canceled';
  readonly result?: unknown;
  readonly error?: NodeError | null;
  readonly retries?: number;
  /** Epoch ms. */
  readonly at: number;
  /** Settle only if the node is in one of these statuses. Default: any non-final status. */
  readonly onlyFrom?: readonly NodeStatus[];
}

/** What {@link WorkflowStore.settleNode} did. */
export interface SettleResult {
  /** True for the call that settled the node; false for a repeat (or a stale/mismatched one). */
  readonly first: boolean;
  /** The node's status after the call (undefined when the run does not exist). */
  readonly status: NodeStatus | undefined;
  /** The node's status before the call. */
  readonly previous: NodeStatus | undefined;
  /** Join counts of each child after counting this node (counted once per child and parent). */
  readonly counts: Readonly<Record<string, JoinCounts>>;
  /** Nodes settled so far, and how many of them failed. */
  readonly done: number;
  readonly errors: number;
  /** The run's status after the call. */
  readonly runStatus: RunStatus | undefined;
  /** The run's status before, when this call moved it from `pending` to `progress`. */
  readonly runPrevious?: RunStatus;
}

/** A request to move a node from `pending` to `queued` (sent). */
export interface ClaimRequest {
  readonly key: string;
  /** Who claims: the settling parent's key, or `''` for the run's start and resume. */
  readonly by: string;
  /** Parent keys whose results to return, in argument order. */
  readonly parents: readonly string[];
}

/** What a claim got. */
export interface Claim {
  readonly key: string;
  /** True when this caller must publish the node (first claim, or a repeat by the same claimer before it was marked sent). */
  readonly claimed: boolean;
  readonly taskId: string;
  /** The parents' results in the order asked (null for a parent that did not succeed). */
  readonly parentResults: readonly unknown[];
}

/** How {@link WorkflowStore.closeRun} closes a run. */
export interface CloseRequest {
  readonly status: 'success' | 'error' | 'canceled';
  /** Epoch ms. */
  readonly at: number;
  /** Mark `pending` nodes `canceled`. */
  readonly cancelPending: boolean;
  /** Also mark `queued` and `progress` nodes `canceled` (their task ids are returned for revocation). */
  readonly cancelRunning: boolean;
  /** Error stored on nodes canceled by this call. */
  readonly error?: NodeError;
}

/** What {@link WorkflowStore.closeRun} did. */
export interface CloseResult {
  /** False when the run was already closed (nothing changed). */
  readonly changed: boolean;
  readonly previous: RunStatus | undefined;
  /** The run's status after the call. */
  readonly status: RunStatus | undefined;
  /** Nodes this call canceled, with the status each had and its task id. */
  readonly canceled: readonly { key: string; taskId: string; previous: NodeStatus }[];
}

/** One node reset by {@link WorkflowStore.reopenRun}. */
export interface NodeReset {
  readonly key: string;
  /** The new attempt's task id. */
  readonly taskId: string;
  /** Join counts recomputed from the parents' current statuses. */
  readonly counts: JoinCounts;
  /** Parent key → status, for the parents already settled. */
  readonly settledParents: Readonly<Record<string, NodeStatus>>;
  /** Every parent key of the node. */
  readonly parents: readonly string[];
}

/** A page of run heads. */
export interface HeadPage {
  readonly items: readonly RunHead[];
  readonly cursor?: string;
}

/** Stops an event subscription. */
export type Unsubscribe = () => Promise<void>;

/** The store contract (see the module documentation). */
export interface WorkflowStore {
  readonly kind: string;
  connect(): Promise<void>;
  close(): Promise<void>;
  /** Save a compiled graph under its content id (idempotent), kept at least `expiresSeconds`. */
  saveGraph(graphId: string, graph: WorkflowGraph, expiresSeconds: number): Promise<void>;
  loadGraph(graphId: string): Promise<WorkflowGraph | undefined>;
  /**
   * Store a new run: status `pending`, every node `pending` with its task id. Indexes it; with
   * `retention`, deletes the oldest runs of the same workflow beyond that many. Returns their ids.
   */
  createRun(meta: RunMeta, taskIds: Readonly<Record<string, string>>, options: { expiresSeconds: number; retention?: number }): Promise<{ trimmed: string[] }>;
  /** The immutable part of a run. */
  readMeta(runId: string): Promise<RunMeta | undefined>;
  /** Everything stored about a run. */
  getRun(runId: string): Promise<RunState | undefined>;
  /** Run heads newest first, filtered; pages are cursor-based and independent of the total count. */
  listRuns(query: ListQuery): Promise<HeadPage>;
  /** `queued → progress` for the node's current task id; the run `pending → progress`. */
  startNode(runId: string, key: string, taskId: string, at: number): Promise<{ node: boolean; run: boolean }>;
  /** Settle a node and count it once toward each child's join; see {@link SettleResult}. */
  settleNode(runId: string, outcome: NodeOutcome, children: readonly string[]): Promise<SettleResult>;
  /** Claim nodes for publishing (`pending → queued`) while the run is open; see {@link Claim}. */
  claimNodes(runId: string, requests: readonly ClaimRequest[]): Promise<Claim[]>;
  /** Record that claimed nodes were published (a repeated claim then returns `claimed: false`). */
  markSent(runId: string, keys: readonly string[]): Promise<void>;
  /** Close an open run (CAS): finish it, stop it after a failure, cancel or time it out. */
  closeRun(runId: string, request: CloseRequest): Promise<CloseResult>;
  /** Reopen an `error`/`canceled` run (CAS → `progress`), resetting the given nodes to `pending`. */
  reopenRun(runId: string, resets: readonly NodeReset[], at: number): Promise<boolean>;
  /** True the first time it is called for this run and name (e.g. a hook sent once). */
  once(runId: string, name: string): Promise<boolean>;
  /** Publish events to every subscriber, in any process. */
  publish(events: readonly WorkflowEvent[]): Promise<void>;
  /** Receive every event published from now on. */
  subscribe(listener: (event: WorkflowEvent) => void): Promise<Unsubscribe>;
  /** Delete a run and its index entries. */
  deleteRun(runId: string): Promise<void>;
  /** The §W6 verbs (waits by event and key, retained events, map counters) on the same storage. */
  signals(): SignalStore;
}
