/**
 * The celeriac app and tasks of the benchmark, shared by the producer (this process) and the
 * worker child, so both register the same task names.
 * @module
 */
import { Celeriac, type Task } from '../../src/index.js';
import { celeriacUrls, type Transport } from '../lib/config.js';

/** The bench tasks: `noop()`, `inc(x)`, `xsum(values)`, and W6's workflow node `wfstep`. */
export interface BenchTasks {
  app: Celeriac;
  noop: Task<[], null>;
  inc: Task<[number], number>;
  xsum: Task<[number[]], number>;
}

/** W6's node task: 1 without parents, the parent's value + 1, or the parents' sum + 1. */
export function wfStep(parents?: number | number[]): number {
  if (parents === undefined) return 1;
  return (Array.isArray(parents) ? parents.reduce((a, b) => a + b, 0) : parents) + 1;
}

/** Options of {@link benchApp}. */
export interface BenchAppOptions {
  /** celeriac's `continuations` app option (default: celeriac's default, `'inline'`). */
  continuations?: 'inline' | 'reference';
}

/**
 * Create the bench app on a transport. `onNoop` runs in every `noop` call (the worker uses it to
 * count a drain). `queue` is the default queue.
 */
export function benchApp(transport: Transport, queue: string, onNoop: () => void = () => undefined, options: BenchAppOptions = {}): BenchTasks {
  // CELERIAC_BENCH_EVENTS=1 measures the cost of Celery events (task-sent from the producer, task and worker events from the worker).
  const events = process.env['CELERIAC_BENCH_EVENTS'] === '1';
  const app = new Celeriac({ ...celeriacUrls(transport), logLevel: 'warn', defaultQueue: queue, events, ...(options.continuations ? { continuations: options.continuations } : {}) });
  const noop = app.task('noop', (): null => {
    onNoop();
    return null;
  });
  const inc = app.task('inc', (x: number) => x + 1);
  const xsum = app.task('xsum', (values: number[]) => values.reduce((a, b) => a + b, 0));
  app.task('wfstep', wfStep);
  return { app, noop, inc, xsum };
}

/** Wait until the worker has no task running (polled on the event loop). */
export async function untilIdle(activeCount: () => number): Promise<void> {
  while (activeCount() > 0) await new Promise((resolve) => setImmediate(resolve));
}
