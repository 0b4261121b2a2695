/**
 * Matrix cells, direction 2: Python Celery produces (python/produce.py), the celeriac worker runs
 * ts.* tasks, and Python reads the results with its own AsyncResult/GroupResult
 * (python/read_result.py), including parent_id and children. Some cells read with celeriac too.
 */
import { describe, it } from 'vitest';
import type { DeadLetter } from '../../src/index.js';
import { ECHO_ARGS, ECHO_KWARGS, ETA_SLACK_MS } from './payloads.js';
import { pythonSide } from './python-side.js';
import { WAIT_MS, type InteropContext } from './context.js';

const get = { timeout: WAIT_MS };

/** Poll the ts queue's dead letters until the message with task id `taskId` shows up. */
async function deadLetterOf(ctx: InteropContext, taskId: string): Promise<DeadLetter> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const letters = await ctx.broker.deadLetters(ctx.combo.tsQueue);
    const found = letters.find((letter) => {
      try {
        return (JSON.parse(letter.raw) as { headers?: { id?: unknown } }).headers?.id === taskId;
      } catch {
        return false;
      }
    });
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no dead letter for task ${taskId} in ${ctx.combo.tsQueue}: ${JSON.stringify(letters)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function pythonProducerCells(ctx: InteropContext): void {
  describe.concurrent('Python producer → celeriac worker', () => {
    it('args and kwargs (unicode, floats, null, nested) arrive intact', async ({ expect }) => {
      const side = await pythonSide(ctx);
      const id = side.id('echo_kwargs', 'id');
      expect(side.task(id)).toMatchObject({ state: 'SUCCESS', value: { args: ECHO_ARGS, kwargs: ECHO_KWARGS } });
      expect(await ctx.app.asyncResult(id).get(get)).toEqual({ args: ECHO_ARGS, kwargs: ECHO_KWARGS });
    });

    it('a task sent by name only (send_task)', async ({ expect }) => {
      const side = await pythonSide(ctx);
      expect(side.task(side.id('by_name', 'id'))).toMatchObject({ state: 'SUCCESS', value: 9 });
    });

    it('countdown is honoured; an expired task is REVOKED and Python reads TaskRevokedError', async ({ expect }) => {
      const side = await pythonSide(ctx);
      const ran = side.task(side.id('countdown_expires', 'id'));
      expect(ran.state).toBe('SUCCESS');
      const ranAt = Date.parse((ran.value as { ran_at: string }).ran_at);
      expect(ranAt).toBeGreaterThanOrEqual(Date.parse(side.id('countdown_expires', 'not_before')) - ETA_SLACK_MS);
      const expired = side.task(side.id('countdown_expires', 'expired_id'));
      expect(expired).toMatchObject({ state: 'REVOKED', error: { type: 'TaskRevokedError', module: 'celery.exceptions', args: ['expired'] } });
    });

    it('priority: a prioritised message is consumed', async ({ expect }) => {
      const side = await pythonSide(ctx);
      expect(side.task(side.id('priority', 'id'))).toMatchObject({ state: 'SUCCESS', value: { args: ['prio'], queue: ctx.combo.tsQueue } });
    });

    it('chain of three with an immutable step; Python reads parent_id and children', async ({ expect }) => {
      const side = await pythonSide(ctx);
      const [a, b, c] = side.idList('chain3', 'ids') as [string, string, string];
      expect(side.task(c)).toMatchObject({ state: 'SUCCESS', value: 30, parent_id: b, children: [] });
      expect(side.task(b)).toMatchObject({ value: 20, parent_id: a, children: [c] });
      expect(side.task(a)).toMatchObject({ value: 3, parent_id: null, children: [b] });
    });

    it('group saved by Python: restored by Python and by celeriac', async ({ expect }) => {
      const side = await pythonSide(ctx);
      const groupId = side.id('group3', 'group_id');
      const ids = side.idList('group3', 'ids');
      expect(side.group(groupId)).toMatchObject({ found: true, ids, values: [2, 4, 6] });
      const restored = await ctx.app.groupResult(groupId);
      expect(restored?.results.map((r) => r.id)).toEqual(ids);
      expect(await restored?.join(get)).toEqual([2, 4, 6]);
      expect((await ctx.app.asyncResult(ids[0]!).meta())?.group_id).toBe(groupId);
    });

    it('chord', async ({ expect }) => {
      const side = await pythonSide(ctx);
      expect(side.task(side.id('chord3', 'id'))).toMatchObject({ state: 'SUCCESS', value: 12 });
    });

    if (ctx.combo.serializer === 'json') {
      it('chord inside a chain', async ({ expect }) => {
        const side = await pythonSide(ctx);
        expect(side.task(side.id('chain_chord', 'id'))).toMatchObject({ state: 'SUCCESS', value: 34 });
      });
    } else {
      it('chord inside a chain: Python writes corrupt msgpack (celery#4710); celeriac dead-letters it as bad-msgpack', async ({ expect }) => {
        const side = await pythonSide(ctx);
        const firstId = side.id('chain_chord', 'first_id');
        const letter = await deadLetterOf(ctx, firstId);
        expect(letter.reason).toMatch(/^bad-msgpack/);
        expect(await ctx.app.asyncResult(firstId).state()).toBe('PENDING');
      });
    }

    it('map, starmap and chunks', async ({ expect }) => {
      const side = await pythonSide(ctx);
      expect(side.task(side.id('map_starmap_chunks', 'map_id'))).toMatchObject({ state: 'SUCCESS', value: [3, 7] });
      expect(side.task(side.id('map_starmap_chunks', 'starmap_id'))).toMatchObject({ state: 'SUCCESS', value: [3, 7] });
      const chunks = side.group(side.id('map_starmap_chunks', 'chunks_group_id'));
      expect(chunks).toMatchObject({ found: true, values: [[2, 4], [6]] });
    });

    it('link callback gets the result; link_error errback gets the failed task id', async ({ expect }) => {
      const side = await pythonSide(ctx);
      expect(side.task(side.id('link', 'id'))).toMatchObject({ state: 'SUCCESS', value: 5 });
      expect(side.task(side.id('link', 'callback_id'))).toMatchObject({ state: 'SUCCESS', value: { args: [5, 'cb'], kwargs: {} } });
      const failedId = side.id('link_error', 'id');
      expect(side.task(failedId)).toMatchObject({ state: 'FAILURE', error: { type: 'ValueError' } });
      expect(side.task(side.id('link_error', 'errback_id'))).toMatchObject({ state: 'SUCCESS', value: `ts.on_error recorded ${failedId}`, parent_id: failedId });
    });

    it('a task that retries twice, then succeeds', async ({ expect }) => {
      const side = await pythonSide(ctx);
      expect(side.task(side.id('retry', 'id'))).toMatchObject({ state: 'SUCCESS', value: 2 });
    });

    it('a failure: Python reads builtins.ValueError with its message', async ({ expect }) => {
      const side = await pythonSide(ctx);
      expect(side.task(side.id('fail', 'id'))).toMatchObject({
        state: 'FAILURE',
        error: { type: 'ValueError', module: 'builtins', args: ['ts boom ✗'] },
      });
    });
  });
}
