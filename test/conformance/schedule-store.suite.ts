/**
 * The schedule store conformance suite: one set of behaviours every ScheduleStore adapter must show
 * (claims exactly once across handles, leases taken over once, records kept and trimmed).
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClaimRequest, FireOutcome, ScheduleStore } from '../../src/schedule/store/store.js';
import type { ScheduleEntry } from '../../src/schedule/types.js';

function entry(id: string, history = 20): ScheduleEntry {
  return {
    id,
    target: { kind: 'task', name: 'tests.tick', args: [1], kwargs: {} },
    timing: { kind: 'every', seconds: 1 },
    catchUp: 'latest',
    catchUpWindow: 86_400,
    grace: 60,
    overlap: 'allow',
    startAt: null,
    endAt: null,
    history,
    updated: 1,
  };
}

const claim = (scheduleId: string, due: number, beat = 'b1', extra: Partial<ClaimRequest> = {}): ClaimRequest => ({
  scheduleId,
  due,
  beat,
  at: due + 5,
  leaseUntil: due + 30_000,
  missed: 0,
  history: 20,
  ...extra,
});

/** One claim through the batch verb. */
async function claimOne(store: ScheduleStore, request: ClaimRequest) {
  const [result] = await store.claim([request]);
  return result!;
}

/** One settle through the batch verb. */
async function settleOne(store: ScheduleStore, scheduleId: string, due: number, outcome: FireOutcome) {
  const [result] = await store.settle([{ scheduleId, due, outcome }]);
  return result!;
}

/** Register the conformance tests for one adapter. `make` opens a new handle on the same data each call. */
export function scheduleStoreConformance(name: string, make: () => Promise<ScheduleStore>): void {
  describe(`ScheduleStore conformance: ${name}`, () => {
    const opened: ScheduleStore[] = [];
    const open = async () => {
      const store = await make();
      await store.connect();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close().catch(() => undefined);
    });

    it('puts, replaces (keeping the cursor), lists, reads and removes schedules; the version moves', async () => {
      const store = await open();
      const id = `s-${randomUUID()}`;
      const v0 = await store.version();
      expect(await store.get(id)).toBeUndefined();
      expect(await store.put(entry(id), 1000)).toBe(true);
      expect(await store.version()).not.toBe(v0);
      expect(await store.get(id)).toEqual({ entry: entry(id), cursor: 1000 });
      expect((await claimOne(store, claim(id, 2000))).claimed).toBe(true);
      const replaced = { ...entry(id), timing: { kind: 'every' as const, seconds: 5 } };
      expect(await store.put(replaced, 99_999)).toBe(false);
      expect(await store.get(id)).toEqual({ entry: replaced, cursor: 2000 });
      expect((await store.list()).map((s) => s.entry.id)).toContain(id);
      expect(await store.fires(id, 10)).toHaveLength(1);
      const v1 = await store.version();
      expect(await store.remove(id)).toBe(true);
      expect(await store.version()).not.toBe(v1);
      expect(await store.remove(id)).toBe(false);
      expect(await store.get(id)).toBeUndefined();
      expect(await store.fires(id, 10)).toEqual([]);
      expect((await store.list()).map((s) => s.entry.id)).not.toContain(id);
    });

    it('claims a due time for exactly one of many concurrent callers, across handles', async () => {
      const handles = [await open(), await open(), await open()];
      const id = `s-${randomUUID()}`;
      await handles[0]!.put(entry(id), 0);
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => claimOne(handles[i % 3]!, claim(id, 10_000, `beat-${i}`))),
      );
      expect(results.filter((r) => r.claimed)).toHaveLength(1);
      expect(results.every((r) => r.cursor === 10_000)).toBe(true);
      expect(await claimOne(handles[1]!, claim(id, 9_000))).toEqual({ claimed: false, cursor: 10_000 });
      expect(await claimOne(handles[2]!, claim(id, 11_000))).toEqual({ claimed: true, cursor: 11_000 });
      expect(await claimOne(handles[0]!, claim(`missing-${randomUUID()}`, 1))).toEqual({ claimed: false, cursor: -1 });
    });

    it('claims and settles in batches, in order, one result per request', async () => {
      const store = await open();
      const [a, b] = [`s-${randomUUID()}`, `s-${randomUUID()}`];
      await store.put(entry(a), 0);
      await store.put(entry(b), 0);
      const results = await store.claim([claim(a, 1000), claim(b, 1000), claim(a, 2000), claim(a, 1500), claim(`missing-${randomUUID()}`, 1), claim(b, 1000, 'other')]);
      expect(results).toEqual([
        { claimed: true, cursor: 1000 },
        { claimed: true, cursor: 1000 },
        { claimed: true, cursor: 2000 },
        { claimed: false, cursor: 2000 },
        { claimed: false, cursor: -1 },
        { claimed: false, cursor: 1000 },
      ]);
      const settled = await store.settle([
        { scheduleId: a, due: 2000, outcome: { state: 'fired', at: 2001, taskId: 'ta' } },
        { scheduleId: b, due: 1000, outcome: { state: 'failed', at: 1001, reason: 'boom' } },
        { scheduleId: a, due: 2000, outcome: { state: 'skipped', at: 2002 } },
      ]);
      expect(settled).toEqual([true, true, false]);
      expect((await store.fires(a, 5)).map((f) => [f.due, f.state])).toEqual([[2000, 'fired'], [1000, 'claimed']]);
      expect((await store.fires(b, 5))[0]).toMatchObject({ state: 'failed', reason: 'boom', fired: null });
      expect(await store.claim([])).toEqual([]);
      expect(await store.settle([])).toEqual([]);
    });

    it('answers a repeated identical claim (a retry after a lost reply) as claimed, a different claimer not', async () => {
      const store = await open();
      const id = `s-${randomUUID()}`;
      await store.put(entry(id), 0);
      expect((await claimOne(store, claim(id, 5_000, 'b1'))).claimed).toBe(true);
      expect((await claimOne(store, claim(id, 5_000, 'b1'))).claimed).toBe(true);
      expect((await claimOne(store, claim(id, 5_000, 'b2'))).claimed).toBe(false);
    });

    it('records fires newest first and keeps only the newest `history`', async () => {
      const store = await open();
      const id = `s-${randomUUID()}`;
      await store.put(entry(id, 3), 0);
      for (let due = 1000; due <= 5000; due += 1000) await claimOne(store, claim(id, due, 'b1', { history: 3, missed: due / 1000 }));
      const fires = await store.fires(id, 10);
      expect(fires.map((f) => f.due)).toEqual([5000, 4000, 3000]);
      expect(fires[0]).toMatchObject({ scheduleId: id, state: 'claimed', beat: 'b1', claimedAt: 5005, leaseUntil: 35_000, fired: null, missed: 5 });
      expect((await store.fires(id, 2)).map((f) => f.due)).toEqual([5000, 4000]);
      expect(await store.reclaim('other', 10_000_000, 10_000_001, 100).then((r) => r.filter((f) => f.scheduleId === id).map((f) => f.due).sort())).toEqual([3000, 4000, 5000]);
    });

    it('settles a claimed fire once, with its outcome', async () => {
      const store = await open();
      const id = `s-${randomUUID()}`;
      await store.put(entry(id), 0);
      await claimOne(store, claim(id, 1000));
      await claimOne(store, claim(id, 2000));
      expect(await settleOne(store, id, 1000, { state: 'fired', at: 1500, taskId: 't-1' })).toBe(true);
      expect(await settleOne(store, id, 1000, { state: 'failed', at: 1600, reason: 'again' })).toBe(false);
      expect(await settleOne(store, id, 2000, { state: 'skipped', at: 2100, reason: 'overlap' })).toBe(true);
      expect(await settleOne(store, id, 3000, { state: 'fired', at: 3100 })).toBe(false);
      const [second, first] = await store.fires(id, 10);
      expect(first).toMatchObject({ due: 1000, state: 'fired', fired: 1500, taskId: 't-1' });
      expect(first?.reason).toBeUndefined();
      expect(second).toMatchObject({ due: 2000, state: 'skipped', fired: null, reason: 'overlap' });
    });

    it('gives a fire whose lease ended to one taker only, and never a settled or live one', async () => {
      const handles = [await open(), await open(), await open()];
      const id = `s-${randomUUID()}`;
      const store = handles[0]!;
      await store.put(entry(id), 0);
      const base = 1_000_000_000_000;
      await claimOne(store, claim(id, base, 'dead', { leaseUntil: base + 100 }));
      await claimOne(store, claim(id, base + 1000, 'done', { leaseUntil: base + 100 }));
      await settleOne(store, id, base + 1000, { state: 'fired', at: base + 1001, taskId: 'x' });
      await claimOne(store, claim(id, base + 2000, 'alive', { leaseUntil: base + 50_000 }));
      const now = base + 10_000;
      const taken = await Promise.all(handles.map((h, i) => h.reclaim(`taker-${i}`, now, now + 30_000, 100)));
      const mine = taken.flat().filter((f) => f.scheduleId === id);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ due: base, state: 'claimed', leaseUntil: now + 30_000 });
      expect(mine[0]?.beat).toMatch(/^taker-/);
      const again = await store.reclaim('late', now + 1, now + 2, 100);
      expect(again.filter((f) => f.scheduleId === id)).toEqual([]);
      const stored = (await store.fires(id, 10)).find((f) => f.due === base);
      expect(stored).toMatchObject({ beat: mine[0]?.beat, leaseUntil: now + 30_000 });
      expect(await settleOne(store, id, base, { state: 'fired', at: now, taskId: 'y' })).toBe(true);
    });
  });
}
