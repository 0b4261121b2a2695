/**
 * A single task call: name, args, kwargs, options. The unit every other canvas is built from.
 * @module
 */
import type { SignatureOptionsDict, SubtaskType } from '../protocol/message.js';
import type { AsyncResult } from '../result/async-result.js';
import { Canvas, type ApplyCall, type CanvasApplier } from './canvas.js';

/**
 * A serializable task call. Created by `task.s(...)`, `task.si(...)` or `app.signature(name, ...)`.
 * @typeParam R - the task's result type.
 */
export class Signature<R = unknown> extends Canvas<R> {
  readonly subtaskType: SubtaskType | null = null;

  constructor(
    spec: {
      task: string;
      args?: readonly unknown[];
      kwargs?: Readonly<Record<string, unknown>>;
      options?: SignatureOptionsDict;
      immutable?: boolean;
    },
    applier?: CanvasApplier,
  ) {
    super(
      {
        task: spec.task,
        args: spec.args ?? [],
        kwargs: spec.kwargs ?? {},
        options: spec.options ?? {},
        immutable: spec.immutable ?? false,
      },
      applier,
    );
  }

  /** A copy with a task id assigned (if it had none). */
  freeze(): this {
    return this.withId();
  }

  /**
   * Send the task. Resolves once the broker accepted the message, with a handle on its result.
   * `call.args` are prepended to the signature's partial args (unless it is immutable).
   */
  applyAsync(call: ApplyCall = {}): Promise<AsyncResult<R>> {
    return this.send(call) as Promise<AsyncResult<R>>;
  }

  /** Send the task with extra positional args (shortcut for `applyAsync({ args })`). */
  delay(...args: unknown[]): Promise<AsyncResult<R>> {
    return this.applyAsync({ args });
  }
}
