/**
 * Wires `app.triggers` into workers: the built-in tasks an instance's callbacks run as (when a
 * Python worker ran the task), the same callbacks handled in-process when a celeriac worker ran it,
 * and the `running` status when its task starts.
 * @module
 */
import type { ResultBackend } from '../../backend/backend.js';
import type { ExceptionInfo } from '../../protocol/result-meta.js';
import { currentTask } from '../../worker/context.js';
import type { WorkerHooks } from '../../worker/hooks.js';
import type { TaskRegistry } from '../../worker/registry.js';
import { errorOfException } from '../exception-error.js';
import { TRIGGER_DONE_TASK, TRIGGER_FAIL_TASK, triggerContextOf } from './current.js';
import type { Triggers } from './triggers.js';


/** Register the instance callbacks as tasks. */
export function registerTriggerTasks(registry: TaskRegistry, triggers: Triggers, backend: () => Promise<ResultBackend>): void {
  registry.register({
    name: TRIGGER_DONE_TASK,
    fn: async (result: unknown) => {
      const context = triggerContextOf(currentTask()?.kwargs);
      if (!context) throw new Error(`${TRIGGER_DONE_TASK} needs kwargs instance/trigger/session`);
      await triggers.finished(context.instance, result);
    },
    settings: {},
  });
  registry.register({
    name: TRIGGER_FAIL_TASK,
    fn: async (failedTaskId: unknown) => {
      const context = triggerContextOf(currentTask()?.kwargs);
      if (!context || typeof failedTaskId !== 'string') throw new Error(`${TRIGGER_FAIL_TASK} needs the failed task id and kwargs instance/trigger/session`);
      const meta = await (await backend()).getMeta(failedTaskId);
      const exc = (meta?.result ?? { exc_type: 'Error', exc_message: ['the task failed'], exc_module: 'builtins' }) as ExceptionInfo;
      await triggers.failed(context.instance, errorOfException(exc, meta?.traceback ?? null));
    },
    settings: {},
  });
}

/** Worker hooks: instance callbacks in-process, `running` on start. */
export function triggerHooks(triggers: Triggers, logger: { warn(message: string, fields?: Record<string, unknown>): void }): Required<WorkerHooks> {
  return {
    inlineCallback: async (callback, outcome) => {
      if (callback.task !== TRIGGER_DONE_TASK && callback.task !== TRIGGER_FAIL_TASK) return false;
      const context = triggerContextOf(callback.kwargs);
      if (!context) return false;
      if (outcome.kind === 'success' && callback.task === TRIGGER_DONE_TASK) await triggers.finished(context.instance, outcome.value);
      if (outcome.kind === 'failure' && callback.task === TRIGGER_FAIL_TASK) await triggers.failed(context.instance, errorOfException(outcome.exc, outcome.traceback));
      return true;
    },
    taskStarted: (message) => {
      const context = triggerContextOf(message.embed.callbacks?.find((dict) => dict.task === TRIGGER_DONE_TASK)?.kwargs);
      if (!context) return;
      void triggers.started(context.instance).catch((error: unknown) => logger.warn('could not record a trigger instance start', { instance: context.instance, error: String(error) }));
    },
  };
}
