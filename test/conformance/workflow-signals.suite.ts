/**
 * §W6 node types end to end, on every store/transport (memory, Redis): wait (correlation, retained
 * events, timeouts, concurrent fires), approval, timer, decision, map and the join policies.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Celeriac, Worker } from '../../src/index.js';
import { EventDataError, EventNameError, NodeNotWaitingError } from '../../src/index.js';
import { WorkflowDefinitionError } from '../../src/workflow/errors.js';
import type { NodeEvent, WorkflowRecord } from '../../src/workflow/types.js';

/** Opens an app (its own broker/backend namespace) for the suite; `fresh` gives a second process-like app on the same data. */
export interface SignalsTarget {
  app(): Celeriac;
  second(): Celeriac;
}

const node = (record: WorkflowRecord, key: string) => record.tasks.find((t) => t.key === key)!;

/** Wait until `check` holds on the run's record (event-driven: re-read on each node event). */
async function until(app: Celeriac, runId: string, check: (r: WorkflowRecord) => boolean, ms = 15_000): Promise<WorkflowRecord> {
  const end = Date.now() + ms;
  for (;;) {
    const record = await app.workflows.get(runId);
    if (check(record)) return record;
    if (Date.now() > end) throw new Error(`condition not reached: ${JSON.stringify(record.tasks.map((t) => [t.key, t.status]))}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const waiting = (key: string) => (r: WorkflowRecord) => node(r, key).status === 'progress';

/** Register the §W6 tests for one target. */
export function workflowSignalsSuite(name: string, target: SignalsTarget): void {
  describe(`workflow node types: ${name}`, () => {
    let app: Celeriac;
    let worker: Worker;
    const p = `w${randomUUID().slice(0, 6)}`;
    const ev = (base: string) => `${p}.${base}`;

    beforeAll(async () => {
      app = target.app();
      app.task('CHARGE', () => 'charged');
      app.task('ECHO', (input: unknown) => input);
      app.task('DOUBLE', (n: number) => n * 2);
      app.task('LIST', () => [3, 1, 2]);
      app.task('EMPTY', () => []);
      app.task('NOT_LIST', () => 'nope');
      app.task('BOOM', () => {
        throw new Error('boom');
      });
      app.task('FAIL_ON_2', (n: number) => {
        if (n === 2) throw new Error('two');
        return n;
      });
      app.task('CHOOSE', () => 'express');
      app.task('CHOOSE_BAD', () => 'teleport');
      app.task('SHIP', () => 'shipped');
      app.task('GATHER', (input: unknown) => input);
      worker = await app.worker({ concurrency: 16 }).start();
    });
    afterAll(async () => {
      await worker.stop();
      await app.close();
    });

    it('wait: one fire completes every run waiting on its key, none on another key; the result is the data', async () => {
      const wf = `${p}.WAIT`;
      app.workflows.define(wf, { nodes: { paid: { type: 'wait', event: ev('paid'), correlate: 'payload.order' }, after: { task: 'ECHO', after: ['paid'] } } });
      const a = await app.workflows.run(wf, { order: 7 });
      const b = await app.workflows.run(wf, { order: 7 });
      const c = await app.workflows.run(wf, { order: 8 });
      await Promise.all([a, b, c].map((run) => until(app, run.id, waiting('paid'))));
      const fired = await app.fire(ev('paid'), { amount: 10 }, { key: 7 });
      expect(fired.completed).toBe(2);
      for (const run of [a, b]) {
        const done = await run.wait({ timeout: 15_000 });
        expect(done.status).toBe('success');
        expect(node(done, 'paid').result).toEqual({ amount: 10 });
        expect(node(done, 'after').result).toEqual({ amount: 10 });
      }
      expect(node(await app.workflows.get(c.id), 'paid').status).toBe('progress');
      expect((await app.fire(ev('paid'), { amount: 3 }, { key: '8' })).completed).toBe(1);
      expect(node(await c.wait({ timeout: 15_000 }), 'paid').result).toEqual({ amount: 3 });
    });

    it('wait: an event fired during the run before the node started counts; one from before the run only with retainEvents', async () => {
      const key = randomUUID();
      await app.fire(ev('early'), { n: 'old' }, { key });
      await new Promise((r) => setTimeout(r, 5));
      const wf = `${p}.EARLY`;
      app.workflows.define(wf, {
        nodes: { gate: { type: 'approval' }, got: { type: 'wait', event: ev('early'), correlate: 'payload.key', after: ['gate'] } },
      });
      const before = await app.workflows.run(wf, { key });
      await until(app, before.id, waiting('gate'));
      await app.workflows.approve(before.id, 'gate');
      await until(app, before.id, waiting('got'));
      const during = await app.workflows.run(wf, { key });
      await until(app, during.id, waiting('gate'));
      expect((await app.fire(ev('early'), { n: 'new' }, { key })).completed).toBe(1);
      expect(node(await before.wait({ timeout: 15_000 }), 'got').result).toEqual({ n: 'new' });
      await app.workflows.approve(during.id, 'gate');
      expect(node(await during.wait({ timeout: 15_000 }), 'got').result).toEqual({ n: 'new' });
      const other = randomUUID();
      await app.fire(ev('early'), { n: 'kept' }, { key: other });
      const retained = `${p}.RETAINED`;
      app.workflows.define(retained, { nodes: { got: { type: 'wait', event: ev('early'), correlate: 'payload.key', retainEvents: 3600 } } });
      expect(node(await (await app.workflows.run(retained, { key: other })).wait({ timeout: 15_000 }), 'got').result).toEqual({ n: 'kept' });
      const notRetained = await app.fire(ev('unkept'), { n: 1 }, { key: other, retain: 0 });
      expect(notRetained.completed).toBe(0);
    });

    it('wait: a timeout fails the node with WaitTimeoutError and the run follows onFailure', async () => {
      const wf = `${p}.TIMEOUT`;
      app.workflows.define(wf, {
        nodes: { w: { type: 'wait', event: ev('never'), timeout: 0.3 }, other: { task: 'CHARGE' }, after: { task: 'ECHO', after: ['w'] } },
        onFailure: 'continue',
      });
      const done = await (await app.workflows.run(wf, {})).wait({ timeout: 15_000 });
      expect(done.status).toBe('error');
      expect(node(done, 'w')).toMatchObject({ status: 'error', error: { type: 'WaitTimeoutError' } });
      expect(node(done, 'other').status).toBe('success');
      expect(node(done, 'after').status).toBe('canceled');
      expect((await app.fire(ev('never'), {})).completed).toBe(0);
    });

    it('wait: two processes firing the same event at once complete the node once', async () => {
      const other = target.second();
      try {
        const wf = `${p}.RACE`;
        app.workflows.define(wf, { nodes: { w: { type: 'wait', event: ev('race'), correlate: 'payload.k' } } });
        other.workflows.define(wf, { nodes: { w: { type: 'wait', event: ev('race'), correlate: 'payload.k' } } });
        const runs = await Promise.all([1, 2, 3].map(() => app.workflows.run(wf, { k: 'same' })));
        await Promise.all(runs.map((run) => until(app, run.id, waiting('w'))));
        const successes: NodeEvent[] = [];
        const stop = app.workflows.on('node', (e) => {
          if (e.status === 'success' && runs.some((r) => r.id === e.runId)) successes.push(e);
        });
        const [x, y] = await Promise.all([app.fire(ev('race'), { by: 'x' }, { key: 'same' }), other.fire(ev('race'), { by: 'y' }, { key: 'same' })]);
        expect(x.completed + y.completed).toBe(3);
        for (const run of runs) expect((await run.wait({ timeout: 15_000 })).status).toBe('success');
        await new Promise((r) => setTimeout(r, 200));
        stop();
        expect(successes.filter((e) => e.node === 'w')).toHaveLength(3);
      } finally {
        await other.close();
      }
    });

    it('bad events are typed errors naming the problem', async () => {
      await expect(app.fire('bad name!', {})).rejects.toBeInstanceOf(EventNameError);
      await expect(app.fire('', {})).rejects.toThrow(/malformed/);
      await expect(app.fire(ev('x'), { f: () => 1 })).rejects.toBeInstanceOf(EventDataError);
      await expect(app.fire(ev('x'), { n: Number.NaN })).rejects.toThrow(/\/n is NaN/);
      await expect(app.fire(ev('x'), { big: 1n })).rejects.toThrow(/bigint/);
    });

    it('approval: approved with data, rejected with a reason; approving what does not wait is a typed error', async () => {
      const wf = `${p}.APPROVE`;
      app.workflows.define(wf, { nodes: { charge: { task: 'CHARGE' }, ok: { type: 'approval', after: ['charge'] }, next: { task: 'ECHO', after: ['ok'] } } });
      const yes = await app.workflows.run(wf, {});
      await expect(app.workflows.approve(yes.id, 'charge')).rejects.toBeInstanceOf(NodeNotWaitingError);
      await until(app, yes.id, waiting('ok'));
      await app.workflows.approve(yes.id, 'ok', { by: 'ada' });
      const approved = await yes.wait({ timeout: 15_000 });
      expect(node(approved, 'next').result).toEqual({ by: 'ada' });
      await expect(app.workflows.approve(yes.id, 'ok')).rejects.toThrow(/is success/);
      await expect(app.workflows.approve(yes.id, 'nope')).rejects.toThrow(/no node 'nope'/);
      const no = await app.workflows.run(wf, {});
      await until(app, no.id, waiting('ok'));
      await app.workflows.reject(no.id, 'ok', 'too expensive');
      const rejected = await no.wait({ timeout: 15_000 });
      expect(rejected.status).toBe('error');
      expect(node(rejected, 'ok').error).toMatchObject({ type: 'ApprovalRejectedError', message: 'too expensive' });
      expect(node(rejected, 'next').status).toBe('canceled');
    });

    it('timer: seconds and at: complete never before their time; an at: that is not a time fails the node', async () => {
      const wf = `${p}.TIMER`;
      app.workflows.define(wf, { nodes: { soon: { type: 'timer', seconds: 0.4 }, at: { type: 'timer', at: 'payload.when' }, both: { task: 'ECHO', after: ['soon', 'at'] } } });
      const when = new Date(Date.now() + 600).toISOString();
      const started = Date.now();
      const done = await (await app.workflows.run(wf, { when })).wait({ timeout: 15_000 });
      expect(done.status).toBe('success');
      expect(node(done, 'at').result).toBe(when);
      expect(Date.parse(node(done, 'at').finished!)).toBeGreaterThanOrEqual(Date.parse(when));
      expect(Date.parse(node(done, 'soon').finished!)).toBeGreaterThanOrEqual(started + 400);
      const bad = await (await app.workflows.run(wf, { when: 'tomorrow-ish' })).wait({ timeout: 15_000 });
      expect(node(bad, 'at')).toMatchObject({ status: 'error', error: { type: 'TimerError', message: 'at: payload.when is not an ISO time (got "tomorrow-ish")' } });
    });

    it('timer: a worker stopped while a timer is pending; a new worker fires it, once', async () => {
      const wf = `${p}.DURABLE`;
      app.workflows.define(wf, { nodes: { t: { type: 'timer', seconds: 1.5 }, after: { task: 'CHARGE', after: ['t'] } } });
      const run = await app.workflows.run(wf, {});
      await until(app, run.id, waiting('t'));
      const events: NodeEvent[] = [];
      const stop = app.workflows.on('node', (e) => {
        if (e.runId === run.id && e.node === 't') events.push(e);
      });
      await worker.stop();
      expect(node(await app.workflows.get(run.id), 't').status).toBe('progress');
      worker = await app.worker({ concurrency: 16 }).start();
      const done = await run.wait({ timeout: 15_000 });
      expect(done.status).toBe('success');
      await new Promise((r) => setTimeout(r, 300));
      stop();
      expect(events.filter((e) => e.status === 'success')).toHaveLength(1);
    });

    it('decision: the chosen branch runs, the others and what only they lead to are skipped; an unknown branch fails', async () => {
      const wf = `${p}.ROUTE`;
      app.workflows.define(wf, {
        nodes: {
          route: { type: 'decision', task: 'CHOOSE', branches: { express: ['fast'], standard: ['slow'] } },
          fast: { task: 'SHIP' },
          slow: { task: 'SHIP' },
          slow_after: { task: 'ECHO', after: ['slow'] },
          invoice: { task: 'GATHER', after: ['fast', 'slow_after'] },
        },
      });
      const done = await (await app.workflows.run(wf, {})).wait({ timeout: 15_000 });
      expect(done.status).toBe('success');
      expect(Object.fromEntries(done.tasks.map((t) => [t.key, t.status]))).toEqual({ route: 'success', fast: 'success', slow: 'skipped', slow_after: 'skipped', invoice: 'success' });
      expect(node(done, 'route').result).toBe('express');
      expect(node(done, 'invoice').result).toEqual(['shipped', null]);
      const badWf = `${p}.ROUTE_BAD`;
      app.workflows.define(badWf, { nodes: { route: { type: 'decision', task: 'CHOOSE_BAD', branches: { express: ['fast'] } }, fast: { task: 'SHIP' } } });
      const bad = await (await app.workflows.run(badWf, {})).wait({ timeout: 15_000 });
      expect(node(bad, 'route').error).toMatchObject({ type: 'UnknownBranchError', message: `decision 'route' returned "teleport", which names none of its branches (express)` });
      expect(node(bad, 'fast').status).toBe('canceled');
    });

    it('map: one task per item, results in item order; [] for an empty list; a non-list or a failed item fails the node', async () => {
      const define = (suffix: string, source: string, task = 'DOUBLE') => {
        app.workflows.define(`${p}.MAP${suffix}`, { nodes: { src: { task: source }, each: { type: 'map', task, after: ['src'] }, sum: { task: 'ECHO', after: ['each'] } } });
        return app.workflows.run(`${p}.MAP${suffix}`, {}).then((run) => run.wait({ timeout: 15_000 }));
      };
      const [ok, empty, notList, failed] = await Promise.all([define('OK', 'LIST'), define('EMPTY', 'EMPTY'), define('NOTLIST', 'NOT_LIST'), define('FAIL', 'LIST', 'FAIL_ON_2')]);
      expect(node(ok, 'each').result).toEqual([6, 2, 4]);
      expect(node(ok, 'sum').result).toEqual([6, 2, 4]);
      expect(node(empty, 'each').result).toEqual([]);
      expect(node(empty, 'sum').status).toBe('success');
      expect(node(notList, 'each').error).toMatchObject({ type: 'MapError', message: `map 'each' needs a list from 'src' (got string)` });
      expect(failed.status).toBe('error');
      expect(node(failed, 'each').error?.message).toMatch(/^item 2 failed: \w+: two/);
    });

    it('map: 1,000 items without a message that carries the list', async () => {
      app.task('MANY', () => Array.from({ length: 1000 }, (_, i) => i));
      const wf = `${p}.MAP_MANY`;
      app.workflows.define(wf, { nodes: { src: { task: 'MANY' }, each: { type: 'map', task: 'DOUBLE', after: ['src'] } } });
      const done = await (await app.workflows.run(wf, {})).wait({ timeout: 60_000 });
      expect(node(done, 'each').result).toEqual(Array.from({ length: 1000 }, (_, i) => i * 2));
    });

    it('join policies: all-success cancels on a failed parent, all-done runs after it, any-success runs on one success', async () => {
      const wf = `${p}.JOINS`;
      app.workflows.define(wf, {
        nodes: {
          good: { task: 'CHARGE' },
          bad: { task: 'BOOM' },
          strict: { task: 'GATHER', after: ['good', 'bad'] },
          lenient: { task: 'GATHER', after: ['good', 'bad'], join: 'all-done' },
          any: { task: 'GATHER', after: ['bad', 'good'], join: 'any-success' },
          none: { task: 'GATHER', after: ['bad'], join: 'any-success' },
        },
        onFailure: 'continue',
      });
      const done = await (await app.workflows.run(wf, {})).wait({ timeout: 15_000 });
      expect(Object.fromEntries(done.tasks.map((t) => [t.key, t.status]))).toMatchObject({ strict: 'canceled', lenient: 'success', any: 'success', none: 'canceled' });
      expect(node(done, 'lenient').result).toEqual(['charged', null]);
    });

    it('definitions with bad node types are refused with the key', () => {
      const bad = (nodes: Record<string, unknown>) => () => app.workflows.define(`${p}.BAD${randomUUID().slice(0, 4)}`, { nodes } as never);
      expect(bad({ a: { type: 'teleport', task: 'X' } })).toThrow(/nodes\.a\.type: unknown node type 'teleport'/);
      expect(bad({ a: { type: 'timer', seconds: 1, at: 'payload.x' } })).toThrow(/exactly one of `seconds` or `at`/);
      expect(bad({ a: { type: 'timer', at: 'tomorrow' } })).toThrow(WorkflowDefinitionError);
      expect(bad({ a: { type: 'wait', event: 'bad name' } })).toThrow(/nodes\.a\.event/);
      expect(bad({ a: { type: 'decision', task: 'X', branches: { x: ['ghost'] } } })).toThrow(/nodes\.a\.branches\.x: unknown node 'ghost'/);
      expect(bad({ a: { task: 'X', seconds: 3 } })).toThrow(/'seconds' does not apply to a task node/);
      expect(bad({ a: { type: 'map', task: 'X' } })).toThrow(/exactly one parent/);
    });
  });
}
