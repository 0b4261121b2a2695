/**
 * `currentTrigger()`: inside a task run by a trigger, the instance, its session and every trigger's
 * kwargs in that session (Triggers' `trigger_context`), read from the instance's own callback.
 * @module
 */
import { runningTask } from '../../worker/context.js';

/** The built-in task a trigger instance's success reports to. */
export const TRIGGER_DONE_TASK = 'celeriac.triggers.done';
/** The built-in task a trigger instance's failure reports to. */
export const TRIGGER_FAIL_TASK = 'celeriac.triggers.fail';

/** What a task run by a trigger knows about it. */
export interface TriggerContext {
  /** The instance id (`trigger#n@session`). */
  readonly instance: string;
  readonly trigger: string;
  /** The session (the key events were fired with). */
  readonly session: string;
  /** Every trigger fired in the session → the kwargs it was fired with (the latest; for `andEvery`, this instance's firing). */
  readonly triggers: Readonly<Record<string, unknown>>;
}

/** Read a {@link TriggerContext} from callback kwargs, if it is one. */
export function triggerContextOf(kwargs: Readonly<Record<string, unknown>> | undefined): TriggerContext | undefined {
  const { instance, trigger, session, triggers } = kwargs ?? {};
  if (typeof instance !== 'string' || typeof trigger !== 'string' || typeof session !== 'string') return undefined;
  return { instance, trigger, session, triggers: typeof triggers === 'object' && triggers !== null ? (triggers as Record<string, unknown>) : {} };
}

/** The trigger of the running task, or undefined when a trigger did not start it (or outside a task). */
export function currentTrigger(): TriggerContext | undefined {
  const callback = runningTask()?.callbacks.find((dict) => dict.task === TRIGGER_DONE_TASK);
  return callback ? triggerContextOf(callback.kwargs) : undefined;
}
