/**
 * A ready node becomes one ordinary Celery task message (WORKFLOWS.md §W3, §W4): its parents'
 * results as args, its kwargs plus `payload` and `workflow_id`, and two small callbacks that report
 * its outcome back to the engine. The message never grows with the workflow.
 * @module
 */
import type { CanvasApplier } from '../../canvas/canvas.js';
import { Signature } from '../../canvas/signature.js';
import type { SignatureDict } from '../../protocol/message.js';
import type { GraphNode } from '../definition/spec.js';

/** The built-in task a node's success reports to (as a Celery link callback). */
export const ADVANCE_TASK = 'celeriac.workflow.advance';
/** The built-in task a node's failure reports to (as a Celery link_error errback). */
export const FAIL_TASK = 'celeriac.workflow.fail';
/** The built-in task that ends a run past its `maxDuration` (sent with an ETA). */
export const DEADLINE_TASK = 'celeriac.workflow.deadline';

/** Which node of which run a message runs: the kwargs of its callbacks. */
export interface NodeRef {
  readonly run_id: string;
  readonly node: string;
  readonly fullname: string;
  /** The node's parent keys, in argument order. */
  readonly parents: readonly string[];
}

/** Read a {@link NodeRef} from a callback's kwargs, if it is one. */
export function nodeRefOf(kwargs: Readonly<Record<string, unknown>> | undefined): NodeRef | undefined {
  if (!kwargs) return undefined;
  const { run_id: runId, node, fullname, parents } = kwargs;
  if (typeof runId !== 'string' || typeof node !== 'string') return undefined;
  return { run_id: runId, node, fullname: typeof fullname === 'string' ? fullname : '', parents: Array.isArray(parents) ? parents.map(String) : [] };
}

/** The node a task message runs, found in its link callbacks. */
export function nodeRefOfCallbacks(callbacks: readonly SignatureDict[] | null | undefined): NodeRef | undefined {
  const callback = callbacks?.find((dict) => dict.task === ADVANCE_TASK);
  return callback ? nodeRefOf(callback.kwargs) : undefined;
}

/** What the publisher of nodes needs to know about one node. */
export interface NodeCall {
  readonly runId: string;
  readonly fullname: string;
  readonly node: GraphNode;
  readonly taskId: string;
  readonly payload: unknown;
  readonly parentResults: readonly unknown[];
  /** The task id of the parent that made it ready (null for roots). */
  readonly parentTaskId: string | null;
}

/** Build the signature of a node's message; `callbackQueue` is where Python workers send its callbacks. */
export function nodeSignature(call: NodeCall, applier: CanvasApplier, callbackQueue: string): Signature {
  const { node } = call;
  const args = node.input === 'none' ? [] : node.input === 'single' ? [call.parentResults[0] ?? null] : [call.parentResults];
  const ref: NodeRef = { run_id: call.runId, node: node.key, fullname: call.fullname, parents: node.after };
  const callback = (task: string) => new Signature({ task, kwargs: { ...ref }, options: { queue: callbackQueue } }, applier);
  return new Signature(
    {
      task: node.task,
      args,
      kwargs: { ...node.kwargs, payload: call.payload, workflow_id: call.runId },
      options: {
        task_id: call.taskId,
        root_id: call.runId,
        ...(call.parentTaskId ? { parent_id: call.parentTaskId } : {}),
        ...(node.queue ? { queue: node.queue } : {}),
        link: [callback(ADVANCE_TASK).toJSON()],
        link_error: [callback(FAIL_TASK).toJSON()],
      },
    },
    applier,
  );
}
