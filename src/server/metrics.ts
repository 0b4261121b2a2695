/**
 * Prometheus metrics of `celeriac serve` (prom-client, its own registry): HTTP requests by route
 * and status with their durations, runs started, run and node status changes seen, open SSE
 * streams, and the process's default metrics.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Celeriac } from '../app.js';

/** The server's metric instruments. */
export interface ServerMetrics {
  readonly registry: Registry;
  readonly runsStarted: Counter<'workflow'>;
  readonly sseClients: Gauge;
  /** Stop listening to workflow events. */
  close(): void;
}

/** Create the registry and hook it to the server's requests and the app's workflow events. */
export function createMetrics(server: FastifyInstance, app: Celeriac): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'celeriac_serve_' });
  const requests = new Histogram({
    name: 'celeriac_http_request_duration_seconds',
    help: 'HTTP requests served, by method, route and status code',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const runsStarted = new Counter({ name: 'celeriac_workflow_runs_started_total', help: 'Workflow runs started through this server', labelNames: ['workflow'], registers: [registry] });
  const runEvents = new Counter({ name: 'celeriac_workflow_run_status_total', help: 'Run status changes seen (from every process)', labelNames: ['workflow', 'status'], registers: [registry] });
  const nodeEvents = new Counter({ name: 'celeriac_workflow_node_status_total', help: 'Node status changes seen (from every process)', labelNames: ['status'], registers: [registry] });
  const sseClients = new Gauge({ name: 'celeriac_sse_clients', help: 'Open server-sent event streams', registers: [registry] });

  server.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  const offRun = app.workflows.on('run', (event) => runEvents.inc({ workflow: event.fullname, status: event.status }));
  const offNode = app.workflows.on('node', (event) => nodeEvents.inc({ status: event.status }));

  server.get('/metrics', { schema: { summary: 'Prometheus metrics (text exposition format)', tags: ['operations'] } }, async (_request, reply) => {
    return reply.type(registry.contentType).send(await registry.metrics());
  });
  return {
    registry,
    runsStarted,
    sseClients,
    close: () => {
      offRun();
      offNode();
    },
  };
}
