/**
 * Schedules through the app on the memory transport: Director's `users.UPDATE_CACHE` fired by
 * `periodic:` and launched by hand, plain task schedules, `app.beat().start()` on real timers, and
 * `periodic:` with a bad crontab refused when beat starts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { currentTask, type Celeriac, type Worker } from '../../src/index.js';
import { fireId } from '../../src/schedule/fire-id.js';
import { ScheduleError } from '../../src/schedule/errors.js';
import { memoryApp } from '../helpers/memory-app.js';
import { waitUntil } from '../helpers/redis.js';
import { FakeClock } from '../helpers/schedule.js';

/** App schedules are added at the real time; the beats' fake clocks start there. */
const hourAfter = (t: number) => (Math.floor(t / 3_600_000) + 1) * 3_600_000;
const userSchema = { type: 'object', properties: { user: { oneOf: [{ type: 'string' }, { const: false }] } }, required: ['user'], additionalProperties: false };

describe('schedules through the app (memory)', () => {
  let app: Celeriac;
  let worker: Worker | undefined;
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await app.close();
  });

  function usersApp() {
    app = memoryApp();
    const seen: unknown[] = [];
    app.task('users.update_cache', () => {
      seen.push(currentTask()?.kwargs['payload']);
      return 'ok';
    });
    app.workflows.define('users.UPDATE_CACHE', { tasks: ['users.update_cache'], schema: userSchema, periodic: { interval: 3600, payload: { user: false } } });
    return seen;
  }

  it("fires Director's periodic users.UPDATE_CACHE with its default payload; the same workflow runs by hand with another", async () => {
    const seen = usersApp();
    worker = await app.worker().start();
    const clock = new FakeClock(Date.now());
    const due = hourAfter(clock.now());
    const beat = app.beat({ clock });
    expect(await app.schedules.registerPeriodic()).toEqual(['workflow:users.UPDATE_CACHE']);
    const [info] = await app.schedules.list();
    expect(info).toMatchObject({ id: 'workflow:users.UPDATE_CACHE', entry: { target: { kind: 'workflow', name: 'users.UPDATE_CACHE', payload: { user: false } }, overlap: 'skip', catchUp: 'latest' } });
    expect(info?.next[0]).toBe(new Date(due).toISOString());
    clock.time = due;
    expect(await beat.tick()).toMatchObject({ fired: 1 });
    const runId = fireId('workflow:users.UPDATE_CACHE', due);
    const record = await app.workflows.handle(runId).wait({ timeout: 5000 });
    expect(record).toMatchObject({ status: 'success', periodic: true, payload: { user: false }, fullname: 'users.UPDATE_CACHE' });
    const manual = await app.workflows.run('users.UPDATE_CACHE', { user: 'john.doe' });
    expect(await manual.wait({ timeout: 5000 })).toMatchObject({ status: 'success', periodic: false, payload: { user: 'john.doe' } });
    expect(seen).toEqual([{ user: false }, { user: 'john.doe' }]);
    expect((await app.schedules.fires('workflow:users.UPDATE_CACHE'))[0]).toMatchObject({ state: 'fired', runId, due });
    expect(await app.schedules.registerPeriodic()).toEqual(['workflow:users.UPDATE_CACHE']);
    clock.advance(1000);
    expect(await beat.tick()).toMatchObject({ fired: 0 });
  });

  it('sends a scheduled task under the fire id; its result is readable', async () => {
    app = memoryApp();
    app.task('tests.add', (x: number, y: number) => x + y);
    worker = await app.worker().start();
    const clock = new FakeClock(Date.now());
    await app.schedules.add('adder', { task: 'tests.add', every: 10, args: [2, 3] });
    const due = (Math.floor(clock.now() / 10_000) + 1) * 10_000;
    clock.time = due;
    expect(await app.beat({ clock }).tick()).toMatchObject({ fired: 1 });
    expect(await app.asyncResult(fireId('adder', due)).get({ timeout: 5000 })).toBe(5);
  });

  it('beat.start() fires on real timers and stops cleanly', async () => {
    app = memoryApp();
    let runs = 0;
    app.task('tests.count', () => (runs += 1));
    worker = await app.worker().start();
    await app.schedules.add('fast', { task: 'tests.count', every: 0.05 });
    const beat = await app.beat({ tickMs: 20 }).start();
    await waitUntil(() => runs >= 3, { timeoutMs: 10_000, what: 'three scheduled runs' });
    await beat.stop();
    const fires = await app.schedules.fires('fast', 100);
    expect(fires.filter((f) => f.state === 'fired').length).toBeGreaterThanOrEqual(3);
  });

  it('refuses a periodic crontab that does not parse when beat starts', async () => {
    app = memoryApp();
    app.task('t', () => 1);
    app.workflows.define('ops.BROKEN', { tasks: ['t'], periodic: { crontab: '99 * * * *' } });
    const error = await app.beat().start().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ScheduleError);
    expect((error as ScheduleError).field).toBe('cron');
    expect((error as Error).message).toContain("schedule 'workflow:ops.BROKEN'");
  });
});
