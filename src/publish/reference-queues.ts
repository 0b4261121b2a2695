/**
 * `continuations: { referenceQueues }`: references only where every worker that will read them is
 * celeriac. A message may carry references (stubs, a chain cursor) when its own queue and the queue
 * of every task reachable from its continuations (chain steps, chord body, callbacks, errbacks,
 * and the tasks nested in those) are among the queues the app declares as served by celeriac
 * workers only. Any other message keeps Celery's inline format, so a Python worker on a mixed route
 * always gets what it can read.
 *
 * Queues are resolved as the planner does (`queue` option, else the app's route for the task, else
 * the default queue). A step's `queue` given only at call time is not seen here: such a canvas
 * stays inline unless its routes already say so.
 * @module
 */
import type { PlanConfig, PlannedMessage } from '../canvas/plan-types.js';
import type { SignatureDict } from '../protocol/message.js';

/** Deeper nesting than this is treated as not referenceable (and stays inline). */
const MAX_DEPTH = 64;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSignatureDict(value: unknown): value is SignatureDict {
  return isRecord(value) && typeof value['task'] === 'string' && isRecord(value['options']);
}

/** The queue a signature dict is sent to when the planner applies it (map/starmap route as their inner task). */
export function queueOfDict(dict: SignatureDict, config: Pick<PlanConfig, 'route' | 'defaultQueue'>): string {
  const given = dict.options['queue'];
  if (typeof given === 'string' && given !== '') return given;
  let name = dict.task;
  const inner = dict.kwargs?.['task'];
  if ((name === 'celery.map' || name === 'celery.starmap') && isSignatureDict(inner)) name = inner.task;
  return config.route(name) ?? config.defaultQueue;
}

/**
 * True when every signature dict reachable from `value` (through kwargs and options, at any depth)
 * is sent to one of `queues`.
 */
function allOnQueues(value: unknown, queues: ReadonlySet<string>, config: Pick<PlanConfig, 'route' | 'defaultQueue'>, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) return value.every((item) => allOnQueues(item, queues, config, depth + 1));
  if (!isRecord(value)) return true;
  if (isSignatureDict(value)) {
    if (!queues.has(queueOfDict(value, config))) return false;
    return allOnQueues(value.kwargs, queues, config, depth + 1) && allOnQueues(value.options, queues, config, depth + 1);
  }
  for (const key in value) {
    if (Object.hasOwn(value, key) && !allOnQueues(value[key], queues, config, depth + 1)) return false;
  }
  return true;
}

/** True when `planned` and everything its continuations will send run on `queues` only. */
export function mayCarryReferences(planned: PlannedMessage, queues: ReadonlySet<string>, config: Pick<PlanConfig, 'route' | 'defaultQueue'>): boolean {
  if (!queues.has(planned.queue)) return false;
  const { callbacks, errbacks, chain, chord } = planned.message.embed;
  return [callbacks, errbacks, chain, chord].every((part) => allOnQueues(part, queues, config, 0));
}
