/**
 * The §W6 node types in a definition (`wait`, `approval`, `timer`, `decision`, `map`): which keys
 * each accepts, their checks, and the extra parent edge a decision's branches imply. Every problem
 * is reported through the compiler's `fail` with the offending key.
 * @module
 */
import type { GraphNode, NodeType, TimerOptions, WaitOptions } from './spec.js';

/** Keys every node type accepts, beyond the plain task node's. */
export const TYPED_NODE_KEYS = ['event', 'correlate', 'timeout', 'retainEvents', 'seconds', 'at', 'branches'];

/** The task name shown for nodes that run no task of their own. */
export const BUILTIN_NODE_TASKS = { wait: 'celeriac.workflow.wait', approval: 'celeriac.workflow.approval', timer: 'celeriac.workflow.timer' } as const;

const TYPES: readonly NodeType[] = ['task', 'wait', 'approval', 'timer', 'decision', 'map'];
const ALLOWED: Record<NodeType, readonly string[]> = {
  task: [],
  wait: ['event', 'correlate', 'timeout', 'retainEvents'],
  approval: ['timeout'],
  timer: ['seconds', 'at'],
  decision: ['branches'],
  map: [],
};

/** An event name: letters, digits and `._:-`, 1–200 characters, starting with a letter or digit. */
export const EVENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/;
/** A path into the run: `payload` then dotted keys (`payload.order.id`). */
export const RUN_PATH = /^payload(\.[A-Za-z0-9_-]+)+$/;

type Fail = (key: string, reason: string) => never;

/** What a typed node adds to its {@link GraphNode}. */
export type TypedFields = Pick<GraphNode, 'type' | 'wait' | 'timer' | 'branches'> & { task: string };

const positive = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0;

/** Check a node's type-specific keys; `task` is the task name it was given (if any). */
export function compileNodeType(fail: Fail, at: string, node: Readonly<Record<string, unknown>>, task: unknown): TypedFields | undefined {
  const type = (node['type'] ?? 'task') as NodeType;
  if (!TYPES.includes(type)) fail(`${at}.type`, `unknown node type '${String(node['type'])}' (known: ${TYPES.join(', ')})`);
  for (const key of TYPED_NODE_KEYS) {
    if (node[key] !== undefined && !ALLOWED[type].includes(key)) fail(`${at}.${key}`, `'${key}' does not apply to a ${type} node`);
  }
  if (type === 'task') return undefined;
  if (type === 'wait' || type === 'approval' || type === 'timer') {
    if (task !== undefined) fail(`${at}.task`, `a ${type} node runs no task`);
    return { task: BUILTIN_NODE_TASKS[type], type, ...(type === 'timer' ? { timer: timerOf(fail, at, node) } : { wait: waitOf(fail, at, node, type) }) };
  }
  if (typeof task !== 'string' || task.trim() === '') fail(`${at}.task`, `a ${type} node needs a task`);
  if (type === 'map') return { task, type };
  return { task, type, branches: branchesOf(fail, at, node['branches']) };
}

function waitOf(fail: Fail, at: string, node: Readonly<Record<string, unknown>>, type: 'wait' | 'approval'): WaitOptions {
  const timeout = node['timeout'];
  if (timeout !== undefined && !positive(timeout)) fail(`${at}.timeout`, 'must be a number of seconds > 0');
  const base = { retainEvents: 0, ...(timeout !== undefined ? { timeout } : {}) };
  if (type === 'approval') return base;
  const event = node['event'];
  if (typeof event !== 'string' || !EVENT_NAME.test(event)) fail(`${at}.event`, "a wait node needs an event name (letters, digits, '._:-')");
  const correlate = node['correlate'];
  if (correlate !== undefined && (typeof correlate !== 'string' || !RUN_PATH.test(correlate))) fail(`${at}.correlate`, "must be a path into the payload, like 'payload.order_id'");
  const retain = node['retainEvents'];
  if (retain !== undefined && (typeof retain !== 'number' || !(retain >= 0))) fail(`${at}.retainEvents`, 'must be a number of seconds ≥ 0');
  return { ...base, event, ...(correlate !== undefined ? { correlate } : {}), retainEvents: retain ?? 0 };
}

function timerOf(fail: Fail, at: string, node: Readonly<Record<string, unknown>>): TimerOptions {
  const seconds = node['seconds'];
  const when = node['at'];
  if ((seconds === undefined) === (when === undefined)) fail(at, 'a timer node needs exactly one of `seconds` or `at`');
  if (seconds !== undefined) {
    if (typeof seconds !== 'number' || !(seconds >= 0) || !Number.isFinite(seconds)) fail(`${at}.seconds`, 'must be a number of seconds ≥ 0');
    return { seconds };
  }
  if (typeof when !== 'string' || !RUN_PATH.test(when)) fail(`${at}.at`, "must be a path into the payload holding an ISO time, like 'payload.ship_date'");
  return { at: when };
}

function branchesOf(fail: Fail, at: string, value: unknown): Record<string, string[]> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length === 0) {
    fail(`${at}.branches`, 'a decision node needs `branches: {name: [node keys]}`');
  }
  const branches: Record<string, string[]> = {};
  for (const [name, keys] of Object.entries(value)) {
    if (!Array.isArray(keys) || keys.some((key) => typeof key !== 'string')) fail(`${at}.branches.${name}`, 'must be a list of node keys');
    branches[name] = [...(keys as string[])];
  }
  return branches;
}

/**
 * A decision's branch targets come after it: add the decision to their parents (a target that names
 * it already keeps its order). Checks every target exists.
 */
export function linkBranches(fail: Fail, nodes: GraphNode[]): GraphNode[] {
  const keys = new Set(nodes.map((node) => node.key));
  const extra = new Map<string, string[]>();
  for (const node of nodes) {
    for (const [name, targets] of Object.entries(node.branches ?? {})) {
      for (const target of targets) {
        if (!keys.has(target)) fail(`nodes.${node.key}.branches.${name}`, `unknown node '${target}'`);
        if (target === node.key) fail(`nodes.${node.key}.branches.${name}`, 'a decision cannot branch to itself');
        extra.set(target, [...(extra.get(target) ?? []), node.key]);
      }
    }
  }
  return nodes.map((node) => {
    const added = [...new Set(extra.get(node.key) ?? [])].filter((parent) => !node.after.includes(parent));
    if (added.length === 0) return node;
    const after = [...node.after, ...added];
    return { ...node, after, input: after.length === 1 ? 'single' : 'list' };
  });
}

/** Check node-type constraints that need the whole graph (a map has exactly one parent). */
export function checkTypedNodes(fail: Fail, nodes: readonly GraphNode[]): void {
  for (const node of nodes) {
    if (node.type === 'map' && node.after.length !== 1) fail(`nodes.${node.key}.after`, 'a map node needs exactly one parent (whose result is the list)');
  }
}
