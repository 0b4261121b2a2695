/**
 * `app.triggers` (Triggers' standalone style) on every store/transport: after / unless / andEvery /
 * withParams, the trigger context a task sees, cascading, replay and skip, the eight statuses,
 * concurrent fires, and configure() errors.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Celeriac, Worker } from '../../src/index.js';
import { currentTask, currentTrigger, TriggerConfigError, TriggerInstanceError } from '../../src/index.js';
import type { TriggerInstance, TriggerStatus } from '../../src/workflow/store/signals.js';
import type { SignalsTarget } from './workflow-signals.suite.js';

async function until(read: () => Promise<TriggerInstance[]>, check: (list: TriggerInstance[]) => boolean, ms = 15_000): Promise<TriggerInstance[]> {
  const end = Date.now() + ms;
  for (;;) {
    const list = await read();
    if (check(list)) return list;
    if (Date.now() > end) throw new Error(`condition not reached: ${JSON.stringify(list.map((i) => [i.id, i.status]))}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const statuses = (list: TriggerInstance[]) => Object.fromEntries(list.map((i) => [i.id.slice(0, i.id.indexOf('@')), i.status]));

/** Register the trigger tests for one target. */
export function workflowTriggersSuite(name: string, target: SignalsTarget): void {
  describe(`triggers: ${name}`, () => {
    let app: Celeriac;
    let worker: Worker;
    const p = `t${randomUUID().slice(0, 6)}`;
    let recorded = 0;
    const blocked: Array<() => void> = [];
    const release = () => blocked.splice(0).forEach((resolve) => resolve());

    beforeAll(async () => {
      app = target.app();
      app.task(`${p}.Record`, () => {
        recorded += 1;
        return { ok: true };
      });
      app.task(`${p}.Param`, () => 'param');
      app.task(`${p}.Block`, () => new Promise<string>((resolve) => blocked.push(() => resolve('released'))));
      worker = await app.worker({ concurrency: 8 }).start();
    });
    afterAll(async () => {
      release();
      await worker.stop();
      await app.close();
    });

    it('after + withParams: runs once every trigger fired in the session, sees every kwargs, cascades its mapping', async () => {
      const imported: unknown[] = [];
      app.task(`${p}.ImportSubject`, (...args: unknown[]) => {
        void args;
        const context = currentTrigger()!;
        imported.push({ triggers: context.triggers, session: context.session });
        return { subjectId: 'S-1' };
      });
      const notified: unknown[] = [];
      app.task(`${p}.Notify`, () => {
        notified.push(currentTrigger()!.triggers[`${p}_import`]);
        return null;
      });
      app.triggers.configure({
        [`${p}_import`]: { after: [`${p}.first`, `${p}.complete`], run: `${p}.ImportSubject`, withParams: { responses: { [`${p}.first`]: 'responses' } } },
        [`${p}_notify`]: { after: [`${p}_import`], run: `${p}.Notify` },
      });
      const session = randomUUID();
      const first = await app.fire(`${p}.first`, { responses: { age: 31 } }, { key: session });
      expect(first.triggered).toEqual([]);
      expect(statuses(await app.triggers.instances(session))).toEqual({ [`${p}_import#1`]: 'unstarted' });
      await app.fire(`${p}.first`, { responses: { age: 99 } }, { key: 'another-session' });
      const complete = await app.fire(`${p}.complete`, {}, { key: session });
      expect(complete.triggered).toEqual([`${p}_import#1@${session}`]);
      const list = await until(() => app.triggers.instances(session), (l) => l.length === 2 && l.every((i) => i.status === 'finished'));
      expect(list[0]).toMatchObject({ trigger: `${p}_import`, kwargs: { responses: { age: 31 } }, result: { subjectId: 'S-1' } });
      expect(imported).toEqual([{ session, triggers: { [`${p}.first`]: { responses: { age: 31 } }, [`${p}.complete`]: {} } }]);
      expect(notified).toEqual([{ subjectId: 'S-1' }]);
      expect(statuses(await app.triggers.instances('another-session'))).toEqual({ [`${p}_import#1`]: 'unstarted' });
    });

    it('unless: an instance whose unless trigger fired first is abandoned and never runs', async () => {
      app.triggers.configure({ [`${p}_u`]: { after: [`${p}.a`, `${p}.b`], unless: [`${p}.stop`], run: `${p}.Record` } });
      const session = randomUUID();
      await app.fire(`${p}.a`, {}, { key: session });
      await app.fire(`${p}.stop`, {}, { key: session });
      expect((await app.fire(`${p}.b`, {}, { key: session })).triggered).toEqual([]);
      expect(statuses(await app.triggers.instances(session))).toEqual({ [`${p}_u#1`]: 'abandoned' });
      await new Promise((r) => setTimeout(r, 100));
      expect(recorded).toBe(0);
    });

    it('andEvery: one instance per firing once after is satisfied, each seeing its own firing', async () => {
      const pages: unknown[] = [];
      app.task(`${p}.Page`, () => {
        pages.push(currentTrigger()!.triggers[`${p}.page`]);
        return null;
      });
      app.triggers.configure({ [`${p}_pages`]: { after: [`${p}.start`], andEvery: `${p}.page`, run: `${p}.Page` } });
      const session = randomUUID();
      await app.fire(`${p}.page`, { n: 1 }, { key: session });
      expect(statuses(await app.triggers.instances(session))).toEqual({ [`${p}_pages#1`]: 'unstarted' });
      await app.fire(`${p}.start`, {}, { key: session });
      await app.fire(`${p}.page`, { n: 2 }, { key: session });
      await until(() => app.triggers.instances(session), (l) => l.length === 2 && l.every((i) => i.status === 'finished'));
      expect([...pages].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)))).toEqual([{ n: 1 }, { n: 2 }]);
    });

    it('replay with replacement kwargs and skip with a simulated result; the eight statuses are visible', async () => {
      app.task(`${p}.Fails`, (..._args: unknown[]) => {
        const kwargs = currentTask()?.kwargs ?? {};
        if (kwargs['ok'] !== true) throw new Error('needs ok');
        return { fixed: true };
      });
      const after: unknown[] = [];
      app.task(`${p}.After`, () => {
        after.push(currentTrigger()!.triggers[`${p}_fails`]);
        return null;
      });
      app.triggers.configure({
        [`${p}_fails`]: { after: [`${p}.go`], run: `${p}.Fails`, withParams: { ok: { [`${p}.go`]: 'ok' } } },
        [`${p}_after`]: { after: [`${p}_fails`], run: `${p}.After` },
        [`${p}_blocked`]: { after: [`${p}.go`], run: `${p}.Block` },
        [`${p}_parked`]: { after: [`${p}.go`], run: `${p}.Param`, queue: `${p}-nobody` },
        [`${p}_waiting`]: { after: [`${p}.go`, `${p}.never`], run: `${p}.Param` },
        [`${p}_dropped`]: { after: [`${p}.go`, `${p}.never`], unless: [`${p}.cancel`], run: `${p}.Param` },
      });
      const session = randomUUID();
      await app.fire(`${p}.go`, { ok: false }, { key: session });
      await app.fire(`${p}.cancel`, {}, { key: session });
      const failed = await until(() => app.triggers.instances(session), (l) => l.some((i) => i.status === 'failed') && l.some((i) => i.status === 'running'));
      const failedId = failed.find((i) => i.status === 'failed')!.id;
      expect(failed.find((i) => i.id === failedId)?.error).toMatchObject({ message: 'needs ok' });
      await expect(app.triggers.skip(`${p}_waiting#1@${session}`)).rejects.toBeInstanceOf(TriggerInstanceError);
      const replayId = await app.triggers.replay(failedId, { ok: true });
      await until(() => app.triggers.instances(session), (l) => l.find((i) => i.id === replayId)?.status === 'finished' && l.some((i) => i.trigger === `${p}_after` && i.status === 'finished'));
      expect(after).toEqual([{ fixed: true }]);
      // Make it fail again on a second session and skip it with a simulated result.
      const other = randomUUID();
      await app.fire(`${p}.go`, { ok: false }, { key: other });
      const second = await until(() => app.triggers.instances(other), (l) => l.some((i) => i.status === 'failed'));
      await app.triggers.skip(second.find((i) => i.status === 'failed')!.id, { fixed: 'simulated' });
      await until(() => app.triggers.instances(other), (l) => l.some((i) => i.trigger === `${p}_after` && i.status === 'finished'));
      expect(after).toEqual([{ fixed: true }, { fixed: 'simulated' }]);
      // 'failed' was seen above (before the replay and the skip); the seven others are there now.
      const all = new Set<TriggerStatus>([...(await app.triggers.instances(session)), ...(await app.triggers.instances(other))].map((i) => i.status));
      expect([...all].sort()).toEqual(['abandoned', 'finished', 'replayed', 'running', 'scheduled', 'skipped', 'unstarted']);
      release();
    });

    it('two processes firing the last trigger at once start the instance once', async () => {
      const other = target.second();
      try {
        let runs = 0;
        app.task(`${p}.Once`, () => {
          runs += 1;
          return null;
        });
        const config = { [`${p}_once`]: { after: [`${p}.x`, `${p}.y`], run: `${p}.Once` } };
        app.triggers.configure(config);
        other.triggers.configure(config);
        const session = randomUUID();
        await app.fire(`${p}.x`, {}, { key: session });
        const [a, b] = await Promise.all([app.fire(`${p}.y`, { by: 'a' }, { key: session }), other.fire(`${p}.y`, { by: 'b' }, { key: session })]);
        expect(a.triggered.length + b.triggered.length).toBe(1);
        await until(() => app.triggers.instances(session), (l) => l[0]?.status === 'finished');
        await new Promise((r) => setTimeout(r, 200));
        expect(runs).toBe(1);
      } finally {
        await other.close();
      }
    });

    it('schema: kwargs that do not validate fail the instance before anything is sent; a replay with valid kwargs runs', async () => {
      app.triggers.configure({
        [`${p}_typed`]: {
          after: [`${p}.form`],
          run: `${p}.Record`,
          withParams: { age: { [`${p}.form`]: 'age' } },
          schema: { type: 'object', required: ['age'], properties: { age: { type: 'integer' } } },
        },
      });
      const session = randomUUID();
      const before = recorded;
      await app.fire(`${p}.form`, { age: 'old' }, { key: session });
      const failed = (await app.triggers.instances(session)).find((i) => i.trigger === `${p}_typed`);
      expect(failed).toMatchObject({ status: 'failed', taskId: null, error: { type: 'PayloadError', message: 'kwargs are not valid: /age: must be integer (got "old")' } });
      const replayId = await app.triggers.replay(failed!.id, { age: 7 });
      await until(() => app.triggers.instances(session), (l) => l.find((i) => i.id === replayId)?.status === 'finished');
      expect(recorded).toBe(before + 1);
      expect(() => app.triggers.configure({ t_bad: { after: ['a'], run: 'X', schema: 'nope' } })).toThrow(/'schema' must be a JSON Schema object/);
    });

    it('configure() refuses unknown directives, bad values and cycles, naming the trigger', () => {
      expect(() => app.triggers.configure({ t_bad: { after: ['a'], run: 'X', every: 'b' } })).toThrow(/trigger 't_bad': unknown directive 'every'/);
      expect(() => app.triggers.configure({ t_bad: { after: [], run: 'X' } })).toThrow(TriggerConfigError);
      expect(() => app.triggers.configure({ t_bad: { after: ['a'] } })).toThrow(/'run' must name a task/);
      expect(() => app.triggers.configure({ t_a: { after: ['t_b'], run: 'X' }, t_b: { after: ['t_a'], run: 'Y' } })).toThrow(/cascade cycle runs through t_a → t_b → t_a/);
      expect(app.triggers.configured['t_a']).toBeUndefined();
    });
  });
}
