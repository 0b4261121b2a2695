/**
 * Server-sent events: one run's (`GET /api/workflows/:id/events`: a `snapshot` of the run with its
 * tasks, then its `run` and `node` events) and every run's (`GET /api/events`: `run` events, and
 * `node` events with `?nodes=true`). A client that reconnects gets a fresh snapshot, so it catches
 * up on whatever it missed.
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Celeriac } from '../../app.js';
import type { WorkflowEvent } from '../../workflow/types.js';
import { workflowWithTasks } from '../director.js';
import type { ServerMetrics } from '../metrics.js';

const HEARTBEAT_MS = 15_000;

/** Open an event stream on a hijacked reply; returns a writer and registers the cleanup. */
function openStream(request: FastifyRequest, reply: FastifyReply, metrics: ServerMetrics, onClose: () => void): (event: string, data: unknown) => void {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  raw.write('retry: 2000\n\n');
  metrics.sseClients.inc();
  const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  let closed = false;
  request.raw.on('close', () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    metrics.sseClients.dec();
    onClose();
  });
  return (event, data) => {
    if (!closed) raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
}

/** Register the event stream routes. */
export function eventRoutes(server: FastifyInstance, app: Celeriac, metrics: ServerMetrics): void {
  const wf = app.workflows;

  server.get<{ Params: { id: string } }>(
    '/api/workflows/:id/events',
    {
      schema: {
        summary: "A run's events (text/event-stream): `snapshot` (the run with its tasks), then `run` and `node` events",
        tags: ['events'],
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } },
      },
    },
    async (request, reply) => {
      const runId = request.params.id;
      const snapshot = await wf.get(runId); // 404 before the stream opens
      const pending: WorkflowEvent[] = [];
      let send: ((event: string, data: unknown) => void) | undefined;
      const listener = (event: WorkflowEvent): void => {
        if (event.runId !== runId) return;
        if (send) send(event.kind, event);
        else pending.push(event);
      };
      const offRun = wf.on('run', listener);
      const offNode = wf.on('node', listener);
      const write = openStream(request, reply, metrics, () => {
        offRun();
        offNode();
      });
      // Read again once subscribed: events between the first read and the subscription are in it.
      const fresh = await wf.get(runId).catch(() => snapshot);
      write('snapshot', workflowWithTasks(fresh));
      send = write;
      for (const event of pending.splice(0)) write(event.kind, event);
    },
  );

  server.get<{ Querystring: { nodes?: string } }>(
    '/api/events',
    {
      schema: {
        summary: 'Events of every run (text/event-stream): `run` events, and `node` events with ?nodes=true',
        tags: ['events'],
        querystring: { type: 'object', additionalProperties: false, properties: { nodes: { type: 'string', enum: ['true', 'false', '1', '0'] } } },
      },
    },
    async (request, reply) => {
      const withNodes = request.query.nodes === 'true' || request.query.nodes === '1';
      let write: ((event: string, data: unknown) => void) | undefined;
      const offRun = wf.on('run', (event) => write?.('run', event));
      const offNode = withNodes ? wf.on('node', (event) => write?.('node', event)) : () => undefined;
      write = openStream(request, reply, metrics, () => {
        offRun();
        offNode();
      });
      write('ready', { at: new Date().toISOString() });
    },
  );
}
