/**
 * `task.map(items)`, `task.starmap(items)` and `task.chunks(items, n)`. Map and starmap are ONE
 * message executed by the built-in `celery.map` / `celery.starmap` task, which calls the inner task
 * in-process for every item (as Celery does). Chunks is a group of starmaps, one per slice.
 * @module
 */
import { CanvasError } from '../errors.js';
import type { SubtaskType } from '../protocol/message.js';
import type { GroupResult } from '../result/group-result.js';
import { Canvas, type AnyCanvas, type ApplyCall, type CanvasApplier } from './canvas.js';
import { Group } from './group.js';
import { Signature } from './signature.js';

/** The inner task of a map, as Celery embeds it: name only (its args and options are not used). */
function innerTask(task: AnyCanvas): Record<string, unknown> {
  return { task: task.task, args: [], kwargs: {}, options: {}, subtask_type: null, immutable: false };
}

/** One `celery.map` message: `task(item)` for each item; the result is the list of results. */
export class XMap<R = unknown> extends Signature<R[]> {
  override readonly subtaskType: SubtaskType | null = 'xmap';
  constructor(task: AnyCanvas, items: readonly unknown[], applier?: CanvasApplier, builtin = 'celery.map') {
    super({ task: builtin, kwargs: { task: innerTask(task), it: [...items] }, immutable: true }, applier ?? task.applier);
  }
}

/** One `celery.starmap` message: `task(...item)` for each item. */
export class XStarmap<R = unknown> extends XMap<R> {
  override readonly subtaskType: SubtaskType | null = 'xstarmap';
  constructor(task: AnyCanvas, items: readonly (readonly unknown[])[], applier?: CanvasApplier) {
    super(task, items, applier, 'celery.starmap');
  }
}

/** A group of `celery.starmap` messages over slices of `n` items; the result is a list of lists. */
export class Chunks<R = unknown> extends Canvas<R[][]> {
  readonly subtaskType = 'chunks' as const;
  readonly inner: AnyCanvas;
  readonly items: readonly (readonly unknown[])[];
  readonly size: number;

  constructor(task: AnyCanvas, items: readonly (readonly unknown[])[], size: number, applier?: CanvasApplier) {
    if (!Number.isInteger(size) || size < 1) throw new CanvasError(`chunks() needs a positive integer size, got ${size}`);
    super({ task: 'celery.chunks', args: [], kwargs: {}, options: {}, immutable: true }, applier ?? task.applier);
    this.inner = task;
    this.items = items;
    this.size = size;
  }

  /** The equivalent group of starmaps (what is actually sent). */
  toGroup(): Group<R[][]> {
    const slices: AnyCanvas[] = [];
    for (let start = 0; start < this.items.length; start += this.size) {
      slices.push(new XStarmap(this.inner, this.items.slice(start, start + this.size), this.applier));
    }
    const group = new Group<R[][]>(slices, this.applier);
    return this.options.task_id ? group.set({ taskId: this.options.task_id }) : group;
  }

  freeze(): this {
    return this.withId();
  }

  /** Send the chunks (as a group of starmaps). */
  applyAsync(call: ApplyCall = {}): Promise<GroupResult<R[][]>> {
    return this.send(call) as Promise<GroupResult<R[][]>>;
  }

  protected override kwargsForJSON(): Record<string, unknown> {
    return { task: innerTask(this.inner), it: this.items.map((item) => [...item]), n: this.size };
  }
}
