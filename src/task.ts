/**
 * Typed task definitions: `app.task(name, fn)` returns a {@link Task} whose signatures, calls and
 * results carry the function's argument and result types.
 * @module
 */
import type { CanvasApplier } from './canvas/canvas.js';
import { Chunks, XMap, XStarmap } from './canvas/map.js';
import { toOptionsDict, type SignatureOptions } from './canvas/options.js';
import { Signature } from './canvas/signature.js';
import type { ResultTuple } from './protocol/result-meta.js';
import type { AsyncResult } from './result/async-result.js';
import type { TaskSettings } from './worker/registry.js';

/**
 * The argument lists a partial signature may hold: any suffix of the task's parameters, because a
 * parent's result (in a chain) or `applyAsync({ args })` is prepended to them at send time.
 * For `(x: number, y: number)`: `[]`, `[y]` or `[x, y]`.
 */
export type PartialArgs<A extends unknown[]> = A extends [unknown, ...infer Rest] ? A | PartialArgs<Rest> : A;

/**
 * What a task's result reads back as: its return value, except that a returned result handle
 * (AsyncResult, GroupResult) is stored as Celery's result tuple, as Celery does.
 */
export type StoredResult<R> = R extends AsyncResult<unknown> ? ResultTuple : R;

/**
 * A registered task.
 * @typeParam A - the argument tuple.
 * @typeParam R - the (awaited) result type.
 */
export class Task<A extends unknown[], R> {
  constructor(
    /** The task name on the wire. */
    readonly name: string,
    /** The implementation. */
    readonly fn: (...args: A) => R | Promise<R>,
    /** Settings (retries, time limits, queue…). */
    readonly settings: TaskSettings,
    private readonly applier: CanvasApplier,
  ) {}

  /**
   * A partial signature: the given args are the last ones; a parent's result (in a chain) or
   * `applyAsync({ args })` is prepended. `add.s('x')` does not compile for a numeric task.
   */
  s(...args: PartialArgs<A>): Signature<R> {
    return new Signature<R>({ task: this.name, args, options: this.defaultOptions() }, this.applier);
  }

  /** An immutable signature: complete args, ignores a parent's result. */
  si(...args: A): Signature<R> {
    return new Signature<R>({ task: this.name, args, options: this.defaultOptions(), immutable: true }, this.applier);
  }

  /** Send the task now with these args. */
  delay(...args: A): Promise<AsyncResult<R>> {
    return this.si(...args).applyAsync();
  }

  /** Send the task with args, kwargs (sent as Celery kwargs) and options. */
  applyAsync(args: A, options: SignatureOptions & { kwargs?: Record<string, unknown> } = {}): Promise<AsyncResult<R>> {
    const { kwargs, ...rest } = options;
    const sig = this.s(...(args as PartialArgs<A>));
    return (kwargs ? sig.withKwargs(kwargs) : sig).applyAsync({ options: rest });
  }

  /** One `celery.map` message calling this task once per item (single-argument tasks). */
  map(items: ReadonlyArray<A[0]>): XMap<R> {
    return new XMap<R>(this.bare(), items, this.applier);
  }

  /** One `celery.starmap` message calling this task with each item spread as its args. */
  starmap(items: ReadonlyArray<A>): XStarmap<R> {
    return new XStarmap<R>(this.bare(), items, this.applier);
  }

  /** A group of starmaps over slices of `size` items; the result is a list of lists. */
  chunks(items: ReadonlyArray<A>, size: number): Chunks<R> {
    return new Chunks<R>(this.bare(), items, size, this.applier);
  }

  private bare(): Signature<R> {
    return new Signature<R>({ task: this.name, options: this.defaultOptions() }, this.applier);
  }

  private defaultOptions() {
    return this.settings.queue ? toOptionsDict({ queue: this.settings.queue }) : {};
  }
}
