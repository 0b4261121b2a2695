/**
 * Celery's built-in tasks a worker must implement to run canvases sent by Python:
 * `celery.map`, `celery.starmap` (call the inner task in-process per item) and `celery.accumulate`.
 * @module
 */
import { CanvasError, NotRegisteredError } from '../errors.js';
import { currentTask } from './context.js';
import type { TaskRegistry } from './registry.js';

function innerName(kwargs: Readonly<Record<string, unknown>>): string {
  const task = kwargs['task'];
  const name = typeof task === 'object' && task !== null ? (task as { task?: unknown }).task : undefined;
  if (typeof name !== 'string') throw new CanvasError('celery.map/starmap: kwargs.task must be a signature');
  return name;
}

/** Register the built-ins on `registry`. */
export function registerBuiltins(registry: TaskRegistry): void {
  const mapper = (spread: boolean) => async (): Promise<unknown[]> => {
    const ctx = currentTask();
    const kwargs = ctx?.kwargs ?? {};
    const name = innerName(kwargs);
    const inner = registry.get(name);
    if (!inner) throw new NotRegisteredError(name);
    const items = kwargs['it'];
    if (!Array.isArray(items)) throw new CanvasError('celery.map/starmap: kwargs.it must be a list');
    const call = inner.fn as (...args: unknown[]) => unknown;
    const results: unknown[] = [];
    for (const item of items) results.push(await (spread ? call(...(item as unknown[])) : call(item)));
    return results;
  };
  registry.register({ name: 'celery.map', fn: mapper(false), settings: {} });
  registry.register({ name: 'celery.starmap', fn: mapper(true), settings: {} });
  registry.register({
    name: 'celery.accumulate',
    fn: ((...args: unknown[]) => {
      const index = currentTask()?.kwargs['index'];
      return typeof index === 'number' ? args[index] : args;
    }) as never,
    settings: {},
  });
}
