/**
 * What a workflow definition may say (WORKFLOWS.md §W1), in YAML or TypeScript, and the compiled
 * graph every run executes. Pure types.
 * @module
 */
import type { StandardSchemaV1 } from '../standard-schema.js';

/** A JSON Schema object (draft 2020-12 / 2019-09 / 07 as ajv accepts it). */
export type JsonSchema = Record<string, unknown>;

/** A workflow's payload schema: a schema name from `schemas/`, a JSON Schema, or a Standard Schema. */
export type SchemaInput = string | JsonSchema | StandardSchemaV1;

/** Director's form: a task name, or a named group/chain of further items (any depth). */
export type TaskItem = string | { readonly [name: string]: NestedSpec };

/** A named group (members in parallel) or chain (members in order) inside `tasks:`. */
export interface NestedSpec {
  readonly type: 'group' | 'chain';
  readonly tasks: readonly TaskItem[];
  /** Queue for every task inside (overrides the workflow's). */
  readonly queue?: string;
}

/** How a node with several parents decides to run. Default `all-success`. */
export type JoinPolicy = 'all-success' | 'all-done' | 'any-success';

/** Node types (WORKFLOWS.md §W6). `task` is the default. */
export type NodeType = 'task' | 'wait' | 'approval' | 'timer' | 'decision' | 'map';

/** One node of the DAG form (`nodes:`). */
export interface NodeSpec {
  /** The task name (a celeriac task or any task a Python worker implements). Not for wait/approval/timer. */
  readonly task?: string;
  /** Node type. Default `task`. */
  readonly type?: NodeType;
  /** `wait`: the event name that completes it (`app.fire(name, data, { key })`). */
  readonly event?: string;
  /** `wait`: a path into the run (`payload.order_id`) whose value the event's key must equal. */
  readonly correlate?: string;
  /** `wait`/`approval`: seconds before the node fails with `WaitTimeoutError`. */
  readonly timeout?: number;
  /** `wait`: how many seconds before the run was created a retained event may have been fired and still count. Default 0 (the run's lifetime). */
  readonly retainEvents?: number;
  /** `timer`: seconds after the node became ready. */
  readonly seconds?: number;
  /** `timer`: a path into the run (`payload.ship_date`) holding an ISO time. */
  readonly at?: string;
  /** `decision`: branch name → the node keys it leads to (they come after the decision). */
  readonly branches?: Readonly<Record<string, readonly string[]>>;
  /** Parent node keys; the node gets their results (W3). */
  readonly after?: readonly string[];
  /** Keyword arguments, passed with `payload` and `workflow_id` added. */
  readonly kwargs?: Readonly<Record<string, unknown>>;
  /** Queue of this node's task. */
  readonly queue?: string;
  /** Join policy when several parents. Default `all-success`. */
  readonly join?: JoinPolicy;
}

/** A periodic launch (Director's `periodic:`): exactly one of `interval` (seconds) or `crontab`. */
export interface PeriodicSpec {
  readonly interval?: number;
  readonly crontab?: string;
  /** The payload of periodic runs; validated against the schema at load time. */
  readonly payload?: Readonly<Record<string, unknown>>;
}

/** A workflow definition as written (YAML or TypeScript). Exactly one of `tasks` or `nodes`. */
export interface WorkflowInput<S extends SchemaInput | undefined = SchemaInput | undefined> {
  /** Director's form: a list runs in order, like a chain; named groups and chains nest. */
  readonly tasks?: readonly TaskItem[];
  /** DAG form: nodes with explicit parents. */
  readonly nodes?: Readonly<Record<string, NodeSpec>>;
  /** Payload schema. Without one, any JSON object is accepted. */
  readonly schema?: S;
  /** Queue of every task, or `{ default, customs: { TASK: queue } }`. Default: the task's route. */
  readonly queue?: string | { readonly default?: string; readonly customs?: Readonly<Record<string, string>> };
  /** Task names run once when the run succeeds / fails, with the run record as their argument. */
  readonly hooks?: { readonly success?: string; readonly failure?: string };
  readonly periodic?: PeriodicSpec;
  /** Keep only the newest `offset` runs of this workflow. */
  readonly retention?: { readonly offset: number };
  /** Seconds; past it the run ends in `error` (its running nodes are revoked). */
  readonly maxDuration?: number;
  /** `stop` (default): nothing new starts after a failure. `continue`: independent branches go on. */
  readonly onFailure?: 'stop' | 'continue';
  /** Free text shown by `workflow list`. */
  readonly description?: string;
}

/** How a node receives its parents' results (W3). */
export type NodeInput = 'none' | 'single' | 'list';

/** A compiled node. */
export interface GraphNode {
  readonly key: string;
  readonly task: string;
  /** Parent keys, in argument order. */
  readonly after: readonly string[];
  readonly input: NodeInput;
  readonly kwargs: Readonly<Record<string, unknown>>;
  readonly queue: string | undefined;
  readonly join: JoinPolicy;
  /** The named groups/chains it sits in (Director form), outermost first, for display. */
  readonly path: readonly string[];
  /** A §W6 node type; absent for plain task nodes. */
  readonly type?: Exclude<NodeType, 'task'>;
  /** `wait` / `approval`: what completes it and when it times out. */
  readonly wait?: WaitOptions;
  /** `timer`: when it fires. */
  readonly timer?: TimerOptions;
  /** `decision`: branch name → node keys. */
  readonly branches?: Readonly<Record<string, readonly string[]>>;
}

/** A compiled `wait` or `approval` node's options. */
export interface WaitOptions {
  /** The event name (approvals: none). */
  readonly event?: string;
  /** The correlation path (`payload.order_id`); absent: the event's key must be empty. */
  readonly correlate?: string;
  /** Seconds until `WaitTimeoutError`. */
  readonly timeout?: number;
  /** Seconds before the run's creation a retained event may date from. */
  readonly retainEvents: number;
}

/** A compiled `timer` node's options: exactly one of them. */
export interface TimerOptions {
  readonly seconds?: number;
  readonly at?: string;
}

/** A compiled workflow graph: nodes in topological order. Immutable and JSON-serializable. */
export interface WorkflowGraph {
  readonly nodes: readonly GraphNode[];
}
