/**
 * Celeriac's run records in Director's JSON shapes (`Workflow.to_dict`, `Task.to_dict`,
 * `/api/definitions`), so that scripts written for Director's API read them unchanged. Celeriac's
 * extra fields are added next to Director's, never instead of them.
 * @module
 */
import type { WorkflowDefinition } from '../workflow/definition/definitions.js';
import type { NodeRecord, WorkflowRecord, WorkflowSummary } from '../workflow/types.js';

/** A run as Director's `Workflow.to_dict(with_payload)`: `comment` only when set, `payload` only when asked. */
export function workflowJson(run: WorkflowSummary, withPayload = true): Record<string, unknown> {
  return {
    id: run.id,
    created: run.created,
    updated: run.updated,
    name: run.name,
    project: run.project,
    fullname: run.fullname,
    status: run.status,
    periodic: run.periodic,
    ...(run.comment !== null ? { comment: run.comment } : {}),
    ...(withPayload ? { payload: run.payload } : {}),
  };
}

/**
 * A node as Director's `Task.to_dict()` (`task` is the task id there, `is_hook` false), plus
 * celeriac's `name` (the task name), `error`, `retries`, `started` and `finished`.
 */
export function taskJson(node: NodeRecord, created: string): Record<string, unknown> {
  return {
    id: node.id,
    created,
    updated: node.finished ?? node.started ?? created,
    key: node.key,
    status: node.status,
    task: node.id,
    previous: node.previous,
    result: node.result ?? null,
    is_hook: false,
    name: node.task,
    error: node.error,
    retries: node.retries,
    started: node.started,
    finished: node.finished,
  };
}

/** A run with its `tasks`, as Director's `GET /api/workflows/<id>`. */
export function workflowWithTasks(run: WorkflowRecord): Record<string, unknown> {
  return { ...workflowJson(run), tasks: run.tasks.map((node) => taskJson(node, run.created)) };
}

/** JSON-safe copy of a value (drops functions and Standard Schema objects). */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null, (_key, v: unknown) => (typeof v === 'function' ? undefined : v))) as unknown;
}

/**
 * A definition as Director's `/api/definitions` item (`fullname`, `project`, `name` and the
 * definition's own keys), with `schema` as a JSON Schema (absent for a Standard Schema), plus
 * celeriac's compiled `graph` (nodes with `key`, `task`, `after`, `input`, `kwargs`, `path`, `queue`, `join`).
 */
export function definitionJson(definition: WorkflowDefinition): Record<string, unknown> {
  const { schema: _schema, ...input } = definition.input;
  return {
    fullname: definition.fullname,
    project: definition.project,
    name: definition.name,
    ...(plain(input) as Record<string, unknown>),
    ...(definition.jsonSchema !== undefined ? { schema: definition.jsonSchema } : {}),
    graph: {
      nodes: definition.graph.nodes.map((node) => ({ key: node.key, task: node.task, after: node.after, input: node.input, kwargs: plain(node.kwargs), path: node.path, queue: node.queue ?? null, join: node.join })),
    },
  };
}
