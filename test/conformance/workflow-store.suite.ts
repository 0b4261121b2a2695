/**
 * The WorkflowStore contract, run on every adapter (memory, Redis): atomic, conditional state
 * changes that make advancing exactly-once, the run index with cursor paging, retention, events.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunMeta, WorkflowStore } from '../../src/workflow/store/store.js';
import type { WorkflowEvent } from '../../src/workflow/types.js';

const graph = { nodes: [{ key: 'a', task: 'A', after: [], input: 'none', kwargs: {}, queue: undefined, join: 'all-success', path: [] }] } as const;

/** Register the store conformance tests for one adapter. */
export function workflowStoreConformance(name: string, makeStore: () => Promise<WorkflowStore>): void {
  describe(`workflow store: ${name}`, () => {
    let store: WorkflowStore;
    const project = `p${randomUUID().slice(0, 8)}`;
    let clock = 1_700_000_000_000;
    const meta = (overrides: Partial<RunMeta> = {}): RunMeta => ({
      id: randomUUID(), project, name: 'FLOW', fullname: `${project}.FLOW`, payload: { n: 1 }, comment: null, periodic: false,
      created: (clock += 1), graphId: 'g1', onFailure: 'stop', hooks: {}, ...overrides,
    });
    const create = async (m: RunMeta, keys = ['a', 'b', 'c'], retention?: number) => {
      const taskIds = Object.fromEntries(keys.map((key) => [key, randomUUID()]));
      const { trimmed } = await store.createRun(m, taskIds, { expiresSeconds: 600, ...(retention !== undefined ? { retention } : {}) });
      return { taskIds, trimmed };
    };

    beforeAll(async () => {
      store = await makeStore();
      await store.connect();
    });
    afterAll(() => store.close());

    it('keeps graphs by id and runs with every node pending', async () => {
      await store.saveGraph('g1', graph as never, 600);
      expect(await store.loadGraph('g1')).toEqual(JSON.parse(JSON.stringify(graph)));
      expect(await store.loadGraph('nope')).toBeUndefined();
      const m = meta();
      const { taskIds } = await create(m);
      const run = await store.getRun(m.id);
      expect(run?.status).toBe('pending');
      expect(run?.meta).toEqual(m);
      expect(run?.nodes['b']).toMatchObject({ status: 'pending', taskId: taskIds['b'], result: null, error: null });
      await expect(create(m)).rejects.toThrow(/exists/);
      expect(await store.getRun(randomUUID())).toBeUndefined();
    });

    it('settles a node once and counts each (child, parent) pair once', async () => {
      const m = meta();
      const { taskIds } = await create(m);
      const outcome = { key: 'a', taskId: taskIds['a']!, status: 'success' as const, result: { x: [1, 2] }, retries: 1, at: clock };
      const first = await store.settleNode(m.id, outcome, ['b', 'c']);
      expect(first).toMatchObject({ first: true, status: 'success', previous: 'pending', done: 1, errors: 0, runStatus: 'progress', runPrevious: 'pending' });
      expect(first.counts).toEqual({ b: { settled: 1, ok: 1, skipped: 0 }, c: { settled: 1, ok: 1, skipped: 0 } });
      const again = await store.settleNode(m.id, { ...outcome, result: 'other' }, ['b', 'c']);
      expect(again).toMatchObject({ first: false, status: 'success', done: 1 });
      expect(again.counts['b']).toEqual({ settled: 1, ok: 1, skipped: 0 });
      expect((await store.getRun(m.id))?.nodes['a']).toMatchObject({ result: { x: [1, 2] }, retries: 1 });
      const stale = await store.settleNode(m.id, { key: 'b', taskId: 'not-its-id', status: 'error', at: clock }, []);
      expect(stale.first).toBe(false);
      const skip = await store.settleNode(m.id, { key: 'c', status: 'skipped', at: clock, onlyFrom: ['queued'] }, []);
      expect(skip.first).toBe(false);
    });

    it('claims a node once; the same claimer may repeat until it marked it sent', async () => {
      const m = meta();
      const { taskIds } = await create(m);
      await store.settleNode(m.id, { key: 'a', status: 'success', result: 7, at: clock }, ['c']);
      const [claim] = await store.claimNodes(m.id, [{ key: 'c', by: 'a', parents: ['a', 'b'] }]);
      expect(claim).toEqual({ key: 'c', claimed: true, taskId: taskIds['c'], parentResults: [7, null] });
      expect((await store.claimNodes(m.id, [{ key: 'c', by: 'b', parents: [] }]))[0]?.claimed).toBe(false);
      expect((await store.claimNodes(m.id, [{ key: 'c', by: 'a', parents: [] }]))[0]?.claimed).toBe(true);
      await store.markSent(m.id, ['c']);
      expect((await store.claimNodes(m.id, [{ key: 'c', by: 'a', parents: [] }]))[0]?.claimed).toBe(false);
      expect((await store.getRun(m.id))?.nodes['c']?.status).toBe('queued');
      expect(await store.startNode(m.id, 'c', 'wrong', clock)).toEqual({ node: false, run: false });
      expect(await store.startNode(m.id, 'c', taskIds['c']!, clock)).toEqual({ node: true, run: false });
      expect((await store.getRun(m.id))?.nodes['c']?.status).toBe('progress');
    });

    it('closes a run once and cancels what it was asked to', async () => {
      const m = meta();
      const { taskIds } = await create(m);
      await store.claimNodes(m.id, [{ key: 'a', by: '', parents: [] }]);
      const error = { type: 'NodeCanceledError', message: 'canceled', traceback: null };
      const closed = await store.closeRun(m.id, { status: 'canceled', at: clock, cancelPending: true, cancelRunning: true, error });
      expect(closed.changed).toBe(true);
      expect(closed.previous).toBe('pending');
      expect([...closed.canceled].sort((x, y) => x.key.localeCompare(y.key))).toEqual([
        { key: 'a', taskId: taskIds['a'], previous: 'queued' },
        { key: 'b', taskId: taskIds['b'], previous: 'pending' },
        { key: 'c', taskId: taskIds['c'], previous: 'pending' },
      ]);
      expect(await store.closeRun(m.id, { status: 'error', at: clock, cancelPending: true, cancelRunning: true })).toMatchObject({ changed: false, status: 'canceled' });
      expect((await store.claimNodes(m.id, [{ key: 'b', by: '', parents: [] }]))[0]?.claimed).toBe(false);
      const run = await store.getRun(m.id);
      expect(run?.nodes['b']).toMatchObject({ status: 'canceled', error });
    });

    it('reopens an error or canceled run with reset nodes and recomputed counts', async () => {
      const m = meta();
      await create(m);
      await store.settleNode(m.id, { key: 'a', status: 'success', result: 1, at: clock }, ['b']);
      await store.settleNode(m.id, { key: 'b', status: 'error', at: clock }, ['c']);
      expect(await store.reopenRun(m.id, [], clock)).toBe(false);
      await store.closeRun(m.id, { status: 'error', at: clock, cancelPending: true, cancelRunning: false });
      const reset = { key: 'b', taskId: randomUUID(), counts: { settled: 1, ok: 1, skipped: 0 }, settledParents: { a: 'success' as const }, parents: ['a'] };
      expect(await store.reopenRun(m.id, [reset, { key: 'c', taskId: randomUUID(), counts: { settled: 0, ok: 0, skipped: 0 }, settledParents: {}, parents: ['b'] }], clock)).toBe(true);
      const run = await store.getRun(m.id);
      expect(run?.status).toBe('progress');
      expect(run?.nodes['b']).toMatchObject({ status: 'pending', taskId: reset.taskId, error: null });
      const settled = await store.settleNode(m.id, { key: 'b', taskId: reset.taskId, status: 'success', result: 2, at: clock }, ['c']);
      expect(settled).toMatchObject({ first: true, done: 2, errors: 0 });
      expect(settled.counts['c']).toEqual({ settled: 1, ok: 1, skipped: 0 });
    });

    it('lists newest first with filters and cursor pages; retention trims the oldest', async () => {
      const own = `q${randomUUID().slice(0, 8)}`;
      const ids: string[] = [];
      for (let i = 0; i < 7; i += 1) {
        const m = meta({ project: own, fullname: `${own}.LIST`, name: 'LIST' });
        ids.push(m.id);
        await create(m, ['a']);
      }
      const failed = ids[2]!;
      await store.closeRun(failed, { status: 'error', at: clock, cancelPending: false, cancelRunning: false });
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listRuns({ project: own, limit: 3, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(3);
        seen.push(...page.items.map((item) => item.meta.id));
        cursor = page.cursor;
      } while (cursor);
      expect(seen).toEqual([...ids].reverse());
      expect((await store.listRuns({ name: `${own}.LIST`, status: 'error' })).items.map((i) => i.meta.id)).toEqual([failed]);
      expect((await store.listRuns({ project: own, status: 'pending' })).items).toHaveLength(6);
      const m = meta({ project: own, fullname: `${own}.LIST`, name: 'LIST' });
      const { trimmed } = await create(m, ['a'], 3);
      expect(trimmed.sort()).toEqual(ids.slice(0, 5).sort());
      expect((await store.listRuns({ name: `${own}.LIST` })).items.map((i) => i.meta.id)).toEqual([m.id, ids[6], ids[5]]);
      expect(await store.getRun(ids[0]!)).toBeUndefined();
    });

    it('hands events to subscribers and says once() once', async () => {
      const received: WorkflowEvent[] = [];
      const unsubscribe = await store.subscribe((event) => received.push(event));
      const event: WorkflowEvent = { kind: 'run', runId: randomUUID(), fullname: 'p.F', status: 'success', previous: 'progress', at: new Date().toISOString() };
      await store.publish([event]);
      const end = Date.now() + 3000;
      while (received.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      expect(received).toContainEqual(event);
      await unsubscribe();
      const m = meta();
      await create(m);
      expect(await store.once(m.id, 'hook')).toBe(true);
      expect(await store.once(m.id, 'hook')).toBe(false);
    });
  });
}
