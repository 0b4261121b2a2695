/**
 * `chord(header, body)`: run the header group, then the body with the list of header results (in
 * header order) prepended to its args. An empty header runs the body with `[]`.
 * @module
 */
import type { AsyncResult } from '../result/async-result.js';
import { Canvas, type AnyCanvas, type ApplyCall, type CanvasApplier, type ResultOf } from './canvas.js';
import { Chain } from './chain.js';
import { Group } from './group.js';

/**
 * What a chord accepts as its header, as Celery's `chord()` does: a group, a list of canvases, a
 * chain (Celery takes its steps as the header's parallel members) or one canvas (a one-member header).
 */
export type ChordHeader = Group | readonly AnyCanvas[] | AnyCanvas;

/** The header group of {@link ChordHeader}, following Celery's rules. */
function headerGroup(header: ChordHeader): Group {
  if (header instanceof Group) return header;
  if (header instanceof Chain) return new Group(header.tasks);
  if (Array.isArray(header)) return new Group(header as readonly AnyCanvas[]);
  return new Group([header as AnyCanvas]);
}

/** What a chord does when a header task fails. */
export interface ChordOptions {
  /**
   * `'fail'` (default): the chord fails with a ChordError naming the first failed part and the
   * body's errbacks fire once. `'runBody'`: the body runs anyway with every outcome in header order
   * (results, and Celery exception dicts `{exc_type, exc_message, exc_module}` for failures).
   * `'runBody'` is a celeriac extension: the worker completing the chord must be celeriac.
   */
  onHeaderFailure?: 'fail' | 'runBody';
}

/** The option key that carries {@link ChordOptions.onHeaderFailure} on the body. */
export const HEADER_FAILURE_OPTION = 'celeriac_on_header_failure';

/** A header group whose results feed one body. Its result is the body's. */
export class Chord<R = unknown> extends Canvas<R> {
  readonly subtaskType = 'chord' as const;
  readonly header: Group;
  readonly body: AnyCanvas;

  constructor(header: ChordHeader, body: AnyCanvas, applier?: CanvasApplier) {
    const group = headerGroup(header);
    super(
      { task: 'celery.chord', args: [], kwargs: {}, options: {}, immutable: false },
      applier ?? group.applier ?? body.applier ?? group.tasks.find((m) => m.applier)?.applier,
    );
    this.header = group;
    this.body = body;
  }

  /** A copy with the header group id (the chord's `task_id`), member ids and the body id assigned. */
  freeze(): this {
    const header = this.header.set({ taskId: this.options.task_id ?? this.header.id ?? undefined }).freeze();
    return this.withFields({ header, body: this.body.freeze(), options: { ...this.options, task_id: header.id } });
  }

  /** Send the chord. Its result handle is the body's; `.parent` is the header's group result. */
  applyAsync(call: ApplyCall = {}): Promise<AsyncResult<R>> {
    return this.send(call) as Promise<AsyncResult<R>>;
  }

  protected override kwargsForJSON(): Record<string, unknown> {
    return { header: this.header.toJSON(), body: this.body.toJSON(), kwargs: { ...this.kwargs } };
  }
}

/**
 * `chord([add.s(1, 1), add.s(2, 2)], xsum.s())`: the body gets `[2, 4]`. As in Celery, a chain given
 * as the header contributes its steps as parallel header members (`chord(chain(a, b), body)` is
 * `chord([a, b], body)`); to run a chain as one header member, put it in a list: `chord([chain(a, b)], body)`.
 */
export function chord<B extends AnyCanvas>(header: ChordHeader, body: B, options: ChordOptions = {}): Chord<ResultOf<B>> {
  const made = new Chord<ResultOf<B>>(header, body);
  return options.onHeaderFailure === 'runBody' ? made.setRaw({ [HEADER_FAILURE_OPTION]: 'run_body' }) : made;
}
