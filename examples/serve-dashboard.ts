/**
 * The REST API and dashboard on an app with two workflows (Director's `tasks:` form and a DAG).
 *
 *   npm run celeriac -- serve -A examples/serve-dashboard.ts --worker   # http://127.0.0.1:8000/
 *   npx tsx examples/serve-dashboard.ts                             # the same, from code
 *
 * then: curl -X POST -H 'content-type: application/json' \
 *   -d '{"project": "demo", "name": "ETL", "payload": {"user": 1234}}' http://127.0.0.1:8000/api/workflows
 */
import { pathToFileURL } from 'node:url';
import { Celeriac } from '../src/index.js';

export const app = new Celeriac({ broker: process.env['CELERIAC_BROKER_URL'] ?? 'memory://', backend: process.env['CELERIAC_RESULT_BACKEND'] ?? 'memory://' });

app.task('EXTRACT', (kwargs?: unknown) => ({ rows: 3, from: kwargs ?? null }));
app.task('TRANSFORM', (input: { rows: number }) => ({ rows: input.rows * 2 }));
app.task('LOAD', (input: { rows: number }) => `loaded ${input.rows} rows`);
app.task('MERGE', (parts: unknown) => ({ parts: Array.isArray(parts) ? parts.length : 1 }));

app.workflows.define('demo.ETL', {
  description: 'extract, transform, load',
  tasks: ['EXTRACT', 'TRANSFORM', 'LOAD'],
  schema: { type: 'object', required: ['user'], properties: { user: { type: 'integer' } }, additionalProperties: false },
});
app.workflows.define('demo.REPORT', {
  description: 'fan out to three regions, merge, publish',
  nodes: {
    fetch: { task: 'EXTRACT' },
    eu: { task: 'TRANSFORM', after: ['fetch'] },
    us: { task: 'TRANSFORM', after: ['fetch'] },
    asia: { task: 'TRANSFORM', after: ['fetch'] },
    merge: { task: 'MERGE', after: ['eu', 'us', 'asia'] },
    publish: { task: 'LOAD', after: ['merge'] },
  },
});

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { serve } = await import('../src/server/index.js');
  const worker = await app.worker().start();
  const server = await serve(app, { port: Number(process.env['PORT'] ?? 8000) });
  app.logger.info(`dashboard on ${server.url}`);
  process.once('SIGINT', () => void server.close().then(() => worker.stop()).then(() => app.close()));
}
