/**
 * The operating verbs as a user runs them: `status`, `inspect`, `control`, `revoke`, `purge`
 * against a `celeriac worker` process on Redis (DB 13), and `status`/`inspect` on RabbitMQ against
 * an in-process worker. The client side is celeriac's own (no Python).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Celeriac } from '../../src/index.js';
import { AMQP_TEST_URL, deleteTestQueues, requireRabbitMq, testQueueName } from '../helpers/amqp.js';
import { flushOpsDb, OPS_DBS, opsRedisUrl, until } from '../helpers/ops.js';

const exec = promisify(execFile);
const cli = ['--import', 'tsx', 'src/cli/main.ts'];
const url = opsRedisUrl(OPS_DBS.cliOps);
const node = `celeriac-cli-${randomUUID().slice(0, 8)}@test`;
const queue = `cliops-${randomUUID().slice(0, 8)}`;

async function celeriac(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return exec('node', [...cli, ...args], { timeout: 30_000 }).then(
    (ok) => ({ code: 0, ...ok }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

describe('operating verbs on Redis', () => {
  let worker: ChildProcess;
  let log = '';

  beforeAll(async () => {
    await flushOpsDb(OPS_DBS.cliOps);
    worker = spawn('node', [...cli, 'worker', '-A', 'test/fixtures/ops/tasks.ts', '-b', url, '--backend', url, '-Q', queue, '-n', node, '-c', '2', '--log-format', 'text'], { stdio: ['ignore', 'pipe', 'pipe'] });
    worker.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    await until(() => log.includes('consuming'), 20_000, `the worker to start:\n${log}`);
  }, 30_000);

  afterAll(async () => {
    if (worker.exitCode === null) worker.kill('SIGKILL');
    await flushOpsDb(OPS_DBS.cliOps);
  });

  it('status, inspect active/query_task/registered, control pool_grow, revoke --terminate, bad commands, purge, control shutdown', async () => {
    const status = await celeriac(['status', '-b', url]);
    expect(status.stdout).toContain(`${node}: OK`);

    const { stdout: sent } = await celeriac(['call', 'ops.block', '--args', '[20000]', '-Q', queue, '-b', url]);
    const id = sent.trim();
    await until(() => log.includes(`Task ops.block[${id}] received`), 10_000, 'the task to start');
    const active = JSON.parse((await celeriac(['inspect', 'active', '-b', url, '-d', node, '--json'])).stdout) as Array<Record<string, Array<Record<string, unknown>>>>;
    expect(active[0]?.[node]?.[0]).toMatchObject({ id, name: 'ops.block', args: [20000] });
    const query = await celeriac(['inspect', 'query_task', id, '-b', url, '-d', node]);
    expect(query.stdout).toContain(`->  ${node}: OK`);
    expect(query.stdout).toContain('"active"');
    const registered = JSON.parse((await celeriac(['inspect', 'registered', '-b', url, '--json', '-d', node])).stdout) as Array<Record<string, string[]>>;
    expect(registered[0]?.[node]).toEqual(['ops.add', 'ops.block', 'ops.fail']);
    expect((await celeriac(['control', 'pool_grow', '1', '-b', url, '-d', node])).stdout).toContain('"ok": "pool will grow"');

    const revoked = await celeriac(['revoke', id, '--terminate', '-b', url, '--backend', url]);
    expect(revoked.stdout).toContain(`revoked ${id} (1 node acknowledged)`);
    await until(async () => JSON.parse((await celeriac(['result', id, '--backend', url])).stdout || '{}').state === 'REVOKED', 40_000, `REVOKED; worker log:\n${log.slice(-1500)}`);

    const unknown = await celeriac(['inspect', 'everything', '-b', url]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown inspect command 'everything'");
    const nobody = await celeriac(['status', '-b', url, '-d', 'nobody@nowhere', '-t', '0.5']);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('No nodes replied within time constraint');

    const idle = `idle-${randomUUID().slice(0, 8)}`;
    await celeriac(['call', 'ops.add', '--args', '[1,2]', '-Q', idle, '-b', url]);
    await celeriac(['call', 'ops.add', '--args', '[3,4]', '-Q', idle, '-b', url]);
    const purged = await celeriac(['purge', '-Q', idle, '-f', '-b', url]);
    expect(purged.stdout.trim()).toBe('Purged 2 messages from 1 known task queue.');
    expect((await celeriac(['purge', '-Q', idle, '-b', url])).code).toBe(1);

    const exited = new Promise<number | null>((resolve) => worker.once('exit', resolve));
    await celeriac(['control', 'shutdown', '-b', url, '-d', node]);
    expect(await exited).toBe(0);
    expect(log).toContain('got shutdown from remote');
  }, 120_000);
});

describe('operating verbs on RabbitMQ', () => {
  const amqpQueue = testQueueName('cliops');
  const amqpNode = `celeriac-cli-amqp-${randomUUID().slice(0, 8)}@test`;

  it('status and inspect registered see an in-process worker', async () => {
    await requireRabbitMq();
    const app = new Celeriac({ broker: AMQP_TEST_URL, logLevel: 'silent', defaultQueue: amqpQueue });
    app.task('amqp.echo', (x: unknown) => x);
    const worker = await app.worker({ hostname: amqpNode }).start();
    try {
      expect((await celeriac(['status', '-b', AMQP_TEST_URL, '-d', amqpNode])).stdout).toContain(`${amqpNode}: OK`);
      const registered = JSON.parse((await celeriac(['inspect', 'registered', '-b', AMQP_TEST_URL, '-d', amqpNode, '--json'])).stdout) as Array<Record<string, string[]>>;
      expect(registered).toEqual([{ [amqpNode]: ['amqp.echo'] }]);
    } finally {
      await worker.stop();
      await app.close();
      await deleteTestQueues([amqpQueue]);
    }
  }, 60_000);
});

describe.each([
  { name: 'Redis', url: () => url, amqp: false },
  { name: 'RabbitMQ', url: () => AMQP_TEST_URL, amqp: true },
])('celeriac events --dump on $name', ({ url: brokerUrl, amqp }) => {
  it('prints the events of a worker running a task, one line each, as celery events --dump', async () => {
    if (amqp) await requireRabbitMq();
    const broker = brokerUrl();
    const evQueue = amqp ? testQueueName('clievents') : `clievents-${randomUUID().slice(0, 8)}`;
    const host = `celeriac-ev-${randomUUID().slice(0, 8)}@test`;
    // --duration is only a backstop: the dump is stopped with SIGTERM once the worker's shutdown line
    // is in, so a slow machine cannot end the capture before the worker has gone offline.
    const dump = spawn('node', [...cli, 'events', '--dump', '--duration', '90', '-b', broker], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    dump.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => dump.once('exit', resolve));
    await until(() => out.includes('starting capture'), 20_000, 'the dump to start');
    const app = new Celeriac({ broker, backend: url, logLevel: 'silent', defaultQueue: evQueue, events: true });
    app.task('ev.add', (x: number, y: number) => x + y);
    const worker = await app.worker({ hostname: host }).start();
    const result = await app.sendTask('ev.add', [2, 3]);
    expect(await result.get({ timeout: 10_000 })).toBe(5);
    await worker.stop();
    await app.close();
    if (amqp) await deleteTestQueues([evQueue]);
    const shutdownLine = new RegExp(`${host} \\[[^\\]]+\\] shutdown: `);
    await until(() => shutdownLine.test(out), 30_000, "the worker's shutdown event").catch(() => undefined);
    dump.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toMatch(shutdownLine);
    expect(out).toMatch(new RegExp(`${host} \\[[^\\]]+\\] started: .*sw_ident=celeriac`));
    expect(out).toContain(`task received: ev.add(${result.id}) args=(2, 3) kwargs={}`);
    expect(out).toMatch(new RegExp(`task sent: ev.add\\(${result.id}\\)`));
    expect(out).toMatch(new RegExp(`${host} \\[[^\\]]+\\] task succeeded: \\(${result.id}\\) .*result=5`));
  }, 60_000);
});
