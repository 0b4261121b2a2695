/**
 * `app.fire(name, data, { key })` (WORKFLOWS.md §W6): one verb for every external event. The event
 * is checked (a malformed name or non-JSON data is a typed error, nothing fired), retained for
 * waits that start later, handed to every node waiting on (name, key) and to the triggers.
 * @module
 */
import type { WorkflowEngine } from './engine/engine.js';
import { checkEvent, fireWaits, type FireOptions } from './engine/kinds/wait.js';

export type { FireOptions };

/** What a fire did. */
export interface FireOutcome {
  /** Waiting nodes (across runs) this fire completed. */
  readonly completed: number;
  /** Trigger instances this fire started (ids). */
  readonly triggered: readonly string[];
}

/** Something else that hears fired events (the triggers). */
export type FireListener = (name: string, key: string, data: unknown) => Promise<readonly string[]>;

/** Fire an event; `retainDefault` (seconds) applies when `options.retain` is absent. */
export async function fireEvent(engine: WorkflowEngine, name: string, data: unknown, options: FireOptions, retainDefault: number, listener?: FireListener): Promise<FireOutcome> {
  const key = checkEvent(name, data, options);
  const kinds = engine.deps.kinds;
  const retain = options.retain ?? retainDefault;
  const completed = kinds ? await fireWaits(engine, kinds.deps, name, key, data ?? null, retain > 0 ? retain : 10 * 365 * 86_400) : 0;
  const triggered = listener ? await listener(name, key, data ?? null) : [];
  return { completed, triggered };
}
