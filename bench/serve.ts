/**
 * Bench of `celeriac serve` (one run, numbers printed as a table and saved to bench/results/serve.json):
 * - requests/s and p99 latency of POST /api/workflows and GET /api/workflows/:id, 100 concurrent
 *   clients (autocannon), on a memory app: the API's own cost (the worker that finished the seed run
 *   is stopped during the load, as workers run in other processes in production; runs created by
 *   the POST load stay queued);
 * - the dashboard's first render of a 1,000-node graph in headless Chromium (ms from navigation
 *   until the 1,000 nodes are drawn).
 *
 *   npx tsx bench/serve.ts [--duration 10] [--connections 100] [--nodes 1000]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Options, Result } from 'autocannon';
import { Celeriac } from '../src/index.js';
import { serve } from '../src/server/index.js';
import { buildDashboard, launchChromium } from '../test/server/browser.js';

const { values } = parseArgs({ options: { duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '100' }, nodes: { type: 'string', default: '1000' } } });
const duration = Number(values.duration);
const connections = Number(values.connections);
const nodeCount = Number(values.nodes);

const app = new Celeriac({ broker: 'memory://serve-bench', backend: 'memory://serve-bench', logLevel: 'error' });
for (const name of ['STEP', 'EXTRACT', 'TRANSFORM', 'LOAD']) app.task(name, () => 1);
app.workflows.define('bench.ETL', { tasks: ['EXTRACT', 'TRANSFORM', 'LOAD'], schema: { type: 'object', properties: { n: { type: 'integer' } } } });
// A wide, layered DAG: layers of 20 nodes, each node after one node of the previous layer.
const nodes: Record<string, { task: string; after?: string[] }> = {};
for (let i = 0; i < nodeCount; i += 1) nodes[`n${i}`] = i < 20 ? { task: 'STEP' } : { task: 'STEP', after: [`n${i - 20}`] };
app.workflows.define('bench.BIG', { nodes });
const worker = await app.worker({ concurrency: 64 }).start();
const dashboard = await buildDashboard();
const server = await serve(app, { port: 0, dashboardDir: dashboard });

const seed = await app.workflows.run('bench.ETL', { n: 1 });
await seed.wait({ timeout: 10_000 });
await worker.stop({ timeoutMs: 5_000 });

/** autocannon in its own process (in this one it would compete with the server for the event loop). */
async function autocannon(options: Options): Promise<Result> {
  const args = ['-c', String(options.connections ?? 100), '-d', String(options.duration ?? 10), '-m', options.method ?? 'GET', '--json'];
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push('-H', `${name}=${value}`);
  if (options.body !== undefined) args.push('-b', options.body);
  const { stdout } = await promisify(execFile)('node_modules/.bin/autocannon', [...args, options.url], { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as Result;
}

const results: Record<string, unknown> = { duration, connections, node: process.version, cpus: cpus().length, loadAverageBefore: loadavg()[0], at: new Date().toISOString() };
console.log(`${cpus().length} CPUs, load average ${loadavg()[0]?.toFixed(1)} (figures are only comparable at a similar load)`);
const show = (name: string, r: Result): void => {
  results[name] = { requestsPerSecond: Math.round(r.requests.average), p50ms: r.latency.p50, p99ms: r.latency.p99, maxMs: r.latency.max, total: r.requests.total, non2xx: r.non2xx, errors: r.errors };
  console.log(`${name.padEnd(28)} ${String(Math.round(r.requests.average)).padStart(7)} req/s   p50 ${r.latency.p50} ms   p99 ${r.latency.p99} ms   non-2xx ${r.non2xx}   errors ${r.errors}`);
};

show('POST /api/workflows', await autocannon({ url: `${server.url}/api/workflows`, method: 'POST', connections, duration, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ project: 'bench', name: 'ETL', payload: { n: 1 } }) }));
show('GET /api/workflows/:id', await autocannon({ url: `${server.url}/api/workflows/${seed.id}`, connections, duration }));

const big = await app.workflows.run('bench.BIG', {}); // drawn with its nodes pending: the layout is the cost
const chromium = await launchChromium();
try {
  const page = await chromium.context.newPage();
  const renders: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    const started = Date.now();
    await page.goto(`${server.url}/#/runs/${big.id}`);
    await page.waitForFunction(`document.querySelectorAll('svg.dag g.node').length === ${nodeCount}`, undefined, { timeout: 120_000 });
    renders.push(Date.now() - started);
    await page.goto('about:blank');
  }
  results['graphFirstRender'] = { nodes: nodeCount, ms: renders };
  console.log(`dashboard graph, ${nodeCount} nodes   first render ${renders.join(' / ')} ms`);
} finally {
  await chromium.close();
  await server.close();
  await app.close();
}
results['loadAverageAfter'] = loadavg()[0];
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/serve.json', `${JSON.stringify(results, null, 2)}\n`);
