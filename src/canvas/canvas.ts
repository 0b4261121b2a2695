/**
 * The immutable base of every canvas value (task signature, chain, group, chord, map, chunks).
 * A canvas is a plain value: building one does no I/O. `applyAsync()` hands it to the app it was
 * created from (its {@link CanvasApplier}).
 * @module
 */
import { newId } from '../ids.js';
import type { SignatureDict, SignatureOptionsDict, SubtaskType } from '../protocol/message.js';
import type { Chain } from './chain.js';
import { mergeOptions, toOptionsDict, type SignatureOptions } from './options.js';

/** What a canvas needs from the app to be sent. Implemented by the app's publisher. */
export interface CanvasApplier {
  /** Send `canvas` (with partial args/kwargs prepended) and return its result handle. */
  applyCanvas(canvas: AnyCanvas, call: ApplyCall): Promise<unknown>;
}

/** Arguments of one `applyAsync` call. */
export interface ApplyCall {
  /** Partial args, prepended to the canvas' own args (ignored by immutable signatures). */
  args?: readonly unknown[];
  /** Partial kwargs, merged over the canvas' own kwargs. */
  kwargs?: Readonly<Record<string, unknown>>;
  /** Options for this call, over the canvas' own. */
  options?: SignatureOptions;
}

/** Any canvas, whatever its result type. */
export type AnyCanvas = Canvas<unknown>;

/** The result type a canvas produces. */
export type ResultOf<C> = C extends Canvas<infer R> ? R : never;

/** Fields every canvas has; subclasses keep their children in their own fields. */
interface CanvasFields {
  readonly task: string;
  readonly args: readonly unknown[];
  readonly kwargs: Readonly<Record<string, unknown>>;
  readonly options: Readonly<SignatureOptionsDict>;
  readonly immutable: boolean;
}

let currentApplier: CanvasApplier | undefined;

/**
 * Make `applier` the current app: canvases built without one (e.g. an empty `group()`) are sent
 * through it, like Celery's `current_app`. Every new app becomes current.
 */
export function setCurrentApplier(applier: CanvasApplier): void {
  currentApplier = applier;
}

/** Factories registered by subclasses, so the base can build chains without an import cycle. */
export const canvasFactories: {
  chain?: (steps: readonly AnyCanvas[]) => AnyCanvas;
} = {};

/**
 * Base class of every canvas value. Values are immutable (their args, kwargs and options are frozen);
 * every "change" returns a new value of the same class.
 * @typeParam R - the result type this canvas produces when it completes.
 */
export abstract class Canvas<R> implements CanvasFields {
  /** Phantom field carrying the result type; never set at run time. */
  declare readonly __result?: R;
  readonly task: string;
  readonly args: readonly unknown[];
  readonly kwargs: Readonly<Record<string, unknown>>;
  readonly options: Readonly<SignatureOptionsDict>;
  readonly immutable: boolean;
  /** The app that sends this canvas (not serialized). */
  readonly applier: CanvasApplier | undefined;

  /** `subtask_type` of Celery's signature dict. */
  abstract readonly subtaskType: SubtaskType | null;

  protected constructor(fields: CanvasFields, applier: CanvasApplier | undefined) {
    this.task = fields.task;
    this.args = Object.freeze([...fields.args]);
    this.kwargs = Object.freeze({ ...fields.kwargs });
    this.options = Object.freeze({ ...fields.options });
    this.immutable = fields.immutable;
    this.applier = applier;
  }

  /** The task (or group) id, once assigned by {@link freeze} or `set({ taskId })`. */
  get id(): string | undefined {
    return this.options.task_id;
  }

  /** A copy with these execution options merged over the current ones. */
  set(options: SignatureOptions): this {
    return this.withFields({ options: mergeOptions(this.options, toOptionsDict(options)) });
  }

  /** A copy with raw Celery options merged over the current ones (advanced; snake_case keys). */
  setRaw(options: SignatureOptionsDict): this {
    return this.withFields({ options: mergeOptions(this.options, options) });
  }

  /** A copy; `args` are appended to the partial args, `kwargs` merged, `options` merged. */
  clone(extra: ApplyCall = {}): this {
    return this.withFields({
      args: [...this.args, ...(extra.args ?? [])],
      kwargs: { ...this.kwargs, ...(extra.kwargs ?? {}) },
      options: mergeOptions(this.options, toOptionsDict(extra.options ?? {})),
    });
  }

  /** A copy with these keyword arguments merged in (they travel as Celery kwargs). */
  withKwargs(kwargs: Readonly<Record<string, unknown>>): this {
    return this.withFields({ kwargs: { ...this.kwargs, ...kwargs } });
  }

  /** A copy that ignores the parent's result (Celery's `si()` / `immutable=True`). */
  asImmutable(): this {
    return this.withFields({ immutable: true });
  }

  /** A copy that runs `callback` with this canvas' result when it succeeds. */
  link(callback: AnyCanvas): this {
    const link = [...(this.options.link ?? []), callback.toJSON()];
    return this.withFields({ options: { ...this.options, link } });
  }

  /**
   * A copy that runs `errback` when this canvas fails. The errback receives the failed task id as
   * its first argument (Celery's convention), followed by its own args.
   */
  linkError(errback: AnyCanvas): this {
    const linkError = [...(this.options.link_error ?? []), errback.toJSON()];
    return this.withFields({ options: { ...this.options, link_error: linkError } });
  }

  /** A chain of this canvas followed by `steps` (`a.pipe(b, c)` is `chain(a, b, c)`). */
  pipe<S extends AnyCanvas[]>(...steps: S): Chain<S extends [...unknown[], infer L] ? ResultOf<L> : R> {
    const make = canvasFactories.chain;
    if (!make) throw new Error('celeriac: canvas/chain.js is not loaded');
    return make([this, ...steps]) as Chain<S extends [...unknown[], infer L] ? ResultOf<L> : R>;
  }

  /** A copy with ids assigned (task id; group, chord and chain ids; every member's id). */
  abstract freeze(): this;

  /** Celery's signature dict (what travels in messages). */
  toJSON(): SignatureDict {
    return {
      task: this.task,
      args: [...this.args],
      kwargs: this.kwargsForJSON(),
      options: { ...this.options },
      subtask_type: this.subtaskType,
      immutable: this.immutable,
    };
  }

  /** Kwargs as they appear in the dict; canvas types put their children here. */
  protected kwargsForJSON(): Record<string, unknown> {
    return { ...this.kwargs };
  }

  /** The id assigned if none is set yet. */
  protected withId(): this {
    return this.options.task_id ? this : this.withFields({ options: { ...this.options, task_id: newId() } });
  }

  /** Send through the app this canvas came from. */
  protected send(call: ApplyCall): Promise<unknown> {
    const applier = this.applier ?? currentApplier;
    if (!applier) {
      throw new Error(
        `celeriac: cannot send '${this.task}': this signature is not bound to an app (create it with app.task(...).s() or app.signature())`,
      );
    }
    return applier.applyCanvas(this, call);
  }

  /** A copy of this value with some fields replaced (and subclass fields kept). */
  protected withFields(changes: Partial<CanvasFields> & Record<string, unknown>): this {
    const copy = Object.create(Object.getPrototypeOf(this) as object) as this;
    Object.assign(copy, this, changes);
    for (const key of ['args', 'kwargs', 'options'] as const) Object.freeze(copy[key]);
    return copy;
  }
}
