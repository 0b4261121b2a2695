import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Celeriac, type Worker } from '../../src/index.js';
import { flushLeadDb, LEAD_DBS, leadRedisUrl, requireRedis } from '../helpers/lead-redis.js';
import { RedisWorkflowStore } from '../../src/workflow/store/redis.js';
import { signalStoreConformance } from './signal-store.suite.js';
import { workflowSignalsSuite } from './workflow-signals.suite.js';

const db = LEAD_DBS.workflowWaits;
beforeAll(async () => {
  await requireRedis();
  await flushLeadDb(db);
});
afterAll(() => flushLeadDb(db));

const make = () => new Celeriac({ broker: leadRedisUrl(db), backend: leadRedisUrl(db), logLevel: 'silent' });
workflowSignalsSuite('redis', { app: make, second: make });

describe('CLI: fire and workflow approve|reject (another process on the same Redis)', () => {
  const exec = promisify(execFile);
  const cli = (...args: string[]) => exec('node', ['--import', 'tsx', 'src/cli/main.ts', ...args, '--broker', leadRedisUrl(db), '--backend', leadRedisUrl(db), '-l', 'silent'], { timeout: 60_000 });
  const app = make();
  let worker: Worker;
  beforeAll(async () => {
    app.task('CLI_ECHO', (input: unknown) => input);
    worker = await app.worker({ concurrency: 4 }).start();
  });
  afterAll(async () => {
    await worker.stop();
    await app.close();
  });

  it('fires an event into a waiting run and approves / rejects approval nodes', async () => {
    app.workflows.define('cli.SIGNALS', {
      nodes: { paid: { type: 'wait', event: 'cli.paid', correlate: 'payload.order' }, ok: { type: 'approval', after: ['paid'] }, next: { task: 'CLI_ECHO', after: ['ok'] } },
    });
    const run = await app.workflows.run('cli.SIGNALS', { order: 'A-1' });
    const waiting = async (key: string) => {
      for (let i = 0; i < 500 && (await app.workflows.get(run.id)).tasks.find((t) => t.key === key)?.status !== 'progress'; i += 1) await new Promise((r) => setTimeout(r, 20));
    };
    await waiting('paid');
    const fired = await cli('fire', 'cli.paid', '{"amount": 5}', '--key', 'A-1');
    expect(JSON.parse(fired.stdout)).toEqual({ completed: 1, triggered: [] });
    await waiting('ok');
    const approved = await cli('workflow', 'approve', run.id, 'ok', '{"by": "ops"}');
    expect(JSON.parse(approved.stdout)).toEqual({ run: run.id, node: 'ok', approved: true });
    const done = await run.wait({ timeout: 20_000 });
    expect(done.tasks.find((t) => t.key === 'next')?.result).toEqual({ by: 'ops' });
    const again = await cli('workflow', 'reject', run.id, 'ok', 'too late').catch((error: { code: number; stderr: string }) => error);
    expect(again).toMatchObject({ code: 2, stderr: expect.stringContaining("NodeNotWaitingError: node 'ok' of run") });
  });

  it('bad input: malformed event name, non-JSON data', async () => {
    const badName = await cli('fire', 'bad name!', '{}').catch((error: { code: number; stderr: string }) => error);
    expect(badName).toMatchObject({ code: 2, stderr: expect.stringContaining('EventNameError: event name "bad name!" is malformed') });
    const badJson = await cli('fire', 'cli.paid', '{nope').catch((error: { code: number; stderr: string }) => error);
    expect(badJson).toMatchObject({ code: 2, stderr: expect.stringContaining('the event data must be JSON') });
  });
});

signalStoreConformance('redis (key prefix)', async () => new RedisWorkflowStore({ url: leadRedisUrl(db), workflowKeyPrefix: 'sig-' }));
