/**
 * `group(a, b, c)`: run members in parallel; the result is the list of member results in order.
 * Nested groups are flattened into the outer one.
 * @module
 */
import type { GroupResult } from '../result/group-result.js';
import { Canvas, type AnyCanvas, type ApplyCall, type CanvasApplier, type ResultOf } from './canvas.js';

/** The results of a tuple (or array) of canvases. */
export type ResultsOf<S extends readonly AnyCanvas[]> = { -readonly [K in keyof S]: ResultOf<S[K]> };

/** Members run in parallel; the result is their results, in member order. */
export class Group<R extends readonly unknown[] = unknown[]> extends Canvas<R> {
  readonly subtaskType = 'group' as const;
  /** The members (nested groups already flattened). */
  readonly tasks: readonly AnyCanvas[];

  constructor(members: readonly AnyCanvas[], applier?: CanvasApplier) {
    const flat = members.flatMap((member) => (member instanceof Group && !member.options.task_id ? member.tasks : [member]));
    super({ task: 'celery.group', args: [], kwargs: {}, options: {}, immutable: false }, applier ?? flat.find((m) => m.applier)?.applier);
    this.tasks = Object.freeze(flat);
  }

  /** A copy with the group id and every member's id assigned. */
  freeze(): this {
    const withId = this.withId();
    return withId.withFields({ tasks: this.tasks.map((member) => member.freeze()) });
  }

  /** Send every member. Resolves with the group's result once the broker accepted all of them. */
  applyAsync(call: ApplyCall = {}): Promise<GroupResult<R>> {
    return this.send(call) as Promise<GroupResult<R>>;
  }

  protected override kwargsForJSON(): Record<string, unknown> {
    return { tasks: this.tasks.map((member) => member.toJSON()) };
  }
}

/** Run members in parallel: `group(add.s(1, 1), add.s(2, 2))` or `group([...])`. */
export function group<S extends AnyCanvas[]>(...members: S | [S]): Group<ResultsOf<S>> {
  const list = (members.length === 1 && Array.isArray(members[0]) ? members[0] : members) as S;
  return new Group<ResultsOf<S>>(list);
}
