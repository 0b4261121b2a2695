/** A Python client written against Director's API docs runs unchanged against `celeriac serve`. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningServer } from '../../src/server/index.js';
import { startFixture, type Fixture } from './fixture.js';

const exec = promisify(execFile);
let fx: Fixture;
let running: RunningServer;
beforeAll(async () => {
  fx = await startFixture();
  running = await serve(fx.app, { port: 0, dashboardDir: '/nonexistent' });
});
afterAll(async () => {
  await running.close();
  await fx.close();
});

describe("Director's client", () => {
  it('creates, polls, lists, relaunches and reads definitions as in Director\'s docs', async () => {
    const { stdout } = await exec('/usr/bin/python3', ['test/fixtures/serve/director_client.py', running.url]);
    const report = JSON.parse(stdout) as Record<string, unknown>;
    expect(report['ping']).toEqual([200, { message: 'pong' }]);
    expect(report['create_status']).toBe(201);
    expect(report['create_keys']).toEqual(['created', 'fullname', 'id', 'name', 'payload', 'periodic', 'project', 'status', 'updated']);
    expect(report['final_status']).toBe('success');
    expect(report['task_keys']).toEqual(['EXTRACT', 'TRANSFORM', 'LOAD']);
    expect(report['task_fields']).toEqual(['created', 'id', 'is_hook', 'key', 'previous', 'result', 'status', 'task', 'updated']);
    expect(report['previous_chain']).toBe(true);
    expect(report['list_status']).toBe(200);
    expect(report['list_has_payload']).toBe(false);
    expect((report['list_ids'] as string[]).length).toBe(1);
    expect(report['relaunch']).toBe(201);
    expect(report['invalid']).toEqual([400, 'Payload is not valid', 1]);
    expect(report['unknown']).toEqual([404, { error: 'Workflow example.NOPE not found' }]);
    expect(report['definitions']).toContain('example.ETL');
    expect(report['etl_tasks']).toEqual(['EXTRACT', 'TRANSFORM', 'LOAD']);
  });
});
