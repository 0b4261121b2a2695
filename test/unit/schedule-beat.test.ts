/**
 * Beat on the memory schedule store, with a fake clock and a recording host: exactly-once with
 * three concurrent beats, catch-up and overlap policies, start/end bounds, and a beat dying
 * between claim and send covered by another.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TransportError } from '../../src/errors.js';
import { Beat } from '../../src/schedule/beat.js';
import { fireId } from '../../src/schedule/fire-id.js';
import { Schedules } from '../../src/schedule/schedules.js';
import { MemoryScheduleStore } from '../../src/schedule/store/memory.js';
import type { ScheduleSpec } from '../../src/schedule/types.js';
import type { RunStatus } from '../../src/workflow/types.js';
import { countById, FakeClock, recordingHost, type Sent } from '../helpers/schedule.js';

const T0 = Date.parse('2026-06-01T12:00:00.000Z');

function setup(beats = 1) {
  const name = randomUUID();
  const clock = new FakeClock(T0);
  const sent: Sent[] = [];
  const statuses = new Map<string, RunStatus>();
  const canceled: string[] = [];
  const store = () => new MemoryScheduleStore({ name });
  const schedules = new Schedules({
    store: async () => store(),
    now: () => clock.now(),
    workflows: { validatorOf: (n) => (n === 'users.UPDATE_CACHE' ? undefined : null), periodic: () => [] },
  });
  const all = Array.from({ length: beats }, (_, i) => new Beat(recordingHost(store(), sent, statuses, canceled), { clock, name: `beat-${i}`, leaseMs: 30_000 }));
  const add = (id: string, spec: ScheduleSpec) => schedules.add(id, spec);
  return { clock, sent, statuses, canceled, schedules, beats: all, add, store };
}

describe('beat (memory store)', () => {
  it('fires every due time exactly once with three beats ticking concurrently', async () => {
    const { clock, sent, beats, add } = setup(3);
    await add('every-1s', { task: 'tests.tick', every: 1, args: ['a'] });
    await add('every-2.5s', { task: 'tests.tick', every: 2.5 });
    await add('cron-secondly', { task: 'tests.tick', cron: '*/3 * * * * *' });
    await add('cron-minutely', { task: 'tests.tick', cron: '* * * * *', tz: 'Europe/Berlin' });
    for (let step = 0; step < 200; step += 1) {
      clock.advance(700);
      await Promise.all(beats.map((beat) => beat.tick()));
    }
    const end = clock.now();
    const expected = (id: string, stepMs: number) => {
      const ids: string[] = [];
      for (let due = Math.floor(T0 / stepMs) * stepMs + stepMs; due <= end; due += stepMs) ids.push(fireId(id, due));
      return ids;
    };
    const want = [...expected('every-1s', 1000), ...expected('every-2.5s', 2500), ...expected('cron-secondly', 3000), ...expected('cron-minutely', 60_000)];
    expect(want.length).toBe(140 + 56 + 46 + 2);
    const counts = countById(sent);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect([...counts.keys()].sort()).toEqual(want.sort());
    expect(sent.find((s) => s.id === fireId('every-1s', T0 + 1000))).toMatchObject({ kind: 'task', name: 'tests.tick', args: [['a'], {}] });
  });

  it('records each fire with its due time, fire time, task id and beat, keeping the last `history`', async () => {
    const { clock, beats, add, schedules } = setup(2);
    await add('rec', { task: 'tests.tick', every: 10, history: 3 });
    for (let i = 0; i < 5; i += 1) {
      clock.advance(10_000);
      await Promise.all(beats.map((b) => b.tick()));
    }
    const fires = await schedules.fires('rec');
    expect(fires.map((f) => f.due)).toEqual([T0 + 50_000, T0 + 40_000, T0 + 30_000]);
    for (const f of fires) {
      expect(f).toMatchObject({ state: 'fired', fired: f.due, taskId: fireId('rec', f.due), missed: 0 });
      expect(['beat-0', 'beat-1']).toContain(f.beat);
    }
  });

  describe('catch-up after downtime', () => {
    const downtime = async (catchUp: 'none' | 'latest' | 'all', extra: Partial<ScheduleSpec> = {}, gapMs = 10_500) => {
      const { clock, sent, beats, add, schedules } = setup(1);
      await add('c', { task: 'tests.tick', every: 1, catchUp, ...extra });
      clock.advance(1000);
      await beats[0]!.tick();
      sent.length = 0;
      clock.advance(gapMs);
      await beats[0]!.tick();
      return { sent, fires: await schedules.fires('c'), clock };
    };

    it('latest (default): fires only the newest missed due time and records how many it skipped', async () => {
      const { sent, fires } = await downtime('latest');
      expect(sent.map((s) => s.id)).toEqual([fireId('c', T0 + 11_000)]);
      expect(fires[0]).toMatchObject({ due: T0 + 11_000, missed: 9, state: 'fired' });
    });

    it('all: fires every missed due time, oldest first, bounded by the window', async () => {
      const all = await downtime('all');
      expect(all.sent.map((s) => s.id)).toEqual(Array.from({ length: 10 }, (_, i) => fireId('c', T0 + 2000 + i * 1000)));
      const windowed = await downtime('all', { catchUpWindow: 4 });
      expect(windowed.sent.map((s) => s.id)).toEqual([8, 9, 10, 11].map((k) => fireId('c', T0 + k * 1000)));
    });

    it('none: skips due times later than the grace, fires one within it', async () => {
      const late = await downtime('none', { grace: 0.2 }, 10_500);
      expect(late.sent).toEqual([]);
      const onTime = await downtime('none', { grace: 0.6 }, 10_500);
      expect(onTime.sent.map((s) => s.id)).toEqual([fireId('c', T0 + 11_000)]);
    });
  });

  describe('overlap of workflow runs', () => {
    const twoFires = async (overlap?: 'skip' | 'allow' | 'cancel-previous') => {
      const ctx = setup(1);
      await ctx.add('w', { workflow: 'users.UPDATE_CACHE', every: 60, payload: { user: false }, ...(overlap ? { overlap } : {}) });
      ctx.clock.advance(60_000);
      await ctx.beats[0]!.tick();
      ctx.clock.advance(60_000);
      const report = await ctx.beats[0]!.tick();
      return { ...ctx, report, first: fireId('w', T0 + 60_000), second: fireId('w', T0 + 120_000) };
    };

    it('skip (default): no new run while the previous one is not finished; fires again once it is', async () => {
      const { sent, report, schedules, statuses, first, clock, beats } = await twoFires();
      expect(sent.map((s) => s.id)).toEqual([first]);
      expect(report).toMatchObject({ fired: 0, skipped: 1 });
      expect((await schedules.fires('w'))[0]).toMatchObject({ state: 'skipped', reason: `overlap: the previous run ${first} is still progress` });
      statuses.set(first, 'success');
      clock.advance(60_000);
      await beats[0]!.tick();
      expect(sent.map((s) => s.id)).toEqual([first, fireId('w', T0 + 180_000)]);
      expect(sent[0]).toMatchObject({ kind: 'workflow', name: 'users.UPDATE_CACHE', args: { user: false } });
    });

    it('allow: starts the next run alongside', async () => {
      const { sent, first, second, canceled } = await twoFires('allow');
      expect(sent.map((s) => s.id)).toEqual([first, second]);
      expect(canceled).toEqual([]);
    });

    it('cancel-previous: cancels the unfinished run, then starts the next', async () => {
      const { sent, first, second, canceled, statuses } = await twoFires('cancel-previous');
      expect(canceled).toEqual([first]);
      expect(statuses.get(first)).toBe('canceled');
      expect(sent.map((s) => s.id)).toEqual([first, second]);
    });
  });

  it('honours startAt and endAt', async () => {
    const { clock, sent, beats, add } = setup(1);
    await add('window', { task: 'tests.tick', every: 1, startAt: new Date(T0 + 3000).toISOString(), endAt: T0 + 5000 });
    for (let i = 0; i < 8; i += 1) {
      clock.advance(1000);
      await beats[0]!.tick();
    }
    expect(sent.map((s) => s.id)).toEqual([3000, 4000, 5000].map((k) => fireId('window', T0 + k)));
  });

  it('a beat that dies between claim and send is covered by another once its lease ends, under the same id', async () => {
    const name = randomUUID();
    const clock = new FakeClock(T0);
    const sent: Sent[] = [];
    const store = () => new MemoryScheduleStore({ name });
    const schedules = new Schedules({ store: async () => store(), now: () => clock.now(), workflows: { validatorOf: () => null, periodic: () => [] } });
    await schedules.add('k', { task: 'tests.tick', every: 60 });
    const dying = new Beat(recordingHost(store(), sent), { clock, name: 'dying', leaseMs: 30_000, beforeFire: () => new Promise<void>(() => undefined) });
    const healthy = new Beat(recordingHost(store(), sent), { clock, name: 'healthy', leaseMs: 30_000 });
    clock.advance(60_000);
    void dying.tick();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await healthy.tick()).toMatchObject({ fired: 0, takenOver: 0 });
    clock.advance(20_000);
    expect(await healthy.tick()).toMatchObject({ fired: 0, takenOver: 0 });
    clock.advance(11_000);
    expect(await healthy.tick()).toMatchObject({ fired: 1, takenOver: 1 });
    expect(sent.map((s) => s.id)).toEqual([fireId('k', T0 + 60_000)]);
    expect((await schedules.fires('k'))[0]).toMatchObject({ state: 'fired', beat: 'healthy', taskId: fireId('k', T0 + 60_000) });
    expect(await healthy.tick()).toMatchObject({ fired: 0, takenOver: 0 });
  });

  it('a fire that meets a transport error stays claimed and is sent after its lease; another error is recorded as failed', async () => {
    const name = randomUUID();
    const clock = new FakeClock(T0);
    const sent: Sent[] = [];
    const store = () => new MemoryScheduleStore({ name });
    const schedules = new Schedules({ store: async () => store(), now: () => clock.now(), workflows: { validatorOf: () => null, periodic: () => [] } });
    await schedules.add('flaky', { task: 'tests.tick', every: 60 });
    await schedules.add('broken', { task: 'tests.broken', every: 60 });
    const host = recordingHost(store(), sent);
    let outage = true;
    const beat = new Beat(
      {
        ...host,
        sendTask: async (task, args, kwargs, options) => {
          if (task === 'tests.broken') throw new RangeError('bad arguments');
          if (outage) throw new TransportError('broker unreachable');
          return host.sendTask(task, args, kwargs, options);
        },
      },
      { clock, name: 'b', leaseMs: 10_000 },
    );
    clock.advance(60_000);
    expect(await beat.tick()).toMatchObject({ fired: 0, failed: 1 });
    expect((await schedules.fires('flaky'))[0]).toMatchObject({ state: 'claimed' });
    expect((await schedules.fires('broken'))[0]).toMatchObject({ state: 'failed', reason: 'RangeError: bad arguments' });
    outage = false;
    clock.advance(5_000);
    expect(await beat.tick()).toMatchObject({ fired: 0, takenOver: 0 });
    clock.advance(6_000);
    expect(await beat.tick()).toMatchObject({ fired: 1, takenOver: 1 });
    expect(sent.map((s) => s.id)).toEqual([fireId('flaky', T0 + 60_000)]);
  });

  it('a removed schedule stops firing; a replaced one keeps its cursor (no refire)', async () => {
    const { clock, sent, beats, add, schedules } = setup(1);
    await add('r', { task: 'tests.tick', every: 1 });
    clock.advance(1000);
    await beats[0]!.tick();
    await add('r', { task: 'tests.tick', every: 1, args: [2] });
    await beats[0]!.tick();
    expect(sent).toHaveLength(1);
    expect(await schedules.remove('r')).toBe(true);
    clock.advance(5000);
    await beats[0]!.tick();
    expect(sent).toHaveLength(1);
  });
});
