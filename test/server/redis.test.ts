/**
 * `celeriac serve` on a Redis broker: runs go through Redis to the worker and back, cancel revokes
 * a task running in the worker. (Run records stay in the app's memory store until the Redis
 * workflow store lands.) The queue name is unique, so the test database is shared without a flush.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Celeriac, type Worker } from '../../src/index.js';
import { serve, type RunningServer } from '../../src/server/index.js';
import { requireRedis } from '../helpers/redis.js';
import { flushSecondDb, SECOND_DBS, secondRedisUrl } from '../helpers/second-redis.js';
import { defineFixture } from './fixture.js';

const DB = SECOND_DBS.server;
let app: Celeriac;
let worker: Worker;
let running: RunningServer;
let release: () => void;

beforeAll(async () => {
  await requireRedis(DB);
  app = new Celeriac({ broker: secondRedisUrl(DB), backend: `memory://${randomUUID()}`, defaultQueue: `serve-${randomUUID()}`, logLevel: 'silent' });
  ({ release } = defineFixture(app));
  worker = await app.worker({ concurrency: 4 }).start();
  running = await serve(app, { port: 0, dashboardDir: '/nonexistent' });
});
afterAll(async () => {
  release?.();
  await running?.close();
  await worker?.stop({ timeoutMs: 2000 });
  await app?.close();
});

const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${running.url}${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { tasks?: { key: string; status: string }[] } };
};

describe('serve on a Redis broker', () => {
  it('runs a workflow through Redis, cancels a running one', async () => {
    const created = await call('POST', '/api/workflows', { project: 'example', name: 'ETL', payload: { user: 42 } });
    expect(created.status).toBe(201);
    const id = created.body['id'] as string;
    await expect.poll(async () => (await call('GET', `/api/workflows/${id}`)).body['status'], { timeout: 15_000 }).toBe('success');
    expect((await call('GET', `/api/workflows/${id}`)).body.tasks?.map((t) => t.status)).toEqual(['success', 'success', 'success']);

    const slow = (await call('POST', '/api/workflows', { project: 'example', name: 'SLOW', payload: {} })).body['id'] as string;
    await expect.poll(async () => (await call('GET', `/api/workflows/${slow}`)).body.tasks?.[1]?.status, { timeout: 15_000 }).toBe('progress');
    const canceled = await call('POST', `/api/workflows/${slow}/cancel`);
    expect(canceled.status).toBe(201);
    expect(canceled.body['status']).toBe('canceled');
    expect((await call('POST', `/api/workflows/${slow}/cancel`)).status).toBe(409);
  });

  it('GET /api/workers lists the workers that answer a remote-control ping', async () => {
    const res = await fetch(`${running.url}/api/workers`);
    expect(res.status).toBe(200);
    const workers = (await res.json()) as { hostname: string; ping: unknown }[];
    expect(workers).toContainEqual({ hostname: worker.hostname, ping: { ok: 'pong' } });
  });
});
