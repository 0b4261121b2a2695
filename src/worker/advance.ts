/**
 * Exactly-once advancing under redelivery. A finished task's follow-ups (callbacks, the next chain
 * step, errbacks) are sent before its message is acknowledged, so a worker killed in between gets
 * the message delivered again; the redelivered task must not send them a second time, or the rest
 * of its chain forks and runs twice.
 *
 * Before sending, the task's id is claimed in the result backend (atomic SET NX); once sent, the
 * claim is marked done. A delivery that finds the claim done sends nothing; one that finds it
 * pending sends again only when it is a redelivery (the claimer may have died between claim and
 * send: nothing is lost), never when it is a twin running at the same time. Follow-ups without an
 * id get one derived from the parent id and their slot, so a send repeated after a crash repeats
 * the same ids: duplicates stay bounded by what was in flight, and the duplicate of a step does not
 * advance again.
 * @module
 */
import { createHash } from 'node:crypto';
import type { ResultBackend } from '../backend/backend.js';
import type { SignatureDict } from '../protocol/message.js';

/** A UUID-shaped id derived from the parent task id and the follow-up's slot (stable across redeliveries). */
export function followUpId(parentId: string, slot: string): string {
  const hex = createHash('sha256').update(`${parentId}\0${slot}`).digest('hex');
  // Shaped as a version-5-like UUID (variant bits set) so it reads as any Celery task id.
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The dict with a derived `task_id` when it is a plain signature without one; composites are left as they are. */
export function withFollowUpId(dict: SignatureDict, parentId: string, slot: string): SignatureDict {
  if ((dict.subtask_type ?? null) !== null || typeof dict.options?.task_id === 'string') return dict;
  return { ...dict, options: { ...dict.options, task_id: followUpId(parentId, slot) } };
}

/**
 * Runs `send` (the follow-ups of task `taskId`) at most once per task id across deliveries (see
 * the module doc); returns false when they were skipped because another delivery sent them.
 */
export async function advanceOnce(backend: ResultBackend, taskId: string, redelivered: boolean, send: () => Promise<void>): Promise<boolean> {
  const { sent, completed } = await advanceOnceDeferred(backend, taskId, redelivered, send);
  await completed;
  return sent;
}

/**
 * {@link advanceOnce}, except that marking the claim done is started but not awaited: the caller
 * awaits `completed` together with its next write (the result), so both go out in one round trip.
 * A crash before it lands leaves the claim pending, which a redelivery resends (as above).
 */
export async function advanceOnceDeferred(
  backend: ResultBackend,
  taskId: string,
  redelivered: boolean,
  send: () => Promise<void>,
): Promise<{ sent: boolean; completed: Promise<void> }> {
  const claim = await backend.claimAdvance(taskId);
  if (claim === 'done' || (claim === 'pending' && !redelivered)) return { sent: false, completed: Promise.resolve() };
  await send();
  return { sent: true, completed: backend.completeAdvance(taskId) };
}
