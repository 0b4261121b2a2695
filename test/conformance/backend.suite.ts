/**
 * The result backend conformance suite: one set of behaviours every ResultBackend adapter must show.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ResultBackend } from '../../src/backend/backend.js';
import type { TaskMeta } from '../../src/protocol/result-meta.js';

function meta(id: string, status: string, result: unknown): TaskMeta {
  return { status, result, traceback: null, children: [], date_done: status === 'STARTED' ? null : '2026-11-22T12:00:00.000000', task_id: id };
}

/** Register the backend conformance tests for one adapter. `make` opens a new handle each call. */
export function backendConformance(name: string, make: () => Promise<ResultBackend>): void {
  describe(`ResultBackend conformance: ${name}`, () => {
    const opened: ResultBackend[] = [];
    const open = async () => {
      const backend = await make();
      await backend.connect();
      opened.push(backend);
      return backend;
    };
    afterEach(async () => {
      for (const backend of opened.splice(0)) await backend.close().catch(() => undefined);
    });

    it('stores and reads metas; a missing meta is undefined', async () => {
      const backend = await open();
      const id = randomUUID();
      expect(await backend.getMeta(id)).toBeUndefined();
      const stored = { ...meta(id, 'SUCCESS', { nested: [1, 'two', null, 1.5] }), parent_id: 'p', group_id: 'g' };
      expect(await backend.storeMeta(stored)).toBe(true);
      expect(await backend.getMeta(id)).toEqual(stored);
      const other = randomUUID();
      expect(await backend.getMetas([other, id])).toEqual([undefined, stored]);
      await backend.forget(id);
      expect(await backend.getMeta(id)).toBeUndefined();
    });

    it('never overwrites a stored SUCCESS', async () => {
      const backend = await open();
      const id = randomUUID();
      await backend.storeMeta(meta(id, 'SUCCESS', 1));
      expect(await backend.storeMeta(meta(id, 'FAILURE', { exc_type: 'X', exc_message: [], exc_module: 'builtins' }))).toBe(false);
      expect((await backend.getMeta(id))?.status).toBe('SUCCESS');
      const other = randomUUID();
      await backend.storeMeta(meta(other, 'RETRY', null));
      expect(await backend.storeMeta(meta(other, 'SUCCESS', 2))).toBe(true);
    });

    it('waitFor resolves when a ready meta lands later, and ignores non-ready states', async () => {
      const backend = await open();
      const writer = await open();
      const id = randomUUID();
      const waiting = backend.waitFor(id, { timeoutMs: 5000 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      await writer.storeMeta(meta(id, 'STARTED', null));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await writer.storeMeta(meta(id, 'SUCCESS', 42));
      expect((await waiting)?.result).toBe(42);
    });

    it('waitFor returns an already stored result, and undefined on timeout or abort', async () => {
      const backend = await open();
      const id = randomUUID();
      await backend.storeMeta(meta(id, 'FAILURE', { exc_type: 'ValueError', exc_message: ['x'], exc_module: 'builtins' }));
      expect((await backend.waitFor(id, { timeoutMs: 1000 }))?.status).toBe('FAILURE');
      expect(await backend.waitFor(randomUUID(), { timeoutMs: 100 })).toBeUndefined();
      const abort = new AbortController();
      const aborted = backend.waitFor(randomUUID(), { signal: abort.signal });
      abort.abort();
      expect(await aborted).toBeUndefined();
    });

    it('many concurrent waiters all get their results', async () => {
      const backend = await open();
      const writer = await open();
      const ids = Array.from({ length: 200 }, () => randomUUID());
      const waits = ids.map((id) => backend.waitFor(id, { timeoutMs: 10_000 }));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await Promise.all(ids.map((id, i) => writer.storeMeta(meta(id, 'SUCCESS', i))));
      expect((await Promise.all(waits)).map((m) => m?.result)).toEqual(ids.map((_, i) => i));
    });

    it('several waits on one task: one giving up (timeout, abort) leaves the others waiting', async () => {
      const backend = await open();
      const writer = await open();
      const id = randomUUID();
      const short = backend.waitFor(id, { timeoutMs: 50 });
      const abort = new AbortController();
      const aborted = backend.waitFor(id, { signal: abort.signal });
      const patient = backend.waitFor(id, { timeoutMs: 5_000 });
      const alsoPatient = backend.waitFor(id);
      expect(await short).toBeUndefined();
      abort.abort();
      expect(await aborted).toBeUndefined();
      await writer.storeMeta(meta(id, 'SUCCESS', 'late'));
      expect((await patient)?.result).toBe('late');
      expect((await alsoPatient)?.result).toBe('late');
      // A new wait after the result is in reads it at once.
      expect((await backend.waitFor(id, { timeoutMs: 1_000 }))?.result).toBe('late');
    });

    it("closing a handle ends its pending waits with undefined; the stored results stay", async () => {
      const backend = await open();
      const id = randomUUID();
      const waiting = backend.waitFor(id, { timeoutMs: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 20));
      const started = Date.now();
      await backend.close();
      expect(await waiting).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(5_000);
      const writer = await open();
      await writer.storeMeta(meta(id, 'SUCCESS', 'kept'));
      expect((await writer.getMeta(id))?.result).toBe('kept');
    });

    it('stores made in the same tick apply in order, and a SUCCESS among them is never overwritten', async () => {
      const backend = await open();
      const id = randomUUID();
      const other = randomUUID();
      const replies = await Promise.all([
        backend.storeMeta(meta(id, 'STARTED', null)),
        backend.storeMeta(meta(other, 'RETRY', null)),
        backend.storeMeta(meta(id, 'SUCCESS', 'first')),
        backend.storeMeta(meta(id, 'FAILURE', { exc_type: 'X', exc_message: [], exc_module: 'builtins' })),
        backend.storeMeta(meta(other, 'SUCCESS', 'second')),
      ]);
      expect(replies).toEqual([true, true, true, false, true]);
      expect((await backend.getMeta(id))?.result).toBe('first');
      expect((await backend.getMeta(other))?.result).toBe('second');
    });

    it('saves, restores and deletes group result tuples', async () => {
      const backend = await open();
      const gid = randomUUID();
      const tuple: Parameters<ResultBackend['saveGroup']>[1] = [[gid, null], [[['a', null], null], [['b', null], null]]];
      await backend.saveGroup(gid, tuple);
      expect(await backend.restoreGroup(gid)).toEqual(tuple);
      await backend.deleteGroup(gid);
      expect(await backend.restoreGroup(gid)).toBeUndefined();
    });

    it('counts chord parts idempotently and completes once all are in, in header order', async () => {
      const backend = await open();
      const gid = randomUUID();
      await backend.setChordSize(gid, 3);
      expect(await backend.addChordPart(gid, { taskId: 't2', index: 2, state: 'SUCCESS', result: 'c' })).toEqual({ complete: false, counted: true });
      expect(await backend.addChordPart(gid, { taskId: 't2', index: 2, state: 'SUCCESS', result: 'c' })).toEqual({ complete: false, counted: false });
      expect((await backend.addChordPart(gid, { taskId: 't0', index: 0, state: 'SUCCESS', result: { a: 1 } })).complete).toBe(false);
      const done = await backend.addChordPart(gid, { taskId: 't1', index: 1, state: 'FAILURE', result: { exc_type: 'ValueError', exc_message: ['x'], exc_module: 'builtins' } });
      expect(done.complete).toBe(true);
      if (!done.complete) return;
      expect(done.parts.map((p) => [p.taskId, p.index, p.state])).toEqual([
        ['t0', 0, 'SUCCESS'],
        ['t1', 1, 'FAILURE'],
        ['t2', 2, 'SUCCESS'],
      ]);
      expect(done.parts[0]!.result).toEqual({ a: 1 });
      // The completing part (t1) claimed completion: its redelivery still sees it until the chord is
      // cleared (so a worker that died before sending the body lets the redelivery send it), while a
      // redelivery of any other part does not (so the body is sent once).
      expect((await backend.addChordPart(gid, { taskId: 't1', index: 1, state: 'FAILURE', result: null })).complete).toBe(true);
      expect((await backend.addChordPart(gid, { taskId: 't0', index: 0, state: 'SUCCESS', result: { a: 1 } })).complete).toBe(false);
      await backend.clearChord(gid);
      expect((await backend.addChordPart(gid, { taskId: 't1', index: 1, state: 'SUCCESS', result: 1 })).complete).toBe(false);
    });

    it('counts concurrent parts exactly once each: exactly one caller sees completion', async () => {
      const backend = await open();
      const other = await open();
      const gid = randomUUID();
      await backend.setChordSize(gid, 50);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => (i % 2 ? backend : other).addChordPart(gid, { taskId: `t${i}`, index: i, state: 'SUCCESS', result: i })),
      );
      const completions = results.filter((r) => r.complete);
      expect(completions).toHaveLength(1);
      const parts = completions[0]!.complete ? completions[0]!.parts : [];
      expect(parts.map((p) => p.result)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      await backend.clearChord(gid);
    });

    it('a chord without a recorded size never completes', async () => {
      const backend = await open();
      const gid = randomUUID();
      expect((await backend.addChordPart(gid, { taskId: 'x', index: 0, state: 'SUCCESS', result: 1 })).complete).toBe(false);
      await backend.clearChord(gid);
    });

    it('stores and loads canvas fragments by key', async () => {
      const backend = await open();
      const key = `celeriac-canvas-${randomUUID()}`;
      const dict = { task: 'celery.chord', args: [], kwargs: { header: { task: 'celery.group', args: [], kwargs: { tasks: [] }, options: {}, subtask_type: 'group' as const, immutable: false } }, options: { task_id: 'g' }, subtask_type: 'chord' as const, immutable: false };
      await backend.storeCanvas(key, dict);
      expect(await (await open()).loadCanvas(key)).toEqual(dict);
      expect(await backend.loadCanvas(`celeriac-canvas-${randomUUID()}`)).toBeUndefined();
    });

    it('stores a chain once and reads its steps by index', async () => {
      const backend = await open();
      const key = `celeriac-chain-${randomUUID()}`;
      const step = (i: number) => ({ task: 'inc', args: [i], kwargs: {}, options: { task_id: `t${i}` }, subtask_type: null, immutable: false });
      await backend.storeChain(key, Array.from({ length: 1_000 }, (_, i) => step(i)));
      const other = await open();
      expect(await other.loadChainSteps(key, 0, 1)).toEqual([step(0)]);
      expect(await other.loadChainSteps(key, 998, 2)).toEqual([step(998), step(999)]);
      expect(await other.loadChainSteps(key, 999, 3)).toEqual([step(999), undefined, undefined]);
      expect(await other.loadChainSteps(`celeriac-chain-${randomUUID()}`, 0, 2)).toEqual([undefined, undefined]);
      // Storing under the same key again replaces the chain.
      await backend.storeChain(key, [step(7)]);
      expect(await other.loadChainSteps(key, 0, 2)).toEqual([step(7), undefined]);
    });

    it('revocations by task id and by workflow root are seen by other handles', async () => {
      const backend = await open();
      const other = await open();
      const task = randomUUID();
      const root = randomUUID();
      await backend.revoke({ taskIds: [task], rootIds: [root] });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await other.isRevoked(task)).toBe(true);
      expect(await other.isRevoked(randomUUID(), root)).toBe(true);
      expect(await other.isRevoked(randomUUID(), randomUUID())).toBe(false);
    });
  });
}
