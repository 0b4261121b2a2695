/**
 * The id of one fire: a UUID derived from the schedule id and the due time, so that every beat
 * (and a beat taking over a dead one's fire) sends the task or starts the run under the same id.
 * @module
 */
import { createHash } from 'node:crypto';

/** A deterministic UUID (version 5 layout over SHA-256) for `(scheduleId, due)`. */
export function fireId(scheduleId: string, due: number): string {
  const hex = createHash('sha256').update(`celeriac-schedule\u0000${scheduleId}\u0000${due}`).digest('hex');
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
