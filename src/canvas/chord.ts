/**
 * `chord(header, body)`: run the header group, then the body with the list of header results (in
 * header order) prepended to its args. An empty header runs the body with `[]`.
 * @module
 */
import type { AsyncResult } from '../result/async-result.js';
import { Canvas, type AnyCanvas, type ApplyCall, type CanvasApplier, type ResultOf } from './canvas.js';
import { Group } from './group.js';

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

  constructor(header: Group | readonly AnyCanvas[], body: AnyCanvas, applier?: CanvasApplier) {
    const headerGroup = header instanceof Group ? header : new Group(header);
    super(
      { task: 'celery.chord', args: [], kwargs: {}, options: {}, immutable: false },
      applier ?? headerGroup.applier ?? body.applier ?? headerGroup.tasks.find((m) => m.applier)?.applier,
    );
    this.header = headerGroup;
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

/** `chord([add.s(1, 1), add.s(2, 2)], xsum.s())`: the body gets `[2, 4]`. */
export function chord<B extends AnyCanvas>(header: Group | readonly AnyCanvas[], body: B, options: ChordOptions = {}): Chord<ResultOf<B>> {
  const made = new Chord<ResultOf<B>>(header, body);
  return options.onHeaderFailure === 'runBody' ? made.setRaw({ [HEADER_FAILURE_OPTION]: 'run_body' }) : made;
}
