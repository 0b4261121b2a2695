/**
 * The celeriac side of the interop tests: ts.* tasks (mirrors of interop_tasks.py's py.* tasks)
 * and name-only signatures for the py.* tasks that exist only in Python.
 */
import { currentTask, group, signatureFromDict, type Celeriac, type Signature, type SignatureOptions } from '../../src/index.js';

/** Thrown by `ts.fail`; stored as Python's `builtins.ValueError`. */
export class ValueError extends Error {
  override name = 'ValueError';
}

/** Stands for interop_tasks.py's `ExpectedError`: Python catches it by that class. */
export class ExpectedError extends Error {
  override name = 'ExpectedError';
  readonly excModule = 'interop_tasks';
}

/** Register the ts.* tasks on `app`, routed to `queue`. */
export function registerTsTasks(app: Celeriac, queue: string) {
  const settings = { queue };
  const tasks = {
    add: app.task('ts.add', (x: number, y: number) => x + y, settings),
    identity: app.task('ts.identity', (value: unknown) => value, settings),
    mul: app.task('ts.mul', (x: number, y: number) => x * y, settings),
    xsum: app.task('ts.xsum', (values: number[]) => values.reduce((a, b) => a + b, 0), settings),
    /** Returns its args and kwargs (kwargs come from the message, e.g. a Python caller's). */
    echo: app.task('ts.echo', (...args: unknown[]) => ({ args, kwargs: currentTask()?.kwargs ?? {} }), settings),
    /** What the worker saw: ids, retries, group, queue, plus when it ran. */
    info: app.task(
      'ts.info',
      (...args: unknown[]) => {
        const task = currentTask();
        return {
          id: task?.id,
          args,
          retries: task?.retries,
          root_id: task?.rootId,
          parent_id: task?.parentId,
          group: task?.groupId,
          queue: task?.queue,
          ran_at: new Date().toISOString(),
        };
      },
      settings,
    ),
    fail: app.task(
      'ts.fail',
      (message: string = 'ts boom'): never => {
        throw new ValueError(message);
      },
      settings,
    ),
    failExpected: app.task(
      'ts.fail_expected',
      (message: string): never => {
        throw new ExpectedError(message);
      },
      settings,
    ),
    /** Retries twice (countdown 0.1 s), then returns how many retries it took. */
    retryThenOk: app.task(
      'ts.retry_then_ok',
      () => {
        const task = currentTask();
        if (!task) throw new Error('ts.retry_then_ok must run inside a worker');
        if (task.retries < 2) task.retry({ countdown: 0.1 });
        return task.retries;
      },
      { ...settings, maxRetries: 5 },
    ),
    /** An errback: gets the failed task's id first (Celery's convention) and records it as its result. */
    onError: app.task('ts.on_error', (taskId: string) => `ts.on_error recorded ${taskId}`, settings),
  };
  return {
    ...tasks,
    /** Replaces itself with ts.add (the workflow it is in goes on with the sum). */
    addReplaced: app.task('ts.add_replaced', (x: number, y: number): number => currentTask()!.replace(tasks.add.s(x, y)), settings),
    /** Replaces itself with a group of ts.add: the workflow goes on with the list of sums. */
    /** Rebuilds a signature dict (from either language) and replaces itself with it. */
    runSignature: app.task('ts.run_signature', (dict: unknown): unknown => currentTask()!.replace(signatureFromDict(dict)), settings),
    addToAll: app.task('ts.add_to_all', (nums: number[], value: number): number[] => currentTask()!.replace(group(nums.map((n) => tasks.add.s(n, value)))), settings),
  };
}

/** The ts.* task handles. */
export type TsTasks = ReturnType<typeof registerTsTasks>;

/** The py.* task names; the app routes them to the Python queue. */
export const PY_TASK_NAMES = [
  'py.add', 'py.mul', 'py.xsum', 'py.echo', 'py.info', 'py.fail', 'py.retry_then_ok', 'py.on_error', 'py.add_replaced', 'py.add_to_all',
  'py.run_signature',
] as const;

/** Name-only signatures of the Python tasks. */
export function pyTasks(app: Celeriac) {
  const sig = <R>(name: string) => (args: unknown[] = [], options: SignatureOptions = {}): Signature<R> => app.signature<R>(name, args, {}, options);
  return {
    add: sig<number>('py.add'),
    mul: sig<number>('py.mul'),
    xsum: sig<number>('py.xsum'),
    echo: sig<{ args: unknown[]; kwargs: Record<string, unknown> }>('py.echo'),
    info: sig<Record<string, unknown>>('py.info'),
    fail: sig<never>('py.fail'),
    retryThenOk: sig<number>('py.retry_then_ok'),
    onError: sig<string>('py.on_error'),
    addReplaced: sig<number>('py.add_replaced'),
    addToAll: sig<number[]>('py.add_to_all'),
    runSignature: sig<unknown>('py.run_signature'),
  };
}

/** The py.* signature factories. */
export type PyTasks = ReturnType<typeof pyTasks>;
