/** What every matrix cell shares: the combination's apps, workers and wait budget. */
import type { Broker, Celeriac } from '../../src/index.js';
import type { Combo } from './combos.js';
import type { PythonEnv, PythonWorker } from './harness.js';
import type { PyTasks, TsTasks } from './ts-tasks.js';

/** Result waits in the cells (ms); generous, since two workers and two languages share the CPUs. */
export const WAIT_MS = 15_000;

/** What the cells use; filled in by the combination's `beforeAll` (suite.ts). */
export interface InteropContext {
  readonly combo: Combo;
  readonly env: PythonEnv;
  app: Celeriac;
  ts: TsTasks;
  py: PyTasks;
  broker: Broker;
  pyWorker: PythonWorker;
}
