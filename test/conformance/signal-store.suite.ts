/**
 * The SignalStore verbs (store/signals.ts) on every adapter: arming vs retained events, one fire
 * takes each waiter once, map items counted once with results in order, trigger instances by
 * compare-and-set.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TriggerInstance } from '../../src/workflow/store/signals.js';
import type { WorkflowStore } from '../../src/workflow/store/store.js';

/** Register the signal-store tests for one adapter. */
export function signalStoreConformance(name: string, makeStore: () => Promise<WorkflowStore>): void {
  describe(`signal store: ${name}`, () => {
    let store: WorkflowStore;
    beforeAll(async () => {
      store = await makeStore();
      await store.connect();
    });
    afterAll(() => store.close());

    it('a wait armed before a fire is taken by it once; one armed after gets the retained event if recent enough', async () => {
      const signals = store.signals();
      const event = `e${randomUUID().slice(0, 8)}`;
      const entry = { runId: randomUUID(), node: 'w', taskId: randomUUID() };
      expect(await signals.armWait(event, 'k', entry, 0, 600)).toBeUndefined();
      expect(await signals.armWait(event, 'other', { ...entry, node: 'x' }, 0, 600)).toBeUndefined();
      const [first, second] = await Promise.all([signals.fire(event, 'k', { data: { n: 1 }, at: 1000 }, 600), signals.fire(event, 'k', { data: { n: 2 }, at: 1001 }, 600)]);
      expect([...first!, ...second!]).toEqual([entry]);
      expect(await signals.armWait(event, 'k', entry, 1002, 600)).toBeUndefined();
      expect(await signals.fire(event, 'k', { data: null, at: 1003 }, 0)).toEqual([entry]);
      expect(await signals.armWait(event, 'k', entry, 1000, 600)).toEqual({ data: { n: 2 }, at: 1001 });
      await signals.disarmWait(event, 'other', { ...entry, node: 'x' });
      expect(await signals.fire(event, 'other', { data: 1, at: 1 }, 0)).toEqual([]);
    });

    it('map items are counted once and the last one returns every result in item order', async () => {
      const signals = store.signals();
      const run = randomUUID();
      await signals.mapStart(run, 'm', 't1', 3, 600);
      await signals.mapStart(run, 'm', 't1', 99, 600);
      expect(await signals.mapItem(run, 'm', 't1', 2, 'c')).toEqual({ counted: true, done: 1, total: 3 });
      expect(await signals.mapItem(run, 'm', 't1', 2, 'again')).toEqual({ counted: false, done: 1, total: 3 });
      expect(await signals.mapItem(run, 'm', 'other-attempt', 0, 'x')).toMatchObject({ counted: false });
      await signals.mapItem(run, 'm', 't1', 0, { a: [1] });
      expect(await signals.mapItem(run, 'm', 't1', 1, null)).toEqual({ counted: true, done: 3, total: 3, results: [{ a: [1] }, null, 'c'] });
    });

    it('records firings in order and moves trigger instances by compare-and-set', async () => {
      const signals = store.signals();
      const session = randomUUID();
      expect(await signals.recordFiring(session, 'a', { x: 1 }, 600)).toBe(1);
      expect(await signals.recordFiring(session, 'a', { x: 2 }, 600)).toBe(2);
      const instance: TriggerInstance = { id: `t#1@${session}`, trigger: 't', session, status: 'unstarted', task: 'T', taskId: null, kwargs: null, result: null, error: null, replayOf: null, replacedBy: null, created: 1, updated: 1 };
      expect(await signals.createInstance(instance, 600)).toBe(true);
      expect(await signals.createInstance({ ...instance, status: 'failed' }, 600)).toBe(false);
      const scheduled = { ...instance, status: 'scheduled' as const, taskId: 'tid', kwargs: { list: [] } };
      const [one, two] = await Promise.all([signals.updateInstance(scheduled, ['unstarted']), signals.updateInstance(scheduled, ['unstarted'])]);
      expect([one, two].filter(Boolean)).toHaveLength(1);
      expect(await signals.readSession(session)).toEqual({ fired: { a: [{ x: 1 }, { x: 2 }] }, instances: { [instance.id]: scheduled } });
    });
  });
}
