/**
 * `replace()`: a running task hands its place in the workflow to another canvas, as Celery 5.2.6's
 * `Task.replace` does. The replacement
 * - takes the task's id for its result (the last step of a chain, the body of a chord), so handles
 *   already given out for the task resolve to the replacement's result;
 * - inherits the task's callbacks (on its result) and errbacks, its group id/index and chord
 *   membership (a replaced chord header part still counts once), and its workflow root;
 * - is followed by the rest of the task's chain, which continues with the replacement's result.
 * A group is first joined into a list (a chord with Celery's `celery.accumulate` body). Nothing is
 * stored for the replaced run (Celery raises `Ignore`).
 * @module
 */
import type { AnyCanvas } from '../canvas/canvas.js';
import { Chain } from '../canvas/chain.js';
import { Chord } from '../canvas/chord.js';
import { Group } from '../canvas/group.js';
import type { ApplyContext } from '../canvas/plan-types.js';
import { Signature } from '../canvas/signature.js';
import { ImproperlyConfigured, ReplaceRequest } from '../errors.js';
import type { SignatureDict, TaskMessage } from '../protocol/message.js';
import type { Dispatcher } from './dispatch.js';

/**
 * The request `replace(canvas)` throws. Refuses (like Celery, with `ImproperlyConfigured`) a
 * replacement that is already part of a chord, and an empty chain.
 */
export function replaceRequest(canvas: AnyCanvas): ReplaceRequest {
  if (canvas.options.chord) throw new ImproperlyConfigured('A signature replacing a task must not be part of a chord');
  if (canvas instanceof Chain && canvas.tasks.length === 0) throw new ImproperlyConfigured('Cannot replace with an empty chain');
  return new ReplaceRequest(canvas.toJSON());
}

/**
 * Celery's uplift of a group: a chord whose body (`celery.accumulate`) returns the list of member
 * results. The join runs on `queue`, the queue the replaced task came from (a worker that served
 * the task serves its join; Celery would use the default queue).
 */
function joined(canvas: AnyCanvas, queue: string | undefined): AnyCanvas {
  if (!(canvas instanceof Group)) return canvas;
  const options = queue ? { queue } : {};
  const accumulate = new Signature({ task: 'celery.accumulate', kwargs: { index: 0 }, options }, canvas.applier);
  return new Chord(canvas, accumulate, canvas.applier);
}

/** `canvas` with `id` as the id of the node whose result is the canvas' result (Celery's `freeze(id)`). */
export function withResultId(canvas: AnyCanvas, id: string): AnyCanvas {
  if (canvas instanceof Chain) {
    const last = canvas.tasks[canvas.tasks.length - 1];
    if (!last) return canvas;
    const { task_id: _id, ...options } = canvas.options;
    return new Chain([...canvas.tasks.slice(0, -1), withResultId(last, id)], canvas.applier).setRaw(options);
  }
  if (canvas instanceof Chord) {
    return new Chord(canvas.header, withResultId(canvas.body, id), canvas.applier).setRaw(canvas.options);
  }
  return canvas.setRaw({ task_id: id });
}

/**
 * The canvas to send in place of the task of `message`, and the context to send it in (what the
 * task inherited from its message).
 */
export function replacementFor(
  message: Pick<TaskMessage, 'headers' | 'embed'>,
  replacement: AnyCanvas,
  queue?: string,
): { canvas: AnyCanvas; ctx: Partial<ApplyContext> } {
  const { headers: h, embed } = message;
  const canvas = withResultId(joined(replacement, queue), h.id);
  const ctx: Partial<ApplyContext> = {
    parentId: h.id,
    rootId: h.root_id ?? h.id,
    groupId: h.group ?? undefined,
    groupIndex: h.group_index ?? undefined,
    chord: embed.chord ?? undefined,
    chain: embed.chain && embed.chain.length > 0 ? [...embed.chain] : null,
    link: [...(embed.callbacks ?? [])],
    linkError: [...(embed.errbacks ?? [])],
  };
  return { canvas, ctx };
}

/**
 * Send `replacement` (a dict from {@link replaceRequest}) in place of the task of `message`, which
 * came from `queue`.
 */
export async function sendReplacement(dispatcher: Dispatcher, message: Pick<TaskMessage, 'headers' | 'embed'>, replacement: SignatureDict, queue?: string): Promise<void> {
  const { canvas, ctx } = replacementFor(message, await dispatcher.revive(replacement), queue);
  await dispatcher.send(canvas, ctx);
}
