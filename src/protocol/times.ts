/**
 * ISO-8601 times as Celery writes and reads them (`eta`, `expires`, `date_done`).
 *
 * We always write 6 fractional digits and an explicit `+00:00` offset (wire README §1.4): Celery
 * 5.2.6 reads the fraction as a whole number of microseconds, so the 3 digits of `toISOString()`
 * would be misread (`.013` → 13 µs). We read every form Python produces: with or without a
 * fraction (any number of digits), with or without an offset, `Z`, and a space instead of `T`.
 * @module
 */
import { MessageDecodeError } from '../errors.js';

/**
 * `date` as Python's `datetime.isoformat()` of an aware UTC datetime:
 * `2026-11-22T12:12:24.013000+00:00` (6 fraction digits, explicit offset).
 * A JS Date has millisecond precision, so the last 3 digits are always `000`.
 * @throws RangeError when `date` is an invalid Date.
 */
export function isoWithMicros(date: Date): string {
  // toISOString() is `YYYY-MM-DDTHH:mm:ss.sssZ` (it throws RangeError for an invalid Date).
  return `${date.toISOString().slice(0, -1)}000+00:00`;
}

// year-month-day, then optionally: separator, HH:MM, optional :SS with optional fraction, optional offset.
const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|z|[+-]\d{2}(?::?\d{2}(?::?\d{2}(?:\.\d+)?)?)?)?)?$/;

/** Milliseconds east of UTC for an offset like `+01:00`, `-0530`, `+05`, `Z`, or `+01:00:30` (seconds kept). */
function offsetMilliseconds(offset: string | undefined): number {
  if (offset === undefined || offset === 'Z' || offset === 'z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(/:/g, '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4) || '0');
  const seconds = Number(digits.slice(4) || '0');
  return sign * ((hours * 60 + minutes) * 60 + seconds) * 1000;
}

/**
 * Parse an ISO-8601 time as Python writes it. Accepted forms include
 * `2026-11-22T12:12:24.013967+00:00`, `2026-11-22T12:12:24Z`, `2026-11-22 12:12:24.5`,
 * `2026-11-22T12:12` and `2026-11-22`. A naive time (no offset) is read as UTC, as Celery 5.2.6
 * does. Fractions beyond milliseconds are truncated (a JS Date holds milliseconds).
 * @throws MessageDecodeError (`bad-time`) when `text` is not such a time or names an impossible date.
 */
export function parseIsoTime(text: string): Date {
  const match = ISO_TIME.exec(text.trim());
  if (!match) throw new MessageDecodeError('bad-time', `Not an ISO-8601 time: ${JSON.stringify(text)}`);
  const [, year, month, day, hour, minute, second, fraction, offset] = match;
  const millis = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  const fields = [Number(year), Number(month) - 1, Number(day), Number(hour ?? 0), Number(minute ?? 0), Number(second ?? 0)] as const;
  // setUTCFullYear (unlike Date.UTC) keeps years 0–99 as they are.
  const date = new Date(0);
  date.setUTCFullYear(fields[0], fields[1], fields[2]);
  date.setUTCHours(fields[3], fields[4], fields[5], millis);
  // Out-of-range fields roll over (Feb 30 → Mar 2); Python rejects them, and so do we.
  if (
    date.getUTCFullYear() !== fields[0] ||
    date.getUTCMonth() !== fields[1] ||
    date.getUTCDate() !== fields[2] ||
    date.getUTCHours() !== fields[3] ||
    date.getUTCMinutes() !== fields[4] ||
    date.getUTCSeconds() !== fields[5]
  ) {
    throw new MessageDecodeError('bad-time', `Impossible date or time: ${JSON.stringify(text)}`);
  }
  return new Date(date.getTime() - offsetMilliseconds(offset));
}
