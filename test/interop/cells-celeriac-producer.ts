/**
 * Matrix cells, direction 1: celeriac produces, the Python Celery worker runs py.* tasks, and
 * celeriac reads the results (AsyncResult, GroupResult, parent, children); a group saved by
 * celeriac is also restored by Python's GroupResult.
 */
import { randomUUID } from 'node:crypto';
import { describe, it } from 'vitest';
import { chain, chord, Chunks, group, RemoteTaskError, XMap, XStarmap } from '../../src/index.js';
import { pythonRead } from './harness.js';
import { ECHO_ARGS, ECHO_KWARGS, ETA_SLACK_MS } from './payloads.js';
import { WAIT_MS, type InteropContext } from './context.js';

const get = { timeout: WAIT_MS };

/** ISO-8601 as Celery 5.2.6 needs it: 6 fractional digits (its parser reads them as µs) and +00:00. */
const CELERY_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/;

/** The error a failed `get()` threw. */
async function failureOf(promise: Promise<unknown>): Promise<RemoteTaskError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof RemoteTaskError)) throw new Error(`expected a RemoteTaskError, got ${String(error)}`);
  return error;
}

export function celeriacProducerCells(ctx: InteropContext): void {
  describe.concurrent('celeriac producer → Python worker', () => {
    it('args and kwargs (unicode, floats, null, nested) arrive intact', async ({ expect }) => {
      const r = await ctx.app.signature('py.echo', ECHO_ARGS, ECHO_KWARGS).applyAsync();
      expect(await r.get(get)).toEqual({ args: ECHO_ARGS, kwargs: ECHO_KWARGS });
    });

    it('a task sent by name only', async ({ expect }) => {
      const r = await ctx.app.sendTask<number>('py.add', [2, 3]);
      expect(await r.get(get)).toBe(5);
    });

    it('countdown is honoured, expires is carried; an expired task is REVOKED', async ({ expect }) => {
      const ran = await ctx.app.sendTask<Record<string, string>>('py.info', ['countdown'], {}, { countdown: 1, expires: 60 });
      const expired = await ctx.app.sendTask('py.add', [1, 1], {}, { countdown: 1.5, expires: 0.5 });
      const info = await ran.get(get);
      expect(info['eta']).toMatch(CELERY_ISO);
      expect(info['expires']).toMatch(CELERY_ISO);
      expect(Date.parse(info['ran_at']!)).toBeGreaterThanOrEqual(Date.parse(info['eta']!) - ETA_SLACK_MS);
      const error = await failureOf(expired.get(get));
      expect(error).toMatchObject({ excType: 'TaskRevokedError', excModule: 'celery.exceptions', excArgs: ['expired'], state: 'REVOKED' });
    });

    it('eta given as a Date is sent in Celery\'s format and honoured', async ({ expect }) => {
      const eta = new Date(Date.now() + 1_000);
      const info = await (await ctx.app.sendTask<Record<string, string>>('py.info', ['eta'], {}, { eta })).get(get);
      expect.soft(info['eta']).toMatch(CELERY_ISO);
      expect(Date.parse(info['ran_at']!)).toBeGreaterThanOrEqual(eta.getTime() - ETA_SLACK_MS);
    });

    it('priority reaches the Python worker', async ({ expect }) => {
      const r = await ctx.app.sendTask<Record<string, unknown>>('py.info', ['priority'], {}, { priority: 5 });
      expect(await r.get(get)).toMatchObject({ priority: 5, queue: ctx.combo.pyQueue });
    });

    it('chain of three with an immutable step; parent and children read back', async ({ expect }) => {
      const { py, app } = ctx;
      const r = await chain(py.add([1, 2]), py.mul([4, 5]).asImmutable(), py.add([10])).applyAsync();
      expect(await r.get(get)).toBe(30);
      const middle = r.parent!;
      const first = middle.parent!;
      expect([await first.get(get), await middle.get(get)]).toEqual([3, 20]);
      expect((await app.asyncResult(first.id).children()).map((c) => c.id)).toEqual([middle.id]);
      expect((await app.asyncResult(r.id).fetchParent())?.id).toBe(middle.id);
      expect((await app.asyncResult(middle.id).meta())?.parent_id).toBe(first.id);
    });

    it('group; saved by celeriac, restored by celeriac and by Python', async ({ expect }) => {
      const { py, app } = ctx;
      const gr = await group(py.add([1, 1]), py.add([2, 2]), py.add([3, 3])).applyAsync();
      expect(await gr.join(get)).toEqual([2, 4, 6]);
      await gr.save();
      const restored = await app.groupResult(gr.id);
      expect(restored?.results.map((r) => r.id)).toEqual(gr.results.map((r) => r.id));
      expect(await restored?.join(get)).toEqual([2, 4, 6]);
      const [python] = await pythonRead(ctx.env, [{ id: gr.id, kind: 'group', timeout: 10 }]);
      expect(python).toMatchObject({ found: true, ids: gr.results.map((r) => r.id), values: [2, 4, 6] });
    });

    it('chord', async ({ expect }) => {
      const { py } = ctx;
      const r = await chord([py.add([1, 1]), py.add([2, 2]), py.add([3, 3])], py.xsum()).applyAsync();
      expect(await r.get(get)).toBe(12);
    });

    it('chord inside a chain (valid msgpack from celeriac, expanded by Python)', async ({ expect }) => {
      const { py } = ctx;
      const r = await chain(py.add([1, 1]), group(py.add([10]), py.add([20])), py.xsum()).applyAsync();
      expect(await r.get(get)).toBe(34);
    });

    it('map, starmap and chunks', async ({ expect }) => {
      const { py } = ctx;
      const mapped = await new XMap<number>(py.xsum(), [[1, 2], [3, 4]]).applyAsync();
      const starmapped = await new XStarmap<number>(py.add(), [[1, 2], [3, 4]]).applyAsync();
      const chunked = await new Chunks<number>(py.add(), [[1, 1], [2, 2], [3, 3]], 2).applyAsync();
      expect(await mapped.get(get)).toEqual([3, 7]);
      expect(await starmapped.get(get)).toEqual([3, 7]);
      expect(await chunked.join(get)).toEqual([[2, 4], [6]]);
    });

    it('link callback gets the result; linkError errback gets the failed task id', async ({ expect }) => {
      const { py, app } = ctx;
      const callbackId = randomUUID();
      const errbackId = randomUUID();
      const ok = await py.add([2, 3]).link(py.echo(['cb'], { taskId: callbackId })).applyAsync();
      const failed = await py.fail(['py boom']).linkError(py.onError([], { taskId: errbackId })).applyAsync();
      expect(await ok.get(get)).toBe(5);
      expect(await app.asyncResult(callbackId).get(get)).toEqual({ args: [5, 'cb'], kwargs: {} });
      expect(await failureOf(failed.get(get))).toMatchObject({ excType: 'ValueError' });
      expect(await app.asyncResult(errbackId).get(get)).toBe(`py.on_error recorded ${failed.id}`);
    });

    it('a task that retries twice, then succeeds', async ({ expect }) => {
      const r = await ctx.app.sendTask<number>('py.retry_then_ok');
      expect(await r.get(get)).toBe(2);
    });

    it('a ts.* task sent to the Python queue fails with NotRegistered (why each language gets its own queue)', async ({ expect }) => {
      const r = await ctx.app.sendTask('ts.add', [1, 1], {}, { queue: ctx.combo.pyQueue });
      const error = await failureOf(r.get(get));
      expect(error).toMatchObject({ excType: 'NotRegistered', excModule: 'celery.exceptions', excArgs: ['ts.add'], state: 'FAILURE' });
    });

    it('a failure: type, module, message and traceback readable in celeriac', async ({ expect }) => {
      const r = await ctx.app.sendTask('py.fail', ['py boom ✗']);
      const error = await failureOf(r.get(get));
      expect(error).toMatchObject({ excType: 'ValueError', excModule: 'builtins', excArgs: ['py boom ✗'], state: 'FAILURE', taskId: r.id });
      expect(error.remoteTraceback).toContain('ValueError: py boom ✗');
      expect(await r.state()).toBe('FAILURE');
    });
  });
}
