/**
 * `addToChord()`: a chord header part grows the header of its chord while it runs (Celery 5.2.6's
 * `Task.add_to_chord`). The added canvas reports to the same chord (same group id and index, same
 * body, same workflow root); the chord's expected part count grows first, so the body waits for
 * it. The canvas adds one part: a signature, a chain or a chord (its body's result). A bare group
 * is refused (Celery counts it as one part but its members each report one): add its members one
 * by one, or join them with a body.
 * @module
 */
import type { AnyCanvas } from '../canvas/canvas.js';
import { Group } from '../canvas/group.js';
import { CanvasError } from '../errors.js';
import type { SignatureDict, TaskMessage } from '../protocol/message.js';

/** A canvas that can be sent, with the handle it resolves to. */
export type Sendable<T> = AnyCanvas & { applyAsync(): Promise<T> };

/** Grows a chord's expected part count (the backend's `growChord`). */
export type ChordGrower = (groupId: string, count: number) => Promise<void>;

/** The membership a task of `message` passes on: its group, index, chord body and root. */
function membershipOf(message: Pick<TaskMessage, 'headers' | 'embed'>): { groupId: string; groupIndex: number | null; body: SignatureDict; rootId: string } | undefined {
  const { headers: h, embed } = message;
  if (!embed.chord || !h.group) return undefined;
  return { groupId: h.group, groupIndex: h.group_index ?? null, body: embed.chord, rootId: h.root_id ?? h.id };
}

/** Build the `addToChord()` of the task of `message`. */
export function chordAdder(message: Pick<TaskMessage, 'headers' | 'embed'>, grow: ChordGrower | undefined): <T>(canvas: Sendable<T>) => Promise<T> {
  return async <T>(canvas: Sendable<T>): Promise<T> => {
    const member = membershipOf(message);
    if (!member) throw new CanvasError(`addToChord: task ${message.headers.task}[${message.headers.id}] is not a member of any chord`);
    if (canvas instanceof Group) {
      throw new CanvasError('addToChord: a group would report one part per member; add its members one by one, or join them with a body (a chord)');
    }
    if (!grow) throw new CanvasError('addToChord: this worker has no result backend to grow the chord in');
    const added = canvas.setRaw({
      group_id: member.groupId,
      group_index: member.groupIndex,
      chord: member.body,
      root_id: member.rootId,
    }) as Sendable<T>;
    await grow(member.groupId, 1);
    return added.applyAsync();
  };
}
