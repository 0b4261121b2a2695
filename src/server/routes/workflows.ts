/**
 * Director's workflow endpoints: create, list, read, relaunch, cancel (same paths, bodies and
 * status codes), plus celeriac's resume.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { Celeriac } from '../../app.js';
import type { RunStatus } from '../../workflow/types.js';
import { workflowJson, workflowWithTasks } from '../director.js';
import { HttpError } from '../http-errors.js';
import type { ServerMetrics } from '../metrics.js';

const STATUSES: RunStatus[] = ['pending', 'progress', 'success', 'error', 'canceled'];
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } } as const;
const runObject = { type: 'object', additionalProperties: true, properties: { id: { type: 'string' }, status: { type: 'string' } } } as const;
const errorObject = { type: 'object', additionalProperties: true, properties: { error: { type: 'string' } } } as const;

/** Python's `strtobool`, as Director reads `with_payload`; anything else: the default. */
function strtobool(value: string | undefined, fallback: boolean): boolean {
  const v = value?.toLowerCase();
  if (v === undefined) return fallback;
  if (['y', 'yes', 't', 'true', 'on', '1'].includes(v)) return true;
  if (['n', 'no', 'f', 'false', 'off', '0'].includes(v)) return false;
  return fallback;
}

/** Flask's `args.get(type=int, default=…)`: not an integer → the default. */
function intArg(value: string | undefined, fallback: number): number {
  return value !== undefined && /^-?\d+$/.test(value.trim()) ? Number(value) : fallback;
}

interface ListQuerystring {
  page?: string;
  per_page?: string;
  with_payload?: string;
  status?: string;
  name?: string;
  project?: string;
}

/** Register the workflow routes. */
export function workflowRoutes(server: FastifyInstance, app: Celeriac, metrics: ServerMetrics): void {
  const wf = app.workflows;

  server.post<{ Body: { project: string; name: string; payload: Record<string, unknown>; comment?: string } }>(
    '/api/workflows',
    {
      schema: {
        summary: 'Run a workflow (Director)',
        tags: ['workflows'],
        body: {
          type: 'object',
          required: ['project', 'name', 'payload'],
          additionalProperties: false,
          properties: { project: { type: 'string' }, name: { type: 'string' }, payload: { type: 'object' }, comment: { type: 'string' } },
        },
        response: { 201: runObject, 400: errorObject, 404: errorObject },
      },
    },
    async (request, reply) => {
      const { project, name, payload, comment } = request.body;
      const run = await wf.run(`${project}.${name}`, payload, comment !== undefined ? { comment } : {});
      metrics.runsStarted.inc({ workflow: `${project}.${name}` });
      return reply.code(201).send(workflowJson(await wf.get(run.id)));
    },
  );

  server.get<{ Querystring: ListQuerystring }>(
    '/api/workflows',
    {
      schema: {
        summary: 'List runs, newest first (Director; plus status, name, project filters)',
        tags: ['workflows'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            page: { type: 'string' },
            per_page: { type: 'string' },
            with_payload: { type: 'string' },
            status: { type: 'string', enum: STATUSES },
            name: { type: 'string', maxLength: 300 },
            project: { type: 'string', maxLength: 300 },
          },
        },
        response: { 200: { type: 'array', items: runObject } },
      },
    },
    async (request) => {
      const q = request.query;
      const page = intArg(q.page, 1);
      const perPage = intArg(q.per_page, 1000);
      if (page < 1 || perPage < 1) throw new HttpError(404, 'The requested page was not found');
      if (perPage > 1000) throw new HttpError(400, 'per_page must be at most 1000');
      const withPayload = strtobool(q.with_payload, true);
      const filter = {
        ...(q.status !== undefined ? { status: q.status as RunStatus } : {}),
        ...(q.name !== undefined ? { name: q.name } : {}),
        ...(q.project !== undefined ? { project: q.project } : {}),
      };
      let cursor: string | undefined;
      for (let skipped = 1; skipped < page; skipped += 1) {
        const previous = await wf.list({ ...filter, limit: perPage, withPayload: false, ...(cursor !== undefined ? { cursor } : {}) });
        cursor = previous.cursor;
        if (cursor === undefined) throw new HttpError(404, 'The requested page was not found');
      }
      const result = await wf.list({ ...filter, limit: perPage, withPayload, ...(cursor !== undefined ? { cursor } : {}) });
      return result.items.map((run) => workflowJson(run, withPayload));
    },
  );

  server.get<{ Params: { id: string } }>(
    '/api/workflows/:id',
    { schema: { summary: 'A run with its tasks (Director)', tags: ['workflows'], params: idParams, response: { 200: runObject, 404: errorObject } } },
    async (request) => workflowWithTasks(await wf.get(request.params.id)),
  );

  server.post<{ Params: { id: string } }>(
    '/api/workflows/:id/relaunch',
    { schema: { summary: 'Run again with the same payload and comment (Director)', tags: ['workflows'], params: idParams, response: { 201: runObject, 404: errorObject } } },
    async (request, reply) => {
      const run = await wf.relaunch(request.params.id);
      const record = await wf.get(run.id);
      metrics.runsStarted.inc({ workflow: record.fullname });
      return reply.code(201).send(workflowJson(record));
    },
  );

  server.post<{ Params: { id: string } }>(
    '/api/workflows/:id/cancel',
    {
      schema: {
        summary: 'Cancel a run: running tasks are revoked, nothing new starts (Director). 409 when it already finished',
        tags: ['workflows'],
        params: idParams,
        response: { 201: runObject, 404: errorObject, 409: errorObject },
      },
    },
    async (request, reply) => {
      const before = await wf.get(request.params.id);
      const outcome = await wf.cancel(before.id);
      if (!outcome.changed) throw new HttpError(409, `Workflow ${before.id} already finished (${outcome.status})`, { status: outcome.status });
      return reply.code(201).send({ ...workflowJson(await wf.get(before.id)), revoked: outcome.revoked });
    },
  );

  server.post<{ Params: { id: string } }>(
    '/api/workflows/:id/resume',
    {
      schema: {
        summary: 'Rerun the failed and canceled tasks of a run in place. 409 unless it is in error or canceled',
        tags: ['workflows'],
        params: idParams,
        response: { 201: runObject, 404: errorObject, 409: errorObject },
      },
    },
    async (request, reply) => {
      const run = await wf.resume(request.params.id);
      return reply.code(201).send(workflowJson(await wf.get(run.id)));
    },
  );
}
