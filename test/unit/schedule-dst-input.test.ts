/**
 * Cron schedules across DST changes (fake clock, no real waiting), and bad input refused with a
 * typed ScheduleError naming the field.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Beat } from '../../src/schedule/beat.js';
import { ScheduleError } from '../../src/schedule/errors.js';
import { Schedules } from '../../src/schedule/schedules.js';
import { MemoryScheduleStore } from '../../src/schedule/store/memory.js';
import type { ScheduleSpec } from '../../src/schedule/types.js';
import type { PayloadValidator } from '../../src/workflow/payload.js';
import { FakeClock, recordingHost, type Sent } from '../helpers/schedule.js';

const userSchema: PayloadValidator = async (payload) => {
  const user = (payload as { user?: unknown }).user;
  return typeof user === 'string' || user === false ? [] : [{ path: '/user', message: 'must be a string or false', value: user }];
};

function setup(start: string) {
  const name = randomUUID();
  const clock = new FakeClock(Date.parse(start));
  const sent: Sent[] = [];
  const store = () => new MemoryScheduleStore({ name });
  const schedules = new Schedules({
    store: async () => store(),
    now: () => clock.now(),
    workflows: { validatorOf: (n) => (n === 'users.UPDATE_CACHE' ? userSchema : null), periodic: () => [] },
  });
  const beats = [0, 1, 2].map((i) => new Beat(recordingHost(store(), sent), { clock, name: `b${i}` }));
  /** Tick all three beats every `stepMs` until `end`; return the fire times (ISO, UTC). */
  const runUntil = async (end: string, stepMs: number) => {
    while (clock.now() < Date.parse(end)) {
      clock.advance(stepMs);
      await Promise.all(beats.map((b) => b.tick()));
    }
    return (await Promise.all((await schedules.list()).map((s) => schedules.fires(s.id, 1000)))).flat().map((f) => new Date(f.due).toISOString()).sort();
  };
  return { clock, sent, schedules, runUntil };
}

describe('cron across DST changes', () => {
  it('Europe/Berlin spring forward: 02:30 daily (in the gap) fires once, at 03:00 CEST; hourly skips nothing real', async () => {
    const { schedules, runUntil } = setup('2026-03-28T00:00:00Z');
    await schedules.add('daily', { task: 't', cron: '30 2 * * *', tz: 'Europe/Berlin', history: 100 });
    const fires = await runUntil('2026-03-30T12:00:00Z', 5 * 60_000);
    expect(fires).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
  });

  it('Europe/Berlin fall back: 02:30 daily fires once on the day 02:30 happens twice; hourly fires every real hour once', async () => {
    const { schedules, runUntil } = setup('2026-10-24T12:00:00Z');
    await schedules.add('daily', { task: 't', cron: '30 2 * * *', tz: 'Europe/Berlin', history: 100 });
    await schedules.add('hourly', { task: 't', cron: '0 * * * *', tz: 'Europe/Berlin', history: 100 });
    const fires = await runUntil('2026-10-26T06:00:00Z', 5 * 60_000);
    const daily = fires.filter((f) => f.endsWith(':30:00.000Z'));
    expect(daily).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
    const hourly = fires.filter((f) => f.endsWith(':00:00.000Z'));
    const expected = Array.from({ length: 42 }, (_, i) => new Date(Date.parse('2026-10-24T13:00:00Z') + i * 3_600_000).toISOString());
    expect(hourly).toEqual(expected);
  });

  it('America/New_York: 09:00 on weekdays stays 09:00 local across the March change', async () => {
    const { schedules, runUntil } = setup('2026-03-05T00:00:00Z');
    await schedules.add('standup', { task: 't', cron: '0 9 * * 1-5', tz: 'America/New_York', history: 100 });
    const fires = await runUntil('2026-03-11T00:00:00Z', 15 * 60_000);
    expect(fires).toEqual(['2026-03-05T14:00:00.000Z', '2026-03-06T14:00:00.000Z', '2026-03-09T13:00:00.000Z', '2026-03-10T13:00:00.000Z']);
  });

  it('lists the next fire times in the zone', async () => {
    const { schedules } = setup('2026-03-28T12:00:00Z');
    const info = await schedules.add('daily', { task: 't', cron: '30 2 * * *', tz: 'Europe/Berlin' });
    expect(info.next).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z', '2026-03-31T00:30:00.000Z']);
    expect((await schedules.list({ next: 1 }))[0]?.next).toEqual(['2026-03-29T01:00:00.000Z']);
  });
});

describe('bad input', () => {
  const cases: Array<[string, ScheduleSpec, string, RegExp]> = [
    ['unparsable cron', { task: 't', cron: '61 * * * *' }, 'cron', /cannot parse "61 \* \* \* \*"/],
    ['cron with 7 fields', { task: 't', cron: '0 0 0 1 1 * 2030' }, 'cron', /cannot parse/],
    ['unknown time zone', { task: 't', cron: '0 * * * *', tz: 'Mars/Olympus' }, 'tz', /unknown time zone "Mars\/Olympus"/],
    ['interval 0', { task: 't', every: 0 }, 'every', /> 0/],
    ['negative interval', { task: 't', every: -5 }, 'every', /> 0/],
    ['interval not a number', { task: 't', every: '60' as unknown as number }, 'every', /> 0/],
    ['both every and cron', { task: 't', every: 1, cron: '* * * * *' }, 'every', /exactly one/],
    ['neither task nor workflow', { every: 1 }, 'task', /exactly one/],
    ['unknown workflow', { workflow: 'users.NOPE', every: 60 }, 'workflow', /unknown workflow "users.NOPE"/],
    ['payload failing the schema', { workflow: 'users.UPDATE_CACHE', every: 60, payload: { user: 42 } }, 'payload', /\/user: must be a string or false \(got 42\)/],
    ['payload not an object', { workflow: 'users.UPDATE_CACHE', every: 60, payload: [1] as unknown as Record<string, unknown> }, 'payload', /./],
    ['unknown catchUp', { task: 't', every: 1, catchUp: 'some' as 'all' }, 'catchUp', /one of none, latest, all/],
    ['unknown overlap', { workflow: 'users.UPDATE_CACHE', every: 1, payload: { user: false }, overlap: 'queue' as 'skip' }, 'overlap', /one of allow, skip, cancel-previous/],
    ['overlap on a task', { task: 't', every: 1, overlap: 'skip' }, 'overlap', /workflows only/],
    ['tz with every', { task: 't', every: 1, tz: 'UTC' }, 'tz', /cron schedules only/],
    ['bad startAt', { task: 't', every: 1, startAt: 'yesterday-ish' }, 'startAt', /ISO time/],
    ['endAt before startAt', { task: 't', every: 1, startAt: 2000, endAt: 1000 }, 'endAt', /before startAt/],
    ['args not an array', { task: 't', every: 1, args: {} as unknown as unknown[] }, 'args', /array/],
  ];
  for (const [title, spec, field, reason] of cases) {
    it(`refuses ${title} (field ${field}) and stores nothing`, async () => {
      const { schedules } = setup('2026-01-01T00:00:00Z');
      const error = await schedules.add('bad', spec).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(ScheduleError);
      expect(error).toMatchObject({ scheduleId: 'bad', field });
      expect((error as Error).message).toMatch(reason);
      expect(await schedules.list()).toEqual([]);
    });
  }
});
