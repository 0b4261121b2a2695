/**
 * Director's REST API on celeriac: the request/response examples of Director's API docs, status
 * codes, and bad input (the server keeps serving after each).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../../src/server/index.js';
import { startFixture, type Fixture } from './fixture.js';

let fx: Fixture;
let server: FastifyInstance;

beforeAll(async () => {
  fx = await startFixture();
  server = await createServer(fx.app, { dashboardDir: '/nonexistent' });
});
afterAll(async () => {
  await server.close();
  await fx.close();
});

const post = (url: string, body?: unknown, headers: Record<string, string> = {}) =>
  server.inject({ method: 'POST', url, ...(body !== undefined ? { payload: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } } : { headers }) });
const get = (url: string) => server.inject({ method: 'GET', url });
const finished = (id: string) => fx.app.workflows.handle(id).wait({ timeout: 10_000 });

describe("Director's endpoints", () => {
  it('GET /api/ping answers pong', async () => {
    const res = await get('/api/ping');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ message: 'pong' });
  });

  it('POST /api/workflows runs a workflow: 201 with the run in Director\'s shape', async () => {
    const res = await post('/api/workflows', { project: 'example', name: 'ETL', payload: { user: 1234 } });
    expect(res.statusCode).toBe(201);
    const run = res.json();
    expect(Object.keys(run).sort()).toEqual(['created', 'fullname', 'id', 'name', 'payload', 'periodic', 'project', 'status', 'updated']);
    expect(run).toMatchObject({ fullname: 'example.ETL', name: 'ETL', project: 'example', payload: { user: 1234 }, periodic: false });
    expect(['pending', 'progress']).toContain(run.status);
    await finished(run.id);
    const detail = (await get(`/api/workflows/${run.id}`)).json();
    expect(detail.status).toBe('success');
    expect(detail.tasks.map((t: { key: string }) => t.key)).toEqual(['EXTRACT', 'TRANSFORM', 'LOAD']);
    const [extract, transform, load] = detail.tasks;
    expect(extract).toMatchObject({ status: 'success', previous: [], is_hook: false, name: 'EXTRACT', result: { rows: 3 } });
    expect(extract.task).toBe(extract.id);
    expect(transform.previous).toEqual([extract.id]);
    expect(load).toMatchObject({ previous: [transform.id], result: 'loaded 6' });
  });

  it('keeps the comment and shows it only when set', async () => {
    const res = await post('/api/workflows', { project: 'example', name: 'ETL', payload: { user: 1 }, comment: 'nightly fix' });
    expect(res.statusCode).toBe(201);
    expect(res.json().comment).toBe('nightly fix');
    await finished(res.json().id);
  });

  it('an invalid payload is 400 {"error":"Payload is not valid","errors":[…]} and nothing runs', async () => {
    const before = (await get('/api/workflows?per_page=1000')).json().length;
    const res = await post('/api/workflows', { project: 'example', name: 'ETL', payload: { user: 'john', extra: 1 } });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error).toBe('Payload is not valid');
    expect(body.errors).toHaveLength(2);
    expect(body.errors.join('\n')).toMatch(/\/user: must be integer/);
    expect(body.problems).toContainEqual({ path: '/user', message: 'must be integer', value: 'john' });
    expect((await get('/api/workflows?per_page=1000')).json()).toHaveLength(before);
  });

  it('an unknown workflow is 404 with an error body', async () => {
    const res = await post('/api/workflows', { project: 'example', name: 'NOPE', payload: {} });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'Workflow example.NOPE not found' });
  });

  it('request body problems (missing or unknown fields, wrong types) are 400 like Director\'s schema check', async () => {
    for (const body of [{ project: 'example', name: 'ETL' }, { project: 'example', name: 'ETL', payload: {}, priority: 3 }, { project: 'example', name: 'ETL', payload: [] }, { project: 1, name: 'ETL', payload: {} }]) {
      const res = await post('/api/workflows', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error).toBe('Error validating against schema');
      expect(res.json().errors.length).toBeGreaterThan(0);
    }
    const unknown = await post('/api/workflows', { project: 'example', name: 'ETL', payload: {}, priority: 3 });
    expect(unknown.json().errors.join()).toMatch(/'priority' was unexpected/);
  });

  it('GET /api/workflows lists newest first with page, per_page, with_payload and filters', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await post('/api/workflows', { project: 'example', name: 'ETL', payload: { user: 100 + i } });
      ids.push(res.json().id);
    }
    await Promise.all(ids.map(finished));
    const first = (await get('/api/workflows?per_page=2&page=1')).json();
    const second = (await get('/api/workflows?per_page=2&page=2')).json();
    expect(first.map((r: { id: string }) => r.id)).toEqual([ids[2], ids[1]]);
    expect(second[0].id).toBe(ids[0]);
    expect(first[0].payload).toEqual({ user: 102 });
    const lean = (await get('/api/workflows?per_page=2&with_payload=false')).json();
    expect(lean[0]).not.toHaveProperty('payload');
    expect((await get('/api/workflows?with_payload=garbage&per_page=1')).json()[0]).toHaveProperty('payload');
    expect((await get('/api/workflows?page=9999&per_page=1000')).statusCode).toBe(404);

    const fail = (await post('/api/workflows', { project: 'example', name: 'FAIL', payload: {} })).json();
    await finished(fail.id);
    const errors = (await get('/api/workflows?status=error')).json();
    expect(errors.map((r: { id: string }) => r.id)).toEqual([fail.id]);
    const byName = (await get('/api/workflows?name=example.FAIL')).json();
    expect(byName.map((r: { id: string }) => r.id)).toEqual([fail.id]);
    expect((await get('/api/workflows?status=bogus')).statusCode).toBe(400);
  });

  it('a failed task shows its error with traceback, and resume reruns it', async () => {
    const run = (await post('/api/workflows', { project: 'example', name: 'FAIL', payload: {} })).json();
    await finished(run.id);
    const detail = (await get(`/api/workflows/${run.id}`)).json();
    expect(detail.status).toBe('error');
    const boom = detail.tasks.find((t: { key: string }) => t.key === 'BOOM');
    expect(boom.status).toBe('error');
    expect(boom.error.message).toMatch(/the database is down/);
    const resumed = await post(`/api/workflows/${run.id}/resume`);
    expect(resumed.statusCode).toBe(201);
    expect(resumed.json().id).toBe(run.id);
    await finished(run.id);
    const ok = (await post('/api/workflows', { project: 'example', name: 'ETL', payload: { user: 5 } })).json();
    await finished(ok.id);
    const refused = await post(`/api/workflows/${ok.id}/resume`);
    expect(refused.statusCode).toBe(409);
    expect(typeof refused.json().error).toBe('string');
  });

  it('cancel revokes a running run (201), a finished one is 409; relaunch makes a new run (201)', async () => {
    const run = (await post('/api/workflows', { project: 'example', name: 'SLOW', payload: {} })).json();
    await expect.poll(async () => (await get(`/api/workflows/${run.id}`)).json().tasks[1].status, { timeout: 10_000 }).toBe('progress');
    const canceled = await post(`/api/workflows/${run.id}/cancel`);
    expect(canceled.statusCode).toBe(201);
    expect(canceled.json()).toMatchObject({ id: run.id, status: 'canceled' });
    const again = await post(`/api/workflows/${run.id}/cancel`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatch(/already finished \(canceled\)/);
    const relaunched = await post(`/api/workflows/${run.id}/relaunch`);
    expect(relaunched.statusCode).toBe(201);
    expect(relaunched.json().id).not.toBe(run.id);
    expect(relaunched.json().fullname).toBe('example.SLOW');
    fx.release();
    await expect.poll(async () => (await get(`/api/workflows/${relaunched.json().id}`)).json().tasks[1].status, { timeout: 10_000 }).not.toBe('pending');
    fx.release();
    await finished(relaunched.json().id);
  });

  it('unknown run ids are 404 on every run endpoint', async () => {
    expect((await get('/api/workflows/nope')).json()).toEqual({ error: 'Workflow nope not found' });
    for (const action of ['relaunch', 'cancel', 'resume']) expect((await post(`/api/workflows/nope/${action}`)).statusCode).toBe(404);
    expect((await get('/api/workflows/nope/events')).statusCode).toBe(404);
  });

  it('GET /api/definitions lists definitions in Director\'s shape with the schema and graph', async () => {
    const defs = (await get('/api/definitions')).json();
    const etl = defs.find((d: { fullname: string }) => d.fullname === 'example.ETL');
    expect(etl).toMatchObject({ fullname: 'example.ETL', project: 'example', name: 'ETL', tasks: ['EXTRACT', 'TRANSFORM', 'LOAD'], schema: { required: ['user'] } });
    expect(etl.graph.nodes.map((n: { key: string; after: string[] }) => [n.key, n.after])).toEqual([['EXTRACT', []], ['TRANSFORM', ['EXTRACT']], ['LOAD', ['TRANSFORM']]]);
    expect(defs.map((d: { fullname: string }) => d.fullname)).toEqual(['example.ETL', 'example.FAIL', 'example.NIGHTLY', 'example.REPORT', 'example.SLOW', 'example.TYPED']);
  });
});

describe('beyond Director', () => {
  it('GET /api/schedules lists periodic definitions before a beat registered them, then with next fire times', async () => {
    expect((await get('/api/schedules')).json()).toEqual([
      { id: 'workflow:example.NIGHTLY', workflow: 'example.NIGHTLY', every: 3600, payload: {}, next: null, upcoming: [], registered: false },
    ]);
    await fx.app.schedules.registerPeriodic();
    try {
      const [row] = (await get('/api/schedules')).json() as Array<{ next: string; upcoming: string[] }>;
      expect(row).toMatchObject({ id: 'workflow:example.NIGHTLY', workflow: 'example.NIGHTLY', every: 3600, registered: true });
      expect(Date.parse(row!.next)).toBeGreaterThan(Date.now());
      expect(row!.upcoming).toHaveLength(3);
      expect(Date.parse(row!.upcoming[1]!) - Date.parse(row!.upcoming[0]!)).toBe(3_600_000);
    } finally {
      await fx.app.schedules.remove('workflow:example.NIGHTLY');
    }
  });

  it('POST /api/events fires an event (202 with what it completed); a malformed name is 400; approving an unknown run is 404', async () => {
    const fire = await post('/api/events', { name: 'payment.confirmed', payload: { order: 7 }, key: '7' });
    expect(fire.statusCode).toBe(202);
    expect(fire.json()).toEqual({ fired: 'payment.confirmed', completed: 0, triggered: [] });
    const bad = await post('/api/events', { name: '!!', payload: {} });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/malformed/);
    expect((await post('/api/workflows/x/nodes/y/approve', {})).statusCode).toBe(404);
    expect((await get('/api/workers')).statusCode).toBe(501);
  });

  it('GET /metrics is Prometheus text with request and run metrics', async () => {
    const res = await get('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.body).toMatch(/celeriac_workflow_runs_started_total\{workflow="example.ETL"\} \d+/);
    expect(res.body).toMatch(/celeriac_http_request_duration_seconds_count\{method="POST",route="\/api\/workflows",status="201"\} \d+/);
    expect(res.body).toMatch(/celeriac_workflow_run_status_total\{workflow="example.ETL",status="success"\} \d+/);
  });

  it('serves an OpenAPI document of every route', async () => {
    const doc = (await get('/api/openapi.json')).json();
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of ['/api/workflows', '/api/workflows/{id}', '/api/workflows/{id}/cancel', '/api/workflows/{id}/relaunch', '/api/workflows/{id}/resume', '/api/definitions', '/api/ping', '/api/events', '/api/workflows/{id}/events', '/api/schedules', '/api/workers', '/metrics']) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    expect(doc.paths['/api/workflows'].post.requestBody.content['application/json'].schema.required).toEqual(['project', 'name', 'payload']);
  });
});

describe('bad input', () => {
  it('malformed JSON, wrong content type, oversized body, unknown route: status + JSON error, and the server keeps serving', async () => {
    const malformed = await server.inject({ method: 'POST', url: '/api/workflows', payload: '{"project": "example",', headers: { 'content-type': 'application/json' } });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toEqual({ error: 'Malformed JSON body' });
    const wrongType = await server.inject({ method: 'POST', url: '/api/workflows', payload: 'project=example', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(wrongType.statusCode).toBe(415);
    expect(wrongType.json().error).toMatch(/content type/);
    const big = await server.inject({ method: 'POST', url: '/api/workflows', payload: JSON.stringify({ project: 'example', name: 'ETL', payload: { blob: 'x'.repeat(2_000_000) } }), headers: { 'content-type': 'application/json' } });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toEqual({ error: 'Request body is too large' });
    const nowhere = await get('/api/nowhere');
    expect(nowhere.statusCode).toBe(404);
    expect(nowhere.json().error).toMatch(/not found/);
    for (const res of [malformed, wrongType, big, nowhere]) expect(res.body).not.toMatch(/at .*\.(ts|js):\d+/);
    expect((await get('/api/ping')).json()).toEqual({ message: 'pong' });
  });

  it('an empty JSON body is no body: bodiless POSTs work with or without the header; a run needs a body', async () => {
    const empty = (url: string) => server.inject({ method: 'POST', url, payload: '', headers: { 'content-type': 'application/json' } });
    expect((await empty('/api/workflows/nope/cancel')).statusCode).toBe(404);
    expect((await empty('/api/workflows/x/nodes/y/approve')).statusCode).toBe(404);
    expect((await server.inject({ method: 'POST', url: '/api/workflows/x/nodes/y/reject' })).statusCode).toBe(404);
    const noBody = await empty('/api/workflows');
    expect(noBody.statusCode).toBe(400);
    expect(noBody.json().error).toBe('Error validating against schema');
    const proto = await server.inject({ method: 'POST', url: '/api/workflows', payload: '{"project":"example","name":"ETL","payload":{"__proto__":{"x":1}}}', headers: { 'content-type': 'application/json' } });
    expect(proto.statusCode).toBe(400);
  });
});
