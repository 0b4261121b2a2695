/**
 * Stored run state → the public {@link WorkflowRecord} (Director's workflow JSON shape).
 * @module
 */
import type { WorkflowGraph } from './definition/spec.js';
import type { RunHead, RunState } from './store/store.js';
import type { NodeRecord, WorkflowRecord, WorkflowSummary } from './types.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** A run head as a summary (no nodes). */
export function toSummary<P>(head: RunHead, withPayload = true): WorkflowSummary<P> {
  const { meta } = head;
  return {
    id: meta.id,
    project: meta.project,
    name: meta.name,
    fullname: meta.fullname,
    status: head.status,
    payload: (withPayload ? meta.payload : undefined) as P,
    comment: meta.comment,
    periodic: meta.periodic,
    created: new Date(meta.created).toISOString(),
    updated: new Date(head.updated).toISOString(),
  };
}

/** A full record: the summary plus every node in the graph's (topological) order. */
export function toRecord<P>(state: RunState, graph: WorkflowGraph): WorkflowRecord<P> {
  const tasks: NodeRecord[] = graph.nodes.map((node) => {
    const s = state.nodes[node.key];
    return {
      id: s?.taskId ?? '',
      key: node.key,
      task: node.task,
      status: s?.status ?? 'pending',
      previous: node.after.map((parent) => state.nodes[parent]?.taskId ?? ''),
      result: s?.status === 'success' ? s.result : null,
      error: s?.error ?? null,
      retries: s?.retries ?? 0,
      started: iso(s?.started ?? null),
      finished: iso(s?.finished ?? null),
    };
  });
  return { ...toSummary<P>(state), tasks };
}
