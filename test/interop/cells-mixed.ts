/**
 * Matrix cells that cross the language boundary inside one workflow: a chain alternating py.* and
 * ts.* steps (each routed to its own language's queue), errbacks in the other language, and a
 * chord whose header parts run in both. Each is produced once by celeriac and once by Python.
 */
import { randomUUID } from 'node:crypto';
import { describe, it } from 'vitest';
import { chain, chord, RemoteTaskError, type AsyncResult } from '../../src/index.js';
import { comboApp } from './combos.js';
import { pyTasks, registerTsTasks } from './ts-tasks.js';
import { pythonRead } from './harness.js';
import { pythonSide } from './python-side.js';
import { WAIT_MS, type InteropContext } from './context.js';

const get = { timeout: WAIT_MS };

/** Every handle from the first step to `last`, following `.parent`. */
function lineage(last: AsyncResult<unknown>): Array<AsyncResult<unknown>> {
  const steps: Array<AsyncResult<unknown>> = [];
  for (let r: AsyncResult<unknown> | undefined = last; r; r = r.parent) steps.unshift(r);
  return steps;
}

export function mixedCells(ctx: InteropContext): void {
  describe.concurrent('mixed Python/celeriac workflows', () => {
    it('celeriac producer: chain py → ts → py → ts completes; both languages read every step', async ({ expect }) => {
      const { py, ts } = ctx;
      const r = await chain(py.add([1, 2]), ts.mul.s(10), py.add([5]), ts.add.s(1)).applyAsync();
      expect(await r.get(get)).toBe(36);
      const steps = lineage(r);
      expect(await Promise.all(steps.map((s) => s.get(get)))).toEqual([3, 30, 35, 36]);
      const ids = steps.map((s) => s.id);
      const python = await pythonRead(ctx.env, ids.map((id) => ({ id, kind: 'task' as const, timeout: 10 })));
      expect(python.map((p) => p.value)).toEqual([3, 30, 35, 36]);
      expect(python.map((p) => p.parent_id)).toEqual([null, ...ids.slice(0, -1)]);
      expect(python.map((p) => p.children)).toEqual([...ids.slice(1).map((id) => [id]), []]);
    });

    it('Python producer: chain py → ts → py → ts completes; both languages read every step', async ({ expect }) => {
      const side = await pythonSide(ctx);
      const ids = side.idList('mixed_chain', 'ids');
      expect(ids.map((id) => side.task(id).value)).toEqual([3, 30, 35, 36]);
      expect(ids.map((id) => side.task(id).parent_id)).toEqual([null, ...ids.slice(0, -1)]);
      expect(await Promise.all(ids.map((id) => ctx.app.asyncResult(id).get(get)))).toEqual([3, 30, 35, 36]);
      expect((await ctx.app.asyncResult(ids[0]!).children()).map((c) => c.id)).toEqual([ids[1]]);
    });

    it('celeriac producer: errbacks across languages get the failed task id', async ({ expect }) => {
      const { py, ts, app } = ctx;
      const tsErrback = randomUUID();
      const pyErrback = randomUUID();
      const pyFailed = await py.fail(['py boom']).linkError(ts.onError.s().set({ taskId: tsErrback })).applyAsync();
      const tsFailed = await ts.fail.s('ts boom').linkError(py.onError([], { taskId: pyErrback })).applyAsync();
      expect(await app.asyncResult(tsErrback).get(get)).toBe(`ts.on_error recorded ${pyFailed.id}`);
      expect(await app.asyncResult(pyErrback).get(get)).toBe(`py.on_error recorded ${tsFailed.id}`);
      for (const failed of [pyFailed, tsFailed]) {
        const error = await failed.get(get).then(() => undefined, (e: unknown) => e);
        expect(error).toBeInstanceOf(RemoteTaskError);
        expect(error).toMatchObject({ excType: 'ValueError', excModule: 'builtins' });
      }
    });

    it('Python producer: errbacks across languages get the failed task id', async ({ expect }) => {
      const side = await pythonSide(ctx);
      const ids = side.ids('mixed_errbacks') as Record<string, string>;
      expect(side.task(ids['ts_errback_id']!)).toMatchObject({ state: 'SUCCESS', value: `ts.on_error recorded ${ids['py_failed_id']}` });
      expect(side.task(ids['py_errback_id']!)).toMatchObject({ state: 'SUCCESS', value: `py.on_error recorded ${ids['ts_failed_id']}` });
      expect(side.task(ids['ts_failed_id']!)).toMatchObject({ state: 'FAILURE', error: { type: 'ValueError', args: ['ts boom'] } });
    });

    it('celeriac producer: chord with header parts in both languages', async ({ expect }) => {
      const { py, ts } = ctx;
      const r = await chord([py.add([1, 1]), ts.add.s(2, 2), py.add([3, 3])], ts.xsum.s()).applyAsync();
      expect(await r.get(get)).toBe(12);
    });

    it("celeriac producer with continuations { referenceQueues: [ts] }: a long chain through a Python step keeps Celery's format and completes", async ({ expect }) => {
      const { combo } = ctx;
      // A second producer on the same broker and backend whose only celeriac-only queue is ts.
      const producer = comboApp(combo, { continuations: { referenceQueues: [combo.tsQueue] } });
      try {
        const ts = registerTsTasks(producer, combo.tsQueue);
        const py = pyTasks(producer);
        const ones = (n: number) => Array.from({ length: n }, () => ts.add.s(1));
        // 2, +20, +5 in Python, +20: a cursor anywhere before the Python step would strand it.
        const mixed = await chain(ts.add.s(1, 1), ...ones(20), py.add([5]), ...ones(20)).applyAsync();
        expect(await mixed.get(get)).toBe(47);
        const tsOnly = await chain(ts.add.s(1, 1), ...ones(40)).applyAsync();
        expect(await tsOnly.get(get)).toBe(42);
        const [python] = await pythonRead(ctx.env, [{ id: mixed.id, kind: 'task', timeout: 10 }]);
        expect(python).toMatchObject({ state: 'SUCCESS', value: 47 });
      } finally {
        await producer.close();
      }
    });

    it('Python producer: chord with header parts in both languages', async ({ expect }) => {
      const side = await pythonSide(ctx);
      expect(side.task(side.id('mixed_chord', 'id'))).toMatchObject({ state: 'SUCCESS', value: 12 });
    });
  });
}
