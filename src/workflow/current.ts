/**
 * `currentWorkflow()`: inside a TypeScript task that runs as a workflow node, the run and node it
 * belongs to, the payload, and its parents' results by node name (WORKFLOWS.md §W2).
 * @module
 */
import { runningTask } from '../worker/context.js';
import { nodeRefOfCallbacks } from './engine/node-message.js';

/** What a node's task can know about its workflow. */
export interface WorkflowContext<P = Record<string, unknown>> {
  readonly runId: string;
  /** `project.NAME`. */
  readonly fullname: string;
  /** This node's name. */
  readonly node: string;
  readonly payload: P;
  /** Parent node name → its result. */
  readonly parents: Readonly<Record<string, unknown>>;
}

/** The workflow of the running task, or undefined when it is not a workflow node (or outside a task). */
export function currentWorkflow<P = Record<string, unknown>>(): WorkflowContext<P> | undefined {
  const task = runningTask();
  const ref = nodeRefOfCallbacks(task?.callbacks);
  if (!task || !ref) return undefined;
  const parents: Record<string, unknown> = {};
  if (ref.parents.length === 1) parents[ref.parents[0]!] = task.args[0];
  else if (ref.parents.length > 1) {
    const results = Array.isArray(task.args[0]) ? (task.args[0] as unknown[]) : [];
    ref.parents.forEach((key, i) => (parents[key] = results[i]));
  }
  return { runId: ref.run_id, fullname: ref.fullname, node: ref.node, payload: task.kwargs['payload'] as P, parents };
}
