/**
 * Matrix cells for `replace()` and chord details across languages: a celeriac task replacing itself inside a
 * Python-built workflow, and a Python task replacing itself (Celery's `Task.replace`) inside a
 * celeriac-built one. Chains go on after the replacement, chord header parts count once, a group
 * replacement is joined into a list, and callbacks survive. Chords a Python client sends to
 * celeriac workers complete as Celery's Redis backend completes them (errback group in a failed
 * body's children, a saved header group joined along its structure).
 */
import { describe, it } from 'vitest';
import { chain, chord, type AsyncResult } from '../../src/index.js';
import { pythonRead } from './harness.js';
import { pythonSide } from './python-side.js';
import { WAIT_MS, type InteropContext } from './context.js';

const get = { timeout: WAIT_MS };

function lineage(last: AsyncResult<unknown>): string[] {
  const ids: string[] = [];
  for (let r: AsyncResult<unknown> | undefined = last; r; r = r.parent) ids.unshift(r.id);
  return ids;
}

export function replaceCells(ctx: InteropContext): void {
  describe.concurrent('replace across languages', () => {
    it('celeriac producer: a Python step replaced by py.add; the chain goes on in celeriac; Python reads every step', async ({ expect }) => {
      const { py, ts } = ctx;
      const r = await chain(ts.add.s(1, 1), py.addReplaced([10]), ts.add.s(100)).applyAsync();
      expect(await r.get(get)).toBe(112);
      const python = await pythonRead(ctx.env, lineage(r).map((id) => ({ id, kind: 'task' as const, timeout: 10 })));
      expect(python.map((p) => p.value)).toEqual([2, 12, 112]);
    });

    it('celeriac producer: chord header parts replaced in Python (a task, a group) count once each', async ({ expect }) => {
      const { py, ts } = ctx;
      const r = await chord([py.addReplaced([1, 2]), ts.add.s(3, 4), py.addToAll([[1, 2], 10]), ts.addToAll.si([5], 1)], ts.echo.s()).applyAsync();
      const { args } = (await r.get(get)) as unknown as { args: [[number, number, number[], number[]]] };
      const [replaced, plain, pyGroup, tsGroup] = args[0];
      expect([replaced, plain, tsGroup]).toEqual([3, 7, [6]]);
      // Celery 5.2.6's own group replacement gives every member the replaced task's group_index, so
      // Python's join orders equal scores by their encoded bytes: compare as a set.
      expect([...pyGroup].sort()).toEqual([11, 12]);
    });

    it('celeriac producer: group replacements in both languages are joined for the next step', async ({ expect }) => {
      const { py, ts } = ctx;
      expect(await (await chain(py.addToAll([[1, 2, 3], 10]), ts.xsum.s()).applyAsync()).get(get)).toBe(36);
      expect(await (await chain(ts.addToAll.si([1, 2], 10), py.xsum()).applyAsync()).get(get)).toBe(23);
    });

    it("Python producer: a failed chord body's children hold its errback group (as Celery's Redis backend)", async ({ expect }) => {
      const side = await pythonSide(ctx);
      const { id, errback_id: errbackId } = side.ids('chord_on_error') as Record<string, string>;
      const body = side.task(id!);
      expect(body).toMatchObject({ state: 'FAILURE', error: { type: 'ChordError' } });
      expect(body.children).toEqual([{ group: expect.any(String), ids: [errbackId] }]);
      expect(side.task(errbackId!)).toMatchObject({ state: 'SUCCESS', value: `ts.on_error recorded ${id}` });
    });

    // JSON only: with msgpack, Python corrupts a message that embeds a group signature (celery#4710,
    // covered by the "chord inside a chain" cell).
    if (ctx.combo.serializer === 'json') {
      it('Python producer: a header chain ending in a group (saved by Python) gives the body [[42, 42]]', async ({ expect }) => {
        const side = await pythonSide(ctx);
        expect(side.task(side.id('chord_group_tail', 'id'))).toMatchObject({ state: 'SUCCESS', value: [[42, 42]] });
      });
    }

    it("celeriac producer: an error naming a Python exception class (excModule) is raised as that class in Python", async ({ expect }) => {
      const failed = await ctx.ts.failExpected.delay('as expected');
      await failed.get({ ...get, propagate: false });
      const [python] = await pythonRead(ctx.env, [{ id: failed.id, kind: 'task', timeout: 10 }]);
      expect(python).toMatchObject({ state: 'FAILURE', error: { type: 'ExpectedError', module: 'interop_tasks', args: ['as expected'] } });
    });

    it('Python producer: a celeriac step replaced by ts.add; the Python chain goes on', async ({ expect }) => {
      const side = await pythonSide(ctx);
      const ids = side.idList('replace_chain', 'ids');
      expect(ids.map((id) => side.task(id).value)).toEqual([2, 12, 112]);
      expect(await ctx.app.asyncResult(ids[2]!).get(get)).toBe(112);
    });

    it('Python producer: chord header parts replaced in celeriac (a task, a group) count once each', async ({ expect }) => {
      const side = await pythonSide(ctx);
      expect(side.task(side.id('replace_chord', 'id'))).toMatchObject({ state: 'SUCCESS', value: { args: [[3, 7, [11, 12]]], kwargs: {} } });
    });

    it('Python producer: a celeriac group replacement is joined; a replaced task keeps its Python callback', async ({ expect }) => {
      const side = await pythonSide(ctx);
      expect(side.task(side.id('replace_group_link', 'id'))).toMatchObject({ state: 'SUCCESS', value: 36 });
      expect(side.task(side.id('replace_group_link', 'linked_id'))).toMatchObject({ state: 'SUCCESS', value: 5 });
      expect(side.task(side.id('replace_group_link', 'callback_id'))).toMatchObject({ state: 'SUCCESS', value: 6 });
    });
  });
}
