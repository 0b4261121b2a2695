/**
 * Celery Director's example on celeriac: the YAML folder examples/workflows/ (product.ORDER with its
 * JSON Schema, the ETL DAG), run with a valid payload, then refused with an invalid one.
 */
import { fileURLToPath } from 'node:url';
import type { Celeriac } from '../src/index.js';
import { PayloadError } from '../src/workflow/errors.js';
import { registerWorkflowTasks } from './workflows-app.js';

/** Load the example folder on `app`, run product.ORDER and etl.DAILY, and try a bad payload (a worker must be running). */
export async function runDirectorExample(app: Celeriac, log: (line: string) => void = () => undefined) {
  registerWorkflowTasks(app, log);
  await app.workflows.load(fileURLToPath(new URL('./workflows', import.meta.url)));
  const order = await (await app.workflows.run('product.ORDER', { user: 1234, product: 1000 }, { comment: 'from the demo' })).wait({ timeout: 10_000 });
  log(`product.ORDER ${order.id}: ${order.status}`);
  const etl = await (await app.workflows.run('etl.DAILY', {})).wait({ timeout: 10_000 });
  log(`etl.DAILY ${etl.id}: ${etl.status}`);
  let rejected: string[] = [];
  try {
    await app.workflows.run('product.ORDER', { user: 'john', product: 1000 });
  } catch (error) {
    if (!(error instanceof PayloadError)) throw error;
    rejected = error.problems.map((problem) => `${problem.path}: ${problem.message}`);
    log(`{"user": "john", "product": 1000} refused: ${rejected.join('; ')}`);
  }
  return {
    order: { status: order.status, tasks: order.tasks.map((task) => [task.key, task.status, task.result]) },
    etl: { status: etl.status, report: etl.tasks.find((task) => task.key === 'report')?.result },
    rejected,
  };
}
