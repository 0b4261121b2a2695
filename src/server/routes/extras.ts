/**
 * The other endpoints: Director's `ping` and `definitions`, and celeriac's events firing,
 * approvals, schedules and workers. Features that this app does not provide yet answer 501.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { Celeriac } from '../../app.js';
import { definitionJson } from '../director.js';
import { HttpError } from '../http-errors.js';

/** An online worker, as `GET /api/workers` lists it. */
export interface WorkerInfo {
  readonly hostname: string;
  readonly [key: string]: unknown;
}

/** A schedule, as `GET /api/schedules` lists it. */
export interface ScheduleInfo {
  readonly workflow: string;
  readonly [key: string]: unknown;
}

/** Where `/api/workers` and `/api/schedules` read from (default: the app, when it can tell). */
export interface ExtraProviders {
  workers?: () => Promise<readonly WorkerInfo[]>;
  schedules?: () => Promise<readonly ScheduleInfo[]>;
}

type Fn = (...args: unknown[]) => Promise<unknown>;
/** A method the app may have (features landing in other modules), or undefined. */
function optional(target: unknown, ...path: string[]): Fn | undefined {
  let owner: unknown;
  let value: unknown = target;
  for (const key of path) {
    owner = value;
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  }
  return typeof value === 'function' ? (value as Fn).bind(owner) : undefined;
}

const notAvailable = (what: string): HttpError => new HttpError(501, `${what} is not available in this celeriac app`);
const nodeParams = {
  type: 'object',
  required: ['id', 'node'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 }, node: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;
const decisionBody = { type: 'object', additionalProperties: false, properties: { comment: { type: 'string', maxLength: 10_000 }, by: { type: 'string', maxLength: 200 } } } as const;

/** The schedules a definition list implies (`periodic:`), when no scheduler is there to ask. */
function definedSchedules(app: Celeriac): ScheduleInfo[] {
  return app.workflows.definitions
    .list()
    .filter((d) => d.input.periodic)
    .map((d) => ({ workflow: d.fullname, ...d.input.periodic, next: null }));
}

/** Register the routes. */
export function extraRoutes(server: FastifyInstance, app: Celeriac, providers: ExtraProviders): void {
  server.get('/api/ping', { schema: { summary: 'Health check (Director); no authentication', tags: ['operations'] } }, async () => ({ message: 'pong' }));

  server.get('/api/definitions', { schema: { summary: 'Workflow definitions with their schema and graph (Director)', tags: ['definitions'] } }, async () =>
    app.workflows.definitions.list().map(definitionJson),
  );

  server.get('/api/schedules', { schema: { summary: 'Schedules and their next fire times', tags: ['schedules'] } }, async () => {
    if (providers.schedules) return providers.schedules();
    const list = optional(app, 'schedules', 'list');
    return list ? list() : definedSchedules(app);
  });

  server.get('/api/workers', { schema: { summary: 'Online workers and what they run (remote control)', tags: ['workers'] } }, async () => {
    if (providers.workers) return providers.workers();
    const ping = optional(app, 'control', 'workers');
    if (!ping) throw notAvailable('Listing workers (remote control client)');
    return ping();
  });

  server.post<{ Body: { name: string; payload?: Record<string, unknown>; key?: string } }>(
    '/api/events',
    {
      schema: {
        summary: 'Fire an event: runs waiting on it resume, workflows triggered by it start',
        tags: ['events'],
        body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1 }, payload: { type: 'object' }, key: { type: 'string' } } },
      },
    },
    async (request, reply) => {
      const fire = optional(app, 'fire');
      if (!fire) throw notAvailable('Firing events');
      const { name, payload = {}, key } = request.body;
      const outcome = await fire(name, payload, key !== undefined ? { key } : {});
      return reply.code(202).send(outcome ?? { fired: name });
    },
  );

  for (const decision of ['approve', 'reject'] as const) {
    server.post<{ Params: { id: string; node: string }; Body: { comment?: string; by?: string } | undefined }>(
      `/api/workflows/:id/nodes/:node/${decision}`,
      {
        schema: { summary: `${decision === 'approve' ? 'Approve' : 'Reject'} a node waiting for approval`, tags: ['workflows'], params: nodeParams, body: decisionBody },
        preValidation: async (request) => {
          request.body ??= {};
        },
      },
      async (request) => {
        const act = optional(app, 'workflows', decision);
        if (!act) throw notAvailable('Approvals');
        await act(request.params.id, request.params.node, request.body ?? {});
        return { id: request.params.id, node: request.params.node, decision };
      },
    );
  }
}
