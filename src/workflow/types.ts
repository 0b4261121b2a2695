/**
 * The workflow layer's public value types (WORKFLOWS.md §W1–W5): run and node records, statuses,
 * events, list queries. Pure types: no I/O.
 * @module
 */

/** Run status, in Director's words: `pending → progress → success | error | canceled`. */
export type RunStatus = 'pending' | 'progress' | 'success' | 'error' | 'canceled';

/**
 * Node status. Beyond the run's: `queued` (published, not started yet) and `skipped` (an unchosen
 * branch, or a join whose parents were all skipped).
 */
export type NodeStatus = 'pending' | 'queued' | 'progress' | 'success' | 'error' | 'canceled' | 'skipped';

/** Statuses a run never leaves (except by `resume()`, which reopens `error` and `canceled`). */
export const FINAL_RUN_STATUSES: readonly RunStatus[] = ['success', 'error', 'canceled'];
/** Statuses a node never leaves (except by `resume()`). */
export const FINAL_NODE_STATUSES: readonly NodeStatus[] = ['success', 'error', 'canceled', 'skipped'];

/** True when a run in this status is finished. */
export function isFinalRunStatus(status: RunStatus): boolean {
  return FINAL_RUN_STATUSES.includes(status);
}

/** True when a node in this status is finished. */
export function isFinalNodeStatus(status: NodeStatus): boolean {
  return FINAL_NODE_STATUSES.includes(status);
}

/** A failed node's error, as shown in records (`type`, `message`, `traceback`). */
export interface NodeError {
  readonly type: string;
  readonly message: string;
  readonly traceback: string | null;
}

/** One node of a run, as read back (`WorkflowRecord.tasks`). */
export interface NodeRecord {
  /** The task id of the node's current attempt (a resumed node gets a new one). */
  readonly id: string;
  /** The node name (Director: the task name; the DAG form: the node key). */
  readonly key: string;
  /** The task name it runs. */
  readonly task: string;
  readonly status: NodeStatus;
  /** Task ids of its parent nodes. */
  readonly previous: readonly string[];
  /** The return value, when `success`. */
  readonly result: unknown;
  /** The error, when `error` (or `canceled` by a timeout). */
  readonly error: NodeError | null;
  readonly retries: number;
  /** ISO times. */
  readonly started: string | null;
  readonly finished: string | null;
}

/** A run as read back from the store (Director's workflow JSON, plus celeriac's fields). */
export interface WorkflowRecord<P = unknown> {
  /** The run id (also the root id of every task message of the run). */
  readonly id: string;
  readonly project: string;
  readonly name: string;
  /** `project.name`. */
  readonly fullname: string;
  readonly status: RunStatus;
  readonly payload: P;
  readonly comment: string | null;
  /** True for a run fired by a schedule. */
  readonly periodic: boolean;
  /** ISO times. */
  readonly created: string;
  readonly updated: string;
  readonly tasks: readonly NodeRecord[];
}

/** A run without its nodes (what `list()` returns). */
export type WorkflowSummary<P = unknown> = Omit<WorkflowRecord<P>, 'tasks'>;

/** Query of {@link Workflows.list}: every filter optional; newest first. */
export interface ListQuery {
  project?: string;
  /** `project.NAME` or just `NAME` together with `project`. */
  name?: string;
  status?: RunStatus;
  /** Page size. Default: 50; at most 1,000. */
  limit?: number;
  /** The `cursor` of the previous page. */
  cursor?: string;
  /** Include each run's payload. Default: true. */
  withPayload?: boolean;
}

/** A page of runs, newest first; `cursor` is absent on the last page. */
export interface ListPage<P = unknown> {
  readonly items: readonly WorkflowSummary<P>[];
  readonly cursor?: string;
}

/** A run changed status (WORKFLOWS.md §W5). */
export interface RunEvent {
  readonly kind: 'run';
  readonly runId: string;
  readonly fullname: string;
  readonly status: RunStatus;
  readonly previous: RunStatus | null;
  /** ISO time. */
  readonly at: string;
}

/** A node changed status (WORKFLOWS.md §W5). */
export interface NodeEvent {
  readonly kind: 'node';
  readonly runId: string;
  readonly node: string;
  readonly taskId: string;
  readonly status: NodeStatus;
  readonly previous: NodeStatus | null;
  readonly at: string;
  /** Progress meta reported by the task (`updateState`), when any. */
  readonly progress?: unknown;
}

/** Every workflow event. */
export type WorkflowEvent = RunEvent | NodeEvent;

/** Options of `app.workflows.run()`. */
export interface RunOptions {
  /** Free text kept with the run (Director's `comment`). */
  comment?: string;
  /** Mark the run as fired by a schedule (shown as `periodic: true`). Default: false. */
  periodic?: boolean;
  /** Use this run id instead of a new one (must not exist yet). */
  runId?: string;
}

/** Options of `run.wait()`. */
export interface RunWaitOptions {
  /** Give up after this many ms with a `TimeoutError`. Default: wait forever. */
  timeout?: number;
  /** Stop waiting early. */
  signal?: AbortSignal;
}

/** What `cancel()` did. */
export interface CancelOutcome {
  /** False when the run had already finished (nothing changed). */
  readonly changed: boolean;
  /** The run's status after the call. */
  readonly status: RunStatus;
  /** Task ids of nodes that were queued or running and got revoked. */
  readonly revoked: readonly string[];
}
