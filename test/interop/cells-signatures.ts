/**
 * Matrix cells for signature dicts that cross languages and are rebuilt on the other side (what
 * Celery's `test_rebuild_nested_*` cases exercise): a chord whose header is a chain. Celery's
 * `chord()` takes a chain header's steps as the header's parallel members, and Python sends a
 * chord's header as a plain list of signatures; celeriac must read both the same way.
 */
import { describe, it } from 'vitest';
import { chain, chord } from '../../src/index.js';
import { pythonRead } from './harness.js';
import { pythonSide } from './python-side.js';
import { WAIT_MS, type InteropContext } from './context.js';

const get = { timeout: WAIT_MS };

export function signatureCells(ctx: InteropContext): void {
  describe.concurrent('signature dicts rebuilt across languages', () => {
    it('celeriac producer: a chord with a chain header runs its steps as header members; Python rebuilds the same dict to the same result', async ({ expect }) => {
      const { py, ts } = ctx;
      const made = chord(chain(ts.add.s(1, 1), py.add([2, 2])), py.xsum());
      expect(made.header.tasks).toHaveLength(2);
      const direct = await made.applyAsync();
      expect(await direct.get(get)).toBe(6);
      const rebuilt = await py.runSignature([JSON.parse(JSON.stringify(made.toJSON()))]).applyAsync();
      expect(await rebuilt.get(get)).toBe(6);
      const [python] = await pythonRead(ctx.env, [{ id: direct.id, kind: 'task', timeout: 10 }]);
      expect(python).toMatchObject({ state: 'SUCCESS', value: 6 });
    });

    it("Python producer: Python's chord-with-chain-header dict (a list header) is rebuilt and run by a celeriac task", async ({ expect }) => {
      const side = await pythonSide(ctx);
      const id = side.id('rebuild_chord_chain', 'id');
      expect(side.task(id)).toMatchObject({ state: 'SUCCESS', value: 6 });
      expect(await ctx.app.asyncResult(id).get(get)).toBe(6);
    });
  });
}
