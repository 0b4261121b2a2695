/**
 * The app's side of schedules: the hosts `app.schedules` and `app.beat()` get, built from the app's
 * task sending, workflows and backend URL. Only the composition root (app.ts) imports it.
 * @module
 */
import type { Logger } from '../logger.js';
import type { Workflows } from '../workflow/workflows.js';
import { UnknownRunError } from '../workflow/errors.js';
import type { BeatHost } from './beat.js';
import type { Schedules, SchedulesHost } from './schedules.js';
import type { ScheduleStore } from './store/store.js';

/** What the hosts need from the app. */
export interface SchedulingApp {
  readonly logger: Logger;
  readonly workflows: Workflows;
  sendTask(name: string, args: readonly unknown[], kwargs: Record<string, unknown>, options: { taskId: string; queue?: string }): Promise<unknown>;
}

/** The host of `app.schedules`. */
export function schedulesHost(app: SchedulingApp, store: () => Promise<ScheduleStore>): SchedulesHost {
  const definitions = app.workflows.definitions;
  return {
    store,
    now: () => Date.now(),
    workflows: {
      validatorOf: (name) => (definitions.has(name) ? definitions.get(name).validate : null),
      periodic: () => definitions.list().map((d) => ({ fullname: d.fullname, periodic: d.input.periodic })),
    },
  };
}

/** The host of `app.beat()`. */
export function beatHost(app: SchedulingApp, store: () => Promise<ScheduleStore>, schedules: Schedules): BeatHost {
  return {
    store,
    logger: app.logger,
    registerPeriodic: async () => {
      const ids = await schedules.registerPeriodic();
      if (ids.length > 0) app.logger.info({ schedules: ids }, 'periodic workflows scheduled');
    },
    sendTask: (name, args, kwargs, options) => app.sendTask(name, args, kwargs, options),
    runWorkflow: (fullname, payload, options) => app.workflows.run(fullname, payload, { ...options, periodic: true }),
    runStatus: async (runId) => {
      try {
        return (await app.workflows.get(runId)).status;
      } catch (error) {
        if (error instanceof UnknownRunError) return undefined;
        throw error;
      }
    },
    cancelRun: async (runId) => {
      await app.workflows.cancel(runId);
    },
  };
}
