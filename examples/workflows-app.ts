/**
 * The workflow examples as an app module for the CLI and the demo:
 *   npx celeriac -A examples/workflows-app.ts workflow list
 * It registers the TypeScript tasks and loads every definition in examples/workflows/.
 */
import { fileURLToPath } from 'node:url';
import { Celeriac, currentTask } from '../src/index.js';
import { currentWorkflow } from '../src/workflow/current.js';

/** Register the example tasks on `app` (Director's product.ORDER and the ETL DAG). */
export function registerWorkflowTasks(app: Celeriac, log: (line: string) => void = () => undefined): void {
  let nextOrder = 0;
  app.task('ORDER_PRODUCT', () => {
    const { payload } = currentWorkflow<{ user: number; product: number }>()!;
    const orderId = (nextOrder += 1);
    log(`ORDER_PRODUCT: user ${payload.user} orders product ${payload.product} → order ${orderId}`);
    return orderId;
  });
  app.task('SEND_MAIL', (orderId: number) => {
    const { payload } = currentWorkflow<{ user: number }>()!;
    log(`SEND_MAIL: mail user ${payload.user} about order ${orderId}`);
    return `Mail sent to user ${payload.user} for order ${orderId}`;
  });
  app.task('EXTRACT', () => {
    const source = String(currentTask()!.kwargs['source']);
    const rows = source.length * 100 + source.charCodeAt(0);
    log(`EXTRACT: ${rows} rows from source ${source}`);
    return { source, rows };
  });
  app.task('MERGE', (parts: Array<{ source: string; rows: number }>) => {
    const merged = { sources: parts.map((part) => part.source), rows: parts.reduce((sum, part) => sum + part.rows, 0) };
    log(`MERGE: ${merged.sources.join(' + ')} → ${merged.rows} rows`);
    return merged;
  });
  app.task('REPORT', (merged: { sources: string[]; rows: number }) => `${merged.rows} rows from ${merged.sources.join(', ')}`);
}

/** The example app: embedded memory broker and backend unless the environment says otherwise. */
export const app = new Celeriac({
  broker: process.env['CELERIAC_BROKER_URL'] ?? 'memory://',
  backend: process.env['CELERIAC_RESULT_BACKEND'] ?? 'memory://',
  logLevel: 'warn',
});
registerWorkflowTasks(app);
await app.workflows.load(fileURLToPath(new URL('./workflows', import.meta.url)));
export default app;
