/**
 * Director's periodic workflow `users.UPDATE_CACHE`: every hour (here: every `intervalSeconds`, fast
 * for the demo) beat starts it with the default payload `{"user": false}` (refresh every user), and
 * the same workflow can be launched by hand with `{"user": "john.doe"}` (refresh one user).
 * Any number of beats may run: each due time starts exactly one run.
 */
import { Celeriac, currentTask } from '../src/index.js';

/** What one run of the workflow refreshed. */
export interface CacheRefresh {
  readonly runId: string;
  readonly periodic: boolean;
  readonly refreshed: string;
}

/** Register the task and the workflow (with its `periodic:`) on `app`. */
export function defineUsersUpdateCache(app: Celeriac, intervalSeconds = 3600, log: (line: string) => void = () => undefined) {
  app.task('UPDATE_CACHE', () => {
    const payload = currentTask()?.kwargs['payload'] as { user: string | false };
    const refreshed = payload.user === false ? 'all users' : `user ${payload.user}`;
    log(`UPDATE_CACHE: refreshed ${refreshed}`);
    return refreshed;
  });
  return app.workflows.define('users.UPDATE_CACHE', {
    tasks: ['UPDATE_CACHE'],
    schema: { type: 'object', properties: { user: { oneOf: [{ type: 'string' }, { const: false }] } }, required: ['user'], additionalProperties: false },
    periodic: { interval: intervalSeconds, payload: { user: false } },
  });
}

/**
 * Run the example: two beats fire the periodic workflow until `periodicRuns` runs succeeded, then
 * one run is launched by hand. Needs a worker running on `app`.
 */
export async function runUsersUpdateCache(app: Celeriac, log: (line: string) => void = () => undefined, { intervalSeconds = 0.3, periodicRuns = 2 } = {}): Promise<CacheRefresh[]> {
  const workflow = defineUsersUpdateCache(app, intervalSeconds, log);
  const beats = [await app.beat({ tickMs: 50, name: 'beat-1' }).start(), await app.beat({ tickMs: 50, name: 'beat-2' }).start()];
  const [schedule] = await app.schedules.list({ next: 2 });
  log(`schedule ${schedule?.id}: next ${schedule?.next.join(', ')}`);
  const fired: CacheRefresh[] = [];
  try {
    while (fired.length < periodicRuns) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      for (const fire of await app.schedules.fires('workflow:users.UPDATE_CACHE')) {
        if (fire.state !== 'fired' || !fire.runId || fired.some((f) => f.runId === fire.runId) || fired.length >= periodicRuns) continue;
        const record = await app.workflows.handle(fire.runId).wait({ timeout: 10_000 });
        fired.push({ runId: record.id, periodic: record.periodic, refreshed: String(record.tasks[0]?.result) });
      }
    }
  } finally {
    for (const beat of beats) await beat.stop();
  }
  const manual = await (await workflow.run({ user: 'john.doe' })).wait({ timeout: 10_000 });
  return [...fired, { runId: manual.id, periodic: manual.periodic, refreshed: String(manual.tasks[0]?.result) }];
}
