/**
 * The other endpoints: Director's `ping` and `definitions`, and celeriac's events firing,
 * approvals, schedules and workers. Listing workers needs a remote-control client (501 without one).
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { Celeriac } from '../../app.js';
import { definitionJson } from '../director.js';
import { HttpError } from '../http-errors.js';
import { periodicScheduleId } from '../../schedule/schedules.js';

/** An online worker, as `GET /api/workers` lists it. */
export interface WorkerInfo {
  readonly hostname: string;
  readonly [key: string]: unknown;
}

/** A schedule, as `GET /api/schedules` lists it (flat, for tables). */
export interface ScheduleRow {
  readonly id: string;
  readonly workflow?: string;
  readonly task?: string;
  /** Seconds, for interval schedules. */
  readonly every?: number;
  readonly cron?: string;
  readonly tz?: string;
  readonly payload?: unknown;
  /** The next fire time (ISO), or null when no beat registered the schedule yet. */
  readonly next: string | null;
  /** The next few fire times (ISO). */
  readonly upcoming: readonly string[];
  /** False for a `periodic:` definition no beat has registered yet. */
  readonly registered: boolean;
}

/** Where `/api/workers` and `/api/schedules` read from (default: the app). */
export interface ExtraProviders {
  workers?: () => Promise<readonly WorkerInfo[]>;
  schedules?: () => Promise<readonly ScheduleRow[]>;
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
const decisionBody = {
  type: 'object',
  additionalProperties: false,
  properties: { comment: { type: 'string', maxLength: 10_000 }, by: { type: 'string', maxLength: 200 }, data: {} },
} as const;

/** Stored schedules, plus the `periodic:` definitions no beat has registered yet. */
async function scheduleRows(app: Celeriac): Promise<ScheduleRow[]> {
  const rows: ScheduleRow[] = (await app.schedules.list({ next: 3 })).map(({ id, entry, next }) => ({
    id,
    ...(entry.target.kind === 'workflow' ? { workflow: entry.target.name, payload: entry.target.payload } : { task: entry.target.name }),
    ...(entry.timing.kind === 'every' ? { every: entry.timing.seconds } : { cron: entry.timing.expression, tz: entry.timing.tz }),
    next: next[0] ?? null,
    upcoming: next,
    registered: true,
  }));
  for (const definition of app.workflows.definitions.list()) {
    const periodic = definition.input.periodic;
    const id = periodicScheduleId(definition.fullname);
    if (!periodic || rows.some((row) => row.id === id)) continue;
    rows.push({
      id,
      workflow: definition.fullname,
      ...(periodic.interval !== undefined ? { every: periodic.interval } : {}),
      ...(periodic.crontab !== undefined ? { cron: periodic.crontab } : {}),
      payload: periodic.payload ?? {},
      next: null,
      upcoming: [],
      registered: false,
    });
  }
  return rows;
}

/** Register the routes. */
export function extraRoutes(server: FastifyInstance, app: Celeriac, providers: ExtraProviders): void {
  server.get('/api/ping', { schema: { summary: 'Health check (Director); no authentication', tags: ['operations'] } }, async () => ({ message: 'pong' }));

  server.get('/api/definitions', { schema: { summary: 'Workflow definitions with their schema and graph (Director)', tags: ['definitions'] } }, async () =>
    app.workflows.definitions.list().map(definitionJson),
  );

  server.get('/api/schedules', { schema: { summary: 'Schedules and their next fire times', tags: ['schedules'] } }, async () => {
    return providers.schedules ? providers.schedules() : scheduleRows(app);
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
      const { name, payload = {}, key } = request.body;
      const outcome = await app.fire(name, payload, key !== undefined ? { key } : {});
      return reply.code(202).send({ fired: name, ...outcome });
    },
  );

  for (const decision of ['approve', 'reject'] as const) {
    server.post<{ Params: { id: string; node: string }; Body: { comment?: string; by?: string; data?: unknown } | undefined }>(
      `/api/workflows/:id/nodes/:node/${decision}`,
      {
        schema: { summary: `${decision === 'approve' ? 'Approve' : 'Reject'} a node waiting for approval`, tags: ['workflows'], params: nodeParams, body: decisionBody },
        preValidation: async (request) => {
          request.body ??= {};
        },
      },
      async (request) => {
        const body = request.body ?? {};
        if (decision === 'approve') await app.workflows.approve(request.params.id, request.params.node, body.data ?? body);
        else await app.workflows.reject(request.params.id, request.params.node, body.comment ?? 'rejected');
        return { id: request.params.id, node: request.params.node, decision };
      },
    );
  }
}
