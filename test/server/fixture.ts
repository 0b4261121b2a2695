/**
 * A workflow app for the server tests: an ETL chain with a payload schema, a DAG whose `slow` node
 * waits until released (to cancel it while it runs), and a workflow whose task fails.
 */
import { Celeriac, type CeleriacOptions, type Worker } from '../../src/index.js';
import { memoryApp } from '../helpers/memory-app.js';

export interface Fixture {
  app: Celeriac;
  worker: Worker;
  /** Let every `slow` task waiting now finish. */
  release(): void;
  close(): Promise<void>;
}

/** Register the test workflows on `app`. */
export function defineFixture(app: Celeriac): { release(): void } {
  const waiting = new Set<() => void>();
  app.task('EXTRACT', () => ({ rows: 3 }));
  app.task('TRANSFORM', (input: { rows: number }) => ({ rows: input.rows * 2 }));
  app.task('LOAD', (input: { rows: number }) => `loaded ${input.rows}`);
  app.task('SLOW', () => new Promise<string>((resolve) => waiting.add(() => resolve('done'))));
  app.task('BOOM', () => {
    throw new Error('the database is down');
  });
  app.workflows.define('example.ETL', {
    tasks: ['EXTRACT', 'TRANSFORM', 'LOAD'],
    schema: { type: 'object', required: ['user'], properties: { user: { type: 'integer' }, dry: { type: 'boolean' } }, additionalProperties: false },
  });
  app.workflows.define('example.SLOW', {
    nodes: { first: { task: 'EXTRACT' }, slow: { task: 'SLOW', after: ['first'] }, last: { task: 'LOAD', after: ['slow'] } },
  });
  app.task('MERGE', (parts: unknown) => ({ parts: Array.isArray(parts) ? parts.length : 1 }));
  app.workflows.define('example.REPORT', {
    description: 'fan out to three cleaners, merge, publish',
    nodes: {
      fetch: { task: 'EXTRACT' },
      clean_eu: { task: 'TRANSFORM', after: ['fetch'] },
      clean_us: { task: 'TRANSFORM', after: ['fetch'] },
      clean_asia: { task: 'TRANSFORM', after: ['fetch'] },
      merge: { task: 'MERGE', after: ['clean_eu', 'clean_us', 'clean_asia'] },
      publish: { task: 'LOAD', after: ['merge'] },
    },
  });
  // A Standard Schema (no JSON Schema for the dashboard to check): only the server validates it.
  const orderSchema = {
    '~standard': {
      version: 1 as const,
      vendor: 'fixture',
      validate: (value: unknown) =>
        typeof (value as { order?: unknown }).order === 'number' ? { value: value as { order: number } } : { issues: [{ message: 'order must be a number', path: ['order'] }] },
    },
  };
  app.workflows.define('example.TYPED', { tasks: ['EXTRACT'], schema: orderSchema });
  app.workflows.define('example.FAIL', { tasks: ['EXTRACT', 'BOOM'] });
  app.workflows.define('example.NIGHTLY', { tasks: ['EXTRACT'], periodic: { interval: 3600, payload: {} } });
  return {
    release: () => {
      for (const resolve of [...waiting]) resolve();
      waiting.clear();
    },
  };
}

/** A memory app with the fixture's workflows and a started worker in this process. */
export async function startFixture(options: CeleriacOptions = {}): Promise<Fixture> {
  const app = memoryApp(options);
  const { release } = defineFixture(app);
  const worker = await app.worker({ concurrency: 8 }).start();
  return {
    app,
    worker,
    release,
    close: async () => {
      release();
      await worker.stop({ timeoutMs: 2000 });
      await app.close();
    },
  };
}
