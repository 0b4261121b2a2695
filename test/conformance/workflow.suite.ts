/**
 * The workflow rules of WORKFLOWS.md §W2–W5, end to end through a real worker. One suite; each
 * transport runs it (memory here in test/conformance, Redis and RabbitMQ + Redis in test/integration).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentTask, type Celeriac, type Worker } from '../../src/index.js';
import { currentWorkflow } from '../../src/workflow/current.js';
import { PayloadError, UnknownRunError, UnknownWorkflowError, WorkflowStateError } from '../../src/workflow/errors.js';
import type { NodeEvent, RunEvent, WorkflowRecord } from '../../src/workflow/types.js';

/** Register the workflow rule tests; `makeApp` returns a fresh app on the transport under test. */
export function workflowConformance(name: string, makeApp: () => Celeriac): void {
  describe(`workflow rules: ${name}`, () => {
    const app = makeApp();
    const p = `t${randomUUID().slice(0, 6)}`;
    const seen = new Map<string, unknown[]>();
    const hooks: Array<{ status: string; record: WorkflowRecord }> = [];
    const gates = new Map<string, () => void>();
    let flakyFailures = 0;
    app.task('W_ECHO', (...args: unknown[]) => {
      const wf = currentWorkflow();
      seen.set(`${wf?.runId}:${wf?.node}`, [args, currentTask()?.kwargs, wf]);
      return { node: wf?.node, args };
    });
    app.task('W_ADD', (value?: unknown) => (typeof value === 'number' ? value : 0) + Number(currentTask()?.kwargs['by'] ?? 1));
    app.task('W_SUM', (values: number[]) => values.reduce((a, b) => a + b, 0));
    app.task('W_BOOM', () => {
      throw new TypeError('boom from a node');
    });
    app.task('W_FLAKY', () => {
      if (flakyFailures > 0) {
        flakyFailures -= 1;
        throw new Error('flaky');
      }
      return 'fine';
    });
    app.task('W_GATE', async () => {
      const runId = currentWorkflow()!.runId;
      await new Promise<void>((resolve) => {
        gates.set(runId, resolve);
        currentTask()!.signal.addEventListener('abort', () => resolve());
      });
      return 'opened';
    });
    app.task('W_HOOK', (record: WorkflowRecord) => {
      hooks.push({ status: record.status, record });
      return record.id;
    });
    app.task('W_RETRY', () => {
      const ctx = currentTask()!;
      if (ctx.retries < 2) ctx.retry({ countdown: 0.01 });
      return ctx.retries;
    });

    app.workflows.define(`${p}.DIRECTOR`, {
      tasks: ['W_ECHO', { NOTIFY: { type: 'group', tasks: ['W_ADD', { INNER: { type: 'chain', tasks: ['W_ECHO', 'W_ADD'] } }] } }, 'W_ECHO'],
      schema: { type: 'object', properties: { user: { type: 'integer' }, product: { type: 'integer' } }, required: ['user', 'product'] },
    });
    app.workflows.define(`${p}.DAG`, {
      nodes: {
        one: { task: 'W_ADD', kwargs: { by: 1 } },
        two: { task: 'W_ADD', kwargs: { by: 2 } },
        plus: { task: 'W_ADD', after: ['one'], kwargs: { by: 10 } },
        sum: { task: 'W_SUM', after: ['plus', 'two'] },
      },
      hooks: { success: 'W_HOOK', failure: 'W_HOOK' },
    });
    const failing = (onFailure: 'stop' | 'continue') =>
      app.workflows.define(`${p}.FAIL_${onFailure.toUpperCase()}`, {
        nodes: {
          a: { task: 'W_ADD' },
          bad: { task: 'W_BOOM', after: ['a'] },
          slow: { task: 'W_GATE', after: ['a'] },
          afterBad: { task: 'W_ADD', after: ['bad'] },
          afterSlow: { task: 'W_ADD', after: ['slow'] },
          joinAll: { task: 'W_SUM', after: ['afterBad', 'afterSlow'], join: 'all-done' },
        },
        onFailure,
        hooks: { failure: 'W_HOOK' },
      });
    failing('stop');
    failing('continue');
    app.workflows.define(`${p}.GATED`, { nodes: { gate: { task: 'W_GATE' }, next: { task: 'W_ADD', after: ['gate'] } } });
    app.workflows.define(`${p}.SHORT`, { nodes: { gate: { task: 'W_GATE' } }, maxDuration: 0.3 });
    app.workflows.define(`${p}.FLAKY`, { nodes: { a: { task: 'W_ADD' }, flaky: { task: 'W_FLAKY', after: ['a'] }, last: { task: 'W_ECHO', after: ['flaky'] } } });
    app.workflows.define(`${p}.RETRY`, { nodes: { r: { task: 'W_RETRY' } } });
    app.workflows.define(`${p}.ANY`, { nodes: { bad: { task: 'W_BOOM' }, good: { task: 'W_ADD' }, any: { task: 'W_ECHO', after: ['bad', 'good'], join: 'any-success' } }, onFailure: 'continue' });

    let worker: Worker;
    beforeAll(async () => {
      worker = await app.worker({ concurrency: 8 }).start();
    });
    afterAll(async () => {
      for (const open of gates.values()) open();
      await worker.stop({ timeoutMs: 2000 });
      await app.close();
    });
    const T = { timeout: 10_000 };
    const byKey = (record: WorkflowRecord) => Object.fromEntries(record.tasks.map((task) => [task.key, task]));
    const waitUntil = async (check: () => boolean | Promise<boolean>, ms = 5000) => {
      const end = Date.now() + ms;
      while (!(await check()) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      expect(await check()).toBe(true);
    };

    it('validates the payload before anything is stored, listing every problem', async () => {
      const before = (await app.workflows.list({ name: `${p}.DIRECTOR` })).items.length;
      const error = await app.workflows.run(`${p}.DIRECTOR`, { user: 'john', product: 'x' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PayloadError);
      expect((error as PayloadError).problems.map((problem) => [problem.path, problem.value])).toEqual([['/user', 'john'], ['/product', 'x']]);
      expect(String((error as PayloadError).message)).toContain('/user: must be integer (got "john")');
      await expect(app.workflows.run(`${p}.DIRECTOR`, [1, 2])).rejects.toThrow(/must be a JSON object/);
      await expect(app.workflows.run(`${p}.NOPE`, {})).rejects.toBeInstanceOf(UnknownWorkflowError);
      expect((await app.workflows.list({ name: `${p}.DIRECTOR` })).items.length).toBe(before);
    });

    it("passes results per §W3 and gives every task the payload and workflow_id (Director's form)", async () => {
      const run = await app.workflows.run(`${p}.DIRECTOR`, { user: 1, product: 2 }, { comment: 'first' });
      const record = await run.wait(T);
      expect(record).toMatchObject({ id: run.id, project: p, name: 'DIRECTOR', fullname: `${p}.DIRECTOR`, status: 'success', payload: { user: 1, product: 2 }, comment: 'first', periodic: false });
      const nodes = byKey(record);
      expect(record.tasks.map((task) => task.key)).toEqual(['W_ECHO', 'W_ADD', 'W_ECHO#2', 'W_ADD#2', 'W_ECHO#3']);
      expect(nodes['W_ECHO']!.result).toEqual({ node: 'W_ECHO', args: [] });
      // The group member gets the previous node's result; the chain inside the group passes along.
      expect(nodes['W_ECHO#2']!.result).toEqual({ node: 'W_ECHO#2', args: [{ node: 'W_ECHO', args: [] }] });
      expect(nodes['W_ADD#2']!.previous).toEqual([nodes['W_ECHO#2']!.id]);
      // After the group: the list of its members' results, in member order.
      const [args, kwargs, wf] = seen.get(`${run.id}:W_ECHO#3`) as [unknown[], Record<string, unknown>, ReturnType<typeof currentWorkflow>];
      expect(args).toEqual([[nodes['W_ADD']!.result, nodes['W_ADD#2']!.result]]);
      expect(kwargs).toMatchObject({ payload: { user: 1, product: 2 }, workflow_id: run.id });
      expect(wf).toMatchObject({ runId: run.id, fullname: `${p}.DIRECTOR`, node: 'W_ECHO#3', payload: { user: 1, product: 2 } });
      for (const task of record.tasks) expect(task).toMatchObject({ status: 'success', error: null, retries: 0 });
      expect(record.tasks.every((task) => task.started !== null && task.finished !== null)).toBe(true);
    });

    it('passes several parents as a list in `after:` order, kwargs added; the success hook runs once', async () => {
      const record = await (await app.workflows.run(`${p}.DAG`, {})).wait(T);
      expect(record.status).toBe('success');
      const nodes = byKey(record);
      expect([nodes['one']!.result, nodes['two']!.result, nodes['plus']!.result, nodes['sum']!.result]).toEqual([1, 2, 11, 13]);
      await waitUntil(() => hooks.some((hook) => hook.record.id === record.id));
      await new Promise((r) => setTimeout(r, 100));
      const mine = hooks.filter((hook) => hook.record.id === record.id);
      expect(mine).toHaveLength(1);
      expect(mine[0]!.status).toBe('success');
    });

    it('onFailure stop: the run errors, nothing new starts, pending nodes are canceled, the failure hook runs once', async () => {
      const run = await app.workflows.run(`${p}.FAIL_STOP`, {});
      const record = await run.wait(T);
      expect(record.status).toBe('error');
      const nodes = byKey(record);
      expect(nodes['bad']).toMatchObject({ status: 'error', error: { type: 'TypeError', message: 'boom from a node' } });
      expect(nodes['bad']!.error!.traceback).toContain('boom from a node');
      expect(nodes['afterBad']!.status).toBe('canceled');
      expect(nodes['joinAll']!.status).toBe('canceled');
      await waitUntil(() => gates.has(run.id));
      gates.get(run.id)!();
      await waitUntil(async () => byKey(await app.workflows.get(run.id))['slow']!.status === 'success');
      const after = byKey(await app.workflows.get(run.id));
      expect(after['afterSlow']!.status).toBe('canceled');
      expect((await app.workflows.get(run.id)).status).toBe('error');
      await waitUntil(() => hooks.some((hook) => hook.record.id === run.id));
      expect(hooks.filter((hook) => hook.record.id === run.id).map((hook) => hook.status)).toEqual(['error']);
    });

    it('onFailure continue: independent branches go on; an all-done join still runs', async () => {
      const run = await app.workflows.run(`${p}.FAIL_CONTINUE`, {});
      await waitUntil(() => gates.has(run.id));
      expect((await app.workflows.get(run.id)).status).toBe('progress');
      gates.get(run.id)!();
      const record = await run.wait(T);
      const nodes = byKey(record);
      expect(record.status).toBe('error');
      expect(nodes['afterBad']!.status).toBe('canceled');
      expect(nodes['afterSlow']).toMatchObject({ status: 'success', result: 1 });
      expect(nodes['joinAll']!.status).toBe('success');
    });

    it('any-success runs a join as soon as one parent succeeded', async () => {
      const record = await (await app.workflows.run(`${p}.ANY`, {})).wait(T);
      expect(byKey(record)['any']!.status).toBe('success');
      expect(record.status).toBe('error');
    });

    it('a retried node keeps its run waiting and records its retries', async () => {
      const record = await (await app.workflows.run(`${p}.RETRY`, {})).wait(T);
      expect(byKey(record)['r']).toMatchObject({ status: 'success', result: 2, retries: 2 });
    });

    it('cancel revokes running nodes, starts nothing new, and is idempotent', async () => {
      const run = await app.workflows.run(`${p}.GATED`, {});
      await waitUntil(() => gates.has(run.id));
      const canceled = await app.workflows.cancel(run.id);
      expect(canceled).toMatchObject({ changed: true, status: 'canceled' });
      expect(canceled.revoked).toHaveLength(1);
      const record = await run.wait(T);
      expect(record.status).toBe('canceled');
      expect(byKey(record)['next']!.status).toBe('canceled');
      expect(await app.workflows.cancel(run.id)).toEqual({ changed: false, status: 'canceled', revoked: [] });
      await expect(app.workflows.cancel(randomUUID())).rejects.toBeInstanceOf(UnknownRunError);
    });

    it('maxDuration ends a run in error and revokes what runs', async () => {
      const record = await (await app.workflows.run(`${p}.SHORT`, {})).wait(T);
      expect(record.status).toBe('error');
      expect(byKey(record)['gate']).toMatchObject({ status: 'canceled', error: { type: 'WorkflowTimeoutError' } });
    });

    it('resume reruns only failed and canceled nodes in the same run; relaunch makes a new run', async () => {
      flakyFailures = 1;
      const run = await app.workflows.run(`${p}.FLAKY`, { k: 1 }, { comment: 'again' });
      const failed = await run.wait(T);
      expect(failed.status).toBe('error');
      const before = byKey(failed);
      await expect(app.workflows.resume(randomUUID())).rejects.toBeInstanceOf(UnknownRunError);
      const resumed = await (await app.workflows.resume(run.id)).wait(T);
      const after = byKey(resumed);
      expect(resumed.status).toBe('success');
      expect(after['a']!.id).toBe(before['a']!.id);
      expect(after['flaky']!.id).not.toBe(before['flaky']!.id);
      expect(after['last']!.result).toEqual({ node: 'last', args: ['fine'] });
      await expect(app.workflows.resume(run.id)).rejects.toBeInstanceOf(WorkflowStateError);
      const relaunched = await app.workflows.relaunch(run.id);
      expect(relaunched.id).not.toBe(run.id);
      expect(await relaunched.wait(T)).toMatchObject({ status: 'success', payload: { k: 1 }, comment: 'again' });
    });

    it('a redelivered completion starts no child twice and counts no join twice', async () => {
      const { engine } = await (app as unknown as { workflowRuntime: { connect(): Promise<{ engine: import('../../src/workflow/engine/engine.js').WorkflowEngine }> } }).workflowRuntime.connect();
      const run = await app.workflows.run(`${p}.DAG`, {});
      const record = await run.wait(T);
      const nodes = byKey(record);
      const one = nodes['one']!;
      await engine.nodeSucceeded(run.id, 'one', one.id, 999, 0);
      await engine.nodeSucceeded(run.id, 'plus', nodes['plus']!.id, 999, 0);
      await new Promise((r) => setTimeout(r, 200));
      const again = byKey(await app.workflows.get(run.id));
      expect(again['one']!.result).toBe(1);
      expect(again['sum']!.result).toBe(13);
      expect(again['sum']!.id).toBe(nodes['sum']!.id);
    });

    it('emits run and node events through the backend; events({ runId }) ends with the run', async () => {
      const runs: RunEvent[] = [];
      const nodes: NodeEvent[] = [];
      const offRun = app.workflows.on('run', (event) => runs.push(event));
      const offNode = app.workflows.on('node', (event) => nodes.push(event));
      await new Promise((r) => setTimeout(r, 100));
      const run = await app.workflows.run(`${p}.DAG`, {});
      const iterated: string[] = [];
      for await (const event of app.workflows.events({ runId: run.id })) iterated.push(event.kind === 'run' ? `run:${event.status}` : `${event.node}:${event.status}`);
      expect(iterated[iterated.length - 1]).toBe('run:success');
      await waitUntil(() => runs.some((event) => event.runId === run.id && event.status === 'success'));
      offRun();
      offNode();
      expect(runs.filter((event) => event.runId === run.id).map((event) => `${event.previous}>${event.status}`)).toEqual(['null>pending', 'pending>progress', 'progress>success']);
      const sum = nodes.filter((event) => event.runId === run.id && event.node === 'sum').map((event) => event.status);
      expect(sum).toEqual(['queued', 'progress', 'success']);
      const done = await app.workflows.events({ runId: run.id }).next();
      expect(done.done).toBe(true);
    });

    it('lists runs newest first with filters and cursor paging', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        ids.push((await app.workflows.run(`${p}.GATED`, {}, { comment: `n${i}` })).id);
        await new Promise((r) => setTimeout(r, 3));
      }
      const seenIds: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await app.workflows.list({ name: `${p}.GATED`, limit: 2, ...(cursor ? { cursor } : {}) });
        seenIds.push(...page.items.map((item) => item.id));
        cursor = page.cursor;
      } while (cursor);
      expect(seenIds.slice(0, 5)).toEqual([...ids].reverse());
      expect(new Set(seenIds).size).toBe(seenIds.length);
      const all = await app.workflows.list({ project: p, withPayload: false, limit: 1000 });
      expect(all.items.every((item) => item.payload === undefined)).toBe(true);
      for (const id of ids) await app.workflows.cancel(id);
      await expect(app.workflows.get(randomUUID())).rejects.toBeInstanceOf(UnknownRunError);
    });
  });
}
