/**
 * isoWithMicros / parseIsoTime: the formats Python writes and reads.
 */
import { describe, expect, it } from 'vitest';
import { MessageDecodeError } from '../../src/errors.js';
import { isoWithMicros, parseIsoTime } from '../../src/protocol/times.js';
import { brokerMessages } from '../fixtures/vectors.js';

describe('isoWithMicros', () => {
  it('writes 6 fraction digits and an explicit +00:00 offset', () => {
    expect(isoWithMicros(new Date(Date.UTC(2026, 10, 22, 12, 12, 24, 13)))).toBe('2026-11-22T12:12:24.013000+00:00');
    expect(isoWithMicros(new Date(0))).toBe('1970-01-01T00:00:00.000000+00:00');
  });

  it('matches the shape of the eta Celery sent', () => {
    const eta = brokerMessages('json').find((m) => m.scenario === 'countdown_expires')!.envelope.headers['eta'] as string;
    const shape = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/;
    expect(eta).toMatch(shape);
    expect(isoWithMicros(parseIsoTime(eta))).toMatch(shape);
  });

  it('throws on an invalid Date', () => {
    expect(() => isoWithMicros(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('parseIsoTime', () => {
  const at = (iso: string): number => Date.parse(iso);

  it.each([
    ['2026-11-22T12:12:24.013967+00:00', '2026-11-22T12:12:24.013Z'],
    ['2026-11-22T12:12:24.013000+00:00', '2026-11-22T12:12:24.013Z'],
    ['2026-11-22T12:12:24+00:00', '2026-11-22T12:12:24.000Z'],
    ['2026-11-22T12:12:24Z', '2026-11-22T12:12:24.000Z'],
    ['2026-11-22T12:12:24.5Z', '2026-11-22T12:12:24.500Z'],
    ['2026-11-22T12:12:24.123456789', '2026-11-22T12:12:24.123Z'],
    ['2026-11-22T12:12:24.013967', '2026-11-22T12:12:24.013Z'],
    ['2026-11-22 12:12:24.013967', '2026-11-22T12:12:24.013Z'],
    ['2026-11-22T14:12:24.250+02:00', '2026-11-22T12:12:24.250Z'],
    ['2026-11-22T07:42:24-0430', '2026-11-22T12:12:24.000Z'],
    ['2026-11-22T13:12:24+01', '2026-11-22T12:12:24.000Z'],
    ['2026-11-22T12:12', '2026-11-22T12:12:00.000Z'],
    ['2026-11-22', '2026-11-22T00:00:00.000Z'],
  ])('%s', (text, expected) => {
    expect(parseIsoTime(text).getTime()).toBe(at(expected));
  });

  it('reads years before 100 as they are', () => {
    expect(parseIsoTime('0050-01-01T00:00:00').getUTCFullYear()).toBe(50);
  });

  it('reads the eta and expires Celery sent (countdown=30, expires=120)', () => {
    const headers = brokerMessages('json').find((m) => m.scenario === 'countdown_expires')!.envelope.headers;
    const eta = parseIsoTime(headers['eta'] as string).getTime();
    const expires = parseIsoTime(headers['expires'] as string).getTime();
    expect(expires - eta).toBe(90_000);
  });

  it.each(['', 'tomorrow', '2026-13-01T00:00:00', '2026-02-30', '2026-11-22T25:00:00', '2026-11-22T12:12:24+0', '22/11/2026'])(
    'refuses %j with bad-time',
    (text) => {
      let thrown: unknown;
      try {
        parseIsoTime(text);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(MessageDecodeError);
      expect((thrown as MessageDecodeError).reason).toBe('bad-time');
    },
  );
});
