/**
 * Check a definition as written (YAML or TypeScript) and compile it to a {@link WorkflowGraph}:
 * Director's `tasks:` list (chains, named groups, nesting at any depth) or the DAG form
 * (`nodes:` with `after:`). Every problem is a {@link WorkflowDefinitionError} naming the key.
 * @module
 */
import { WorkflowDefinitionError, type DefinitionLocation } from '../errors.js';
import { checkTypedNodes, compileNodeType, linkBranches, TYPED_NODE_KEYS } from './node-types.js';
import type { GraphNode, JoinPolicy, NodeSpec, TaskItem, WorkflowGraph, WorkflowInput } from './spec.js';

const WORKFLOW_KEYS = ['tasks', 'nodes', 'schema', 'queue', 'hooks', 'periodic', 'retention', 'maxDuration', 'onFailure', 'description'];
const NODE_KEYS = ['task', 'type', 'after', 'kwargs', 'queue', 'join', ...TYPED_NODE_KEYS];
const NESTED_KEYS = ['type', 'tasks', 'queue'];
const JOINS: readonly JoinPolicy[] = ['all-success', 'all-done', 'any-success'];
const NAME_PATTERN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_.-]+$/;

/** Where errors of one definition point. */
export interface CompileContext {
  readonly file?: string;
  readonly workflow: string;
}

function fail(ctx: CompileContext, key: string, reason: string): never {
  const location: DefinitionLocation = { ...(ctx.file !== undefined ? { file: ctx.file } : {}), workflow: ctx.workflow, key };
  throw new WorkflowDefinitionError(location, reason);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkKeys(ctx: CompileContext, at: string, value: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) fail(ctx, at ? `${at}.${key}` : key, `unknown key '${key}' (allowed: ${allowed.join(', ')})`);
  }
}

function checkName(ctx: CompileContext, text: unknown, at: string): string {
  if (typeof text !== 'string' || text.trim() === '') fail(ctx, at, 'must be a non-empty string');
  return text;
}

/** Check the workflow name (`project.NAME`). */
export function checkWorkflowName(ctx: CompileContext): void {
  if (!NAME_PATTERN.test(ctx.workflow)) fail(ctx, '', "a workflow name is 'project.NAME' (letters, digits, '_', '-')");
}

/** Check every key of a definition except the schema's content; returns the compiled graph. */
export function compileDefinition(ctx: CompileContext, input: unknown): WorkflowGraph {
  checkWorkflowName(ctx);
  if (!isRecord(input)) fail(ctx, '', 'a definition is a mapping with `tasks` or `nodes`');
  checkKeys(ctx, '', input, WORKFLOW_KEYS);
  checkOptions(ctx, input);
  const hasTasks = input['tasks'] !== undefined;
  const hasNodes = input['nodes'] !== undefined;
  if (hasTasks === hasNodes) fail(ctx, hasTasks ? 'nodes' : 'tasks', 'give exactly one of `tasks` (Director form) or `nodes` (DAG form)');
  const queues = queueResolver(ctx, input['queue']);
  const nodes = hasTasks ? compileTasks(ctx, input['tasks'], queues) : compileNodes(ctx, input['nodes'], queues);
  return { nodes: topologicalOrder(ctx, nodes) };
}

function checkOptions(ctx: CompileContext, input: Record<string, unknown>): void {
  const hooks = input['hooks'];
  if (hooks !== undefined) {
    if (!isRecord(hooks)) fail(ctx, 'hooks', 'must be a mapping {success, failure}');
    checkKeys(ctx, 'hooks', hooks, ['success', 'failure']);
    for (const [key, value] of Object.entries(hooks)) checkName(ctx, value, `hooks.${key}`);
  }
  const retention = input['retention'];
  if (retention !== undefined) {
    if (!isRecord(retention)) fail(ctx, 'retention', 'must be a mapping {offset}');
    checkKeys(ctx, 'retention', retention, ['offset']);
    const offset = retention['offset'];
    if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 1) fail(ctx, 'retention.offset', 'must be an integer ≥ 1');
  }
  const maxDuration = input['maxDuration'];
  if (maxDuration !== undefined && (typeof maxDuration !== 'number' || !(maxDuration > 0) || !Number.isFinite(maxDuration))) {
    fail(ctx, 'maxDuration', 'must be a number of seconds > 0');
  }
  const onFailure = input['onFailure'];
  if (onFailure !== undefined && onFailure !== 'stop' && onFailure !== 'continue') fail(ctx, 'onFailure', "must be 'stop' or 'continue'");
  const periodic = input['periodic'];
  if (periodic !== undefined) {
    if (!isRecord(periodic)) fail(ctx, 'periodic', 'must be a mapping {interval | crontab, payload}');
    checkKeys(ctx, 'periodic', periodic, ['interval', 'crontab', 'payload']);
    if ((periodic['interval'] === undefined) === (periodic['crontab'] === undefined)) fail(ctx, 'periodic', 'give exactly one of `interval` (seconds) or `crontab`');
    const interval = periodic['interval'];
    if (interval !== undefined && (typeof interval !== 'number' || !(interval > 0))) fail(ctx, 'periodic.interval', 'must be a number of seconds > 0');
    if (periodic['crontab'] !== undefined) checkName(ctx, periodic['crontab'], 'periodic.crontab');
    if (periodic['payload'] !== undefined && !isRecord(periodic['payload'])) fail(ctx, 'periodic.payload', 'must be a JSON object');
  }
  const description = input['description'];
  if (description !== undefined && typeof description !== 'string') fail(ctx, 'description', 'must be a string');
}

type QueueOf = (task: string, own: string | undefined) => string | undefined;

function queueResolver(ctx: CompileContext, queue: unknown): QueueOf {
  if (queue === undefined) return (_task, own) => own;
  if (typeof queue === 'string') return (_task, own) => own ?? queue;
  if (!isRecord(queue)) fail(ctx, 'queue', 'must be a queue name or {default, customs}');
  checkKeys(ctx, 'queue', queue, ['default', 'customs']);
  const fallback = queue['default'] === undefined ? undefined : checkName(ctx, queue['default'], 'queue.default');
  const customs = queue['customs'] ?? {};
  if (!isRecord(customs)) fail(ctx, 'queue.customs', 'must be a mapping TASK: queue');
  for (const [task, name] of Object.entries(customs)) checkName(ctx, name, `queue.customs.${task}`);
  return (task, own) => own ?? (customs[task] as string | undefined) ?? fallback;
}

interface Output {
  keys: string[];
  isGroup: boolean;
}

function compileTasks(ctx: CompileContext, tasks: unknown, queueOf: QueueOf): GraphNode[] {
  if (!Array.isArray(tasks) || tasks.length === 0) fail(ctx, 'tasks', 'must be a non-empty list');
  const nodes: GraphNode[] = [];
  const used = new Map<string, number>();
  const uniqueKey = (task: string): string => {
    const seen = (used.get(task) ?? 0) + 1;
    used.set(task, seen);
    return seen === 1 ? task : `${task}#${seen}`;
  };
  const addTask = (task: string, input: Output, path: string[], queue: string | undefined): Output => {
    const key = uniqueKey(task);
    const mode = input.keys.length === 0 ? 'none' : input.isGroup ? 'list' : 'single';
    nodes.push({ key, task, after: input.keys, input: mode, kwargs: {}, queue: queueOf(task, queue), join: 'all-success', path });
    return { keys: [key], isGroup: false };
  };
  const item = (value: unknown, at: string, input: Output, path: string[], queue: string | undefined): Output => {
    if (typeof value === 'string') return addTask(checkName(ctx, value, at), input, path, queue);
    if (!isRecord(value) || Object.keys(value).length !== 1) fail(ctx, at, 'an item is a task name or {NAME: {type: group|chain, tasks: [...]}}');
    const [name, spec] = Object.entries(value)[0]!;
    const here = `${at}.${name}`;
    if (!isRecord(spec)) fail(ctx, here, 'must be a mapping {type, tasks}');
    checkKeys(ctx, here, spec, NESTED_KEYS);
    if (spec['type'] !== 'group' && spec['type'] !== 'chain') fail(ctx, `${here}.type`, "a named group needs `type: group` or `type: chain`");
    const members = spec['tasks'];
    if (!Array.isArray(members) || members.length === 0) fail(ctx, `${here}.tasks`, 'must be a non-empty list');
    const inner = spec['queue'] === undefined ? queue : checkName(ctx, spec['queue'], `${here}.queue`);
    const innerPath = [...path, name];
    if (spec['type'] === 'chain') return sequence(members, `${here}.tasks`, input, innerPath, inner);
    const keys = members.flatMap((member, i) => item(member, `${here}.tasks[${i}]`, input, innerPath, inner).keys);
    return { keys, isGroup: true };
  };
  const sequence = (items: readonly unknown[], at: string, input: Output, path: string[], queue: string | undefined): Output =>
    items.reduce<Output>((previous, value, i) => item(value, `${at}[${i}]`, previous, path, queue), input);
  sequence(tasks as TaskItem[], 'tasks', { keys: [], isGroup: false }, [], undefined);
  return nodes;
}

function compileNodes(ctx: CompileContext, spec: unknown, queueOf: QueueOf): GraphNode[] {
  if (!isRecord(spec) || Object.keys(spec).length === 0) fail(ctx, 'nodes', 'must be a non-empty mapping of node name to {task, after, kwargs, queue}');
  const keys = Object.keys(spec);
  const failAt = (key: string, reason: string): never => fail(ctx, key, reason);
  const nodes = keys.map((key) => {
    const at = `nodes.${key}`;
    const node = spec[key];
    if (!isRecord(node)) fail(ctx, at, 'must be a mapping {task, after, kwargs, queue, join}');
    checkKeys(ctx, at, node, NODE_KEYS);
    const typed = node as Partial<NodeSpec>;
    const special = compileNodeType(failAt, at, node, typed.task);
    const task = special?.task ?? checkName(ctx, typed.task, `${at}.task`);
    const after = typed.after ?? [];
    if (!Array.isArray(after)) fail(ctx, `${at}.after`, 'must be a list of node names');
    after.forEach((parent, i) => {
      checkName(ctx, parent, `${at}.after[${i}]`);
      if (!keys.includes(parent)) fail(ctx, `${at}.after`, `unknown parent '${parent}'`);
      if (parent === key) fail(ctx, `${at}.after`, 'a node cannot come after itself');
    });
    if (new Set(after).size !== after.length) fail(ctx, `${at}.after`, 'lists a parent twice');
    const kwargs = typed.kwargs ?? {};
    if (!isRecord(kwargs)) fail(ctx, `${at}.kwargs`, 'must be a mapping');
    for (const reserved of ['payload', 'workflow_id']) if (reserved in kwargs) fail(ctx, `${at}.kwargs.${reserved}`, `'${reserved}' is set by the workflow`);
    const join = typed.join ?? 'all-success';
    if (!JOINS.includes(join)) fail(ctx, `${at}.join`, `must be one of ${JOINS.join(', ')}`);
    const queue = typed.queue === undefined ? undefined : checkName(ctx, typed.queue, `${at}.queue`);
    const input = after.length === 0 ? 'none' : after.length === 1 ? 'single' : 'list';
    return { key, after: [...after], input, kwargs: { ...kwargs }, queue: queueOf(task, queue), join, path: [], ...special, task } satisfies GraphNode;
  });
  const linked = linkBranches(failAt, nodes);
  checkTypedNodes(failAt, linked);
  return linked;
}

/** Kahn's algorithm; a leftover node means a cycle, reported with the nodes on it. */
function topologicalOrder(ctx: CompileContext, nodes: GraphNode[]): GraphNode[] {
  const byKey = new Map(nodes.map((node) => [node.key, node]));
  const remaining = new Map(nodes.map((node) => [node.key, node.after.length]));
  const children = new Map<string, string[]>();
  for (const node of nodes) for (const parent of node.after) children.set(parent, [...(children.get(parent) ?? []), node.key]);
  const ready = nodes.filter((node) => node.after.length === 0).map((node) => node.key);
  const ordered: GraphNode[] = [];
  while (ready.length > 0) {
    const key = ready.shift()!;
    ordered.push(byKey.get(key)!);
    for (const child of children.get(key) ?? []) {
      const left = remaining.get(child)! - 1;
      remaining.set(child, left);
      if (left === 0) ready.push(child);
    }
  }
  if (ordered.length !== nodes.length) {
    const cycle = [...remaining].filter(([, left]) => left > 0).map(([key]) => key);
    fail(ctx, 'nodes', `a cycle runs through ${cycle.join(', ')}`);
  }
  return ordered;
}

/** Read-only helpers on a compiled graph. */
export function childrenOf(graph: WorkflowGraph): Map<string, string[]> {
  const children = new Map<string, string[]>(graph.nodes.map((node) => [node.key, []]));
  for (const node of graph.nodes) for (const parent of node.after) children.get(parent)!.push(node.key);
  return children;
}
