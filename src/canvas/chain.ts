/**
 * `chain(a, b, c)`: run steps one after another, each step's result prepended to the next mutable
 * step's args. Nested chains are flattened.
 * @module
 */
import { CanvasError } from '../errors.js';
import type { AsyncResult } from '../result/async-result.js';
import { Canvas, canvasFactories, type AnyCanvas, type ApplyCall, type CanvasApplier, type ResultOf } from './canvas.js';

/** The result type of the last element of a tuple of canvases. */
export type LastResult<S extends readonly AnyCanvas[]> = S extends readonly [...unknown[], infer L] ? ResultOf<L> : unknown;

/** A sequence of steps; its result is the last step's result. */
export class Chain<R = unknown> extends Canvas<R> {
  readonly subtaskType = 'chain' as const;
  /** The steps, in order (nested chains already flattened). */
  readonly tasks: readonly AnyCanvas[];

  constructor(steps: readonly AnyCanvas[], applier?: CanvasApplier) {
    const flat = steps.flatMap((step) => (step instanceof Chain ? step.tasks : [step]));
    super({ task: 'celery.chain', args: [], kwargs: {}, options: {}, immutable: false }, applier ?? flat.find((s) => s.applier)?.applier);
    this.tasks = Object.freeze(flat);
  }

  /** A copy with every step frozen; the chain's id is the last step's id. */
  freeze(): this {
    const count = this.tasks.length;
    const wanted = this.options.task_id;
    // An id set on the chain belongs to its last step (as in Celery).
    const tasks = this.tasks.map((step, i) => (i === count - 1 && wanted && !step.id ? step.setRaw({ task_id: wanted }) : step).freeze());
    const last = tasks[tasks.length - 1];
    return this.withFields({ tasks, options: last?.id ? { ...this.options, task_id: last.id } : this.options });
  }

  /** Send the chain. Its result handle is the last step's; `.parent` walks back through the steps. */
  applyAsync(call: ApplyCall = {}): Promise<AsyncResult<R>> {
    if (this.tasks.length === 0) throw new CanvasError('chain() needs at least one step');
    return this.send(call) as Promise<AsyncResult<R>>;
  }

  protected override kwargsForJSON(): Record<string, unknown> {
    return { tasks: this.tasks.map((step) => step.toJSON()) };
  }
}

/** Chain steps: `chain(add.s(1, 2), add.s(3))`. A group followed by a step becomes a chord. */
export function chain<S extends AnyCanvas[]>(...steps: S): Chain<LastResult<S>> {
  return new Chain<LastResult<S>>(steps);
}

canvasFactories.chain = (steps) => new Chain(steps);
