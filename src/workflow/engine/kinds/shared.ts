/**
 * What the §W6 node types share: the built-in task names their messages run as, the dependencies
 * the engine hands them, path lookups into a run, and node errors from typed errors.
 * @module
 */
import type { NodeError } from '../../types.js';
import type { SignalStore } from '../../store/signals.js';
import type { NodeCall } from '../node-message.js';

/** Fires a timer node at its due time (sent with an ETA; its task id is the node's). */
export const TIMER_TASK = 'celeriac.workflow.timer';
/** Fails a waiting node at its timeout (sent with an ETA). */
export const WAIT_TIMEOUT_TASK = 'celeriac.workflow.wait-timeout';
/** A map item succeeded (link callback of each item message). */
export const MAP_ITEM_TASK = 'celeriac.workflow.map-item';
/** A map item failed for good (link_error of each item message). */
export const MAP_FAIL_TASK = 'celeriac.workflow.map-fail';

/** One map item to publish. */
export interface MapItemCall {
  readonly index: number;
  readonly item: unknown;
}

/** What the node types need beyond the engine's own dependencies. */
export interface KindDeps {
  readonly signals: SignalStore;
  /** How long run data lives (seconds; 0: forever): wait indexes and map counters live as long. */
  readonly expiresSeconds: number;
  /** Send a built-in task message to run no earlier than `eta` (epoch ms). */
  sendDelayed(task: string, kwargs: Record<string, unknown>, options: { taskId: string; eta: number; rootId: string }): Promise<void>;
  /** Publish one batch of a map node's item messages. */
  sendMapItems(call: NodeCall, items: readonly MapItemCall[]): Promise<void>;
}

/** The value at a dotted path (`payload.order.id`) in `{ payload }`; undefined when absent. */
export function valueAt(root: Readonly<Record<string, unknown>>, path: string): unknown {
  let value: unknown = root;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** A node error with `type` from an error class name. */
export function nodeError(type: string, message: string): NodeError {
  return { type, message, traceback: null };
}

/** Check that `data` survives JSON unchanged in kind; returns the reason when it does not. */
export function notJsonReason(data: unknown): string | undefined {
  const seen = new Set<unknown>();
  const walk = (value: unknown, at: string): string | undefined => {
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
    if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${at || '/'} is ${value}`;
    if (typeof value !== 'object') return `${at || '/'} is a ${typeof value}`;
    if (seen.has(value)) return `${at || '/'} is a cycle`;
    seen.add(value);
    const proto = Object.getPrototypeOf(value) as unknown;
    if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return `${at || '/'} is a ${(value as object).constructor?.name ?? 'non-plain object'}`;
    for (const [key, inner] of Object.entries(value)) {
      const reason = walk(inner, `${at}/${key}`);
      if (reason) return reason;
    }
    seen.delete(value);
    return undefined;
  };
  return walk(data, '');
}
