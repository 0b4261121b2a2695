/**
 * The `celeriac` command as a user runs it: a worker process started with `-A`, `call --wait` and
 * `result` from other processes, over a real Redis (DB 8). The worker is stopped by PID with SIGTERM.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushLeadDb, LEAD_DBS, requireRedis } from '../helpers/lead-redis.js';
import { REDIS_TEST_HOST, REDIS_TEST_PORT } from '../helpers/redis.js';

const run = promisify(execFile);
const url = `redis://${REDIS_TEST_HOST}:${REDIS_TEST_PORT}/${LEAD_DBS.cli}`;
const queue = `cli-${randomUUID().slice(0, 8)}`;
const cli = ['--import', 'tsx', 'src/cli/main.ts'];
const common = ['--broker', url, '--backend', url];
let worker: ChildProcess;
let workerLog = '';

beforeAll(async () => {
  await requireRedis();
  // -A before the verb, as Celery takes it; the module sets logLevel 'warn' and -l info wins.
  worker = spawn('node', [...cli, '-A', 'test/fixtures/cli/tasks.ts', 'worker', ...common, '-Q', queue, '-c', '4', '-l', 'info', '--log-format', 'text'], { stdio: ['ignore', 'pipe', 'pipe'] });
  worker.stderr!.on('data', (chunk: Buffer) => (workerLog += chunk.toString()));
  const deadline = Date.now() + 20_000;
  while (!workerLog.includes('consuming') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (!workerLog.includes('consuming')) throw new Error(`worker did not start:\n${workerLog}`);
}, 30_000);

afterAll(async () => {
  if (worker.exitCode === null) {
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.kill('SIGTERM');
    await exited;
  }
  await flushLeadDb(LEAD_DBS.cli);
});

describe('celeriac CLI', () => {
  it('--help lists the commands Celery users expect', async () => {
    const { stdout } = await run('node', [...cli, '--help']);
    for (const command of ['worker', 'call', 'result']) expect(stdout).toContain(command);
    const { stdout: workerHelp } = await run('node', [...cli, 'worker', '--help']);
    for (const flag of ['-A, --app', '-Q, --queues', '-c, --concurrency', '--broker']) expect(workerHelp).toContain(flag);
  });

  it('call --wait prints the id and the result; result <id> prints the meta', async () => {
    const { stdout } = await run('node', [...cli, 'call', 'cli.add', '--args', '[2, 40]', '-Q', queue, '--wait', '--timeout', '15', ...common, '-l', 'warn']);
    const [id, value] = stdout.trim().split('\n');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(value).toBe('42');
    const { stdout: meta } = await run('node', [...cli, 'result', id!, '--backend', url, '-l', 'warn']);
    expect(JSON.parse(meta)).toMatchObject({ id, state: 'SUCCESS', result: 42 });
    expect(workerLog).toContain(`INFO/MainProcess] Task cli.add[${id}] received`);
    expect(workerLog).toMatch(new RegExp(`INFO/MainProcess\\] Task cli\\.add\\[${id}\\] succeeded in \\d+\\.\\d{3}s: 42`));
  });

  it('purge refuses without -f, then removes every waiting task of the queue', async () => {
    const idle = `cli-idle-${randomUUID().slice(0, 8)}`;
    for (const n of [1, 2]) await run('node', [...cli, 'call', 'cli.add', '--args', `[${n}, 1]`, '-Q', idle, ...common, '-l', 'warn']);
    const refused = await run('node', [...cli, 'purge', '-Q', idle, ...common, '-l', 'warn']).catch((e: { code: number; stderr: string }) => e);
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('pass -f') });
    const { stdout } = await run('node', [...cli, 'purge', '-f', '-Q', idle, ...common, '-l', 'warn']);
    expect(stdout.trim()).toBe('Purged 2 messages from 1 known task queue.');
    const { stdout: again } = await run('node', [...cli, 'purge', '-f', '-Q', idle, ...common, '-l', 'warn']);
    expect(again.trim()).toBe('Purged 0 messages from 1 known task queue.');
  });

  it('a failed task: result exits 1 and shows the remote error', async () => {
    const { stdout } = await run('node', [...cli, 'call', 'cli.fail', '--args', '["out of range"]', '-Q', queue, ...common, '-l', 'warn']);
    const id = stdout.trim();
    const failed = await run('node', [...cli, 'result', id, '--wait', '--timeout', '15', '--backend', url, '-l', 'warn']).catch((error: { code: number; stdout: string }) => error);
    expect((failed as { code: number }).code).toBe(1);
    expect(JSON.parse((failed as { stdout: string }).stdout)).toMatchObject({ state: 'FAILURE', result: { exc_type: 'RangeError', exc_message: ['out of range'] } });
    expect(workerLog).toContain(`ERROR/MainProcess] Task cli.fail[${id}] raised unexpected: RangeError('out of range')\nRangeError: out of range\n    at `);
  });

  it('bad JSON in --args is a clear error, exit code 2', async () => {
    const error = (await run('node', [...cli, 'call', 'cli.add', '--args', '[oops', ...common]).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(error.code).toBe(2);
    expect(error.stderr).toContain('--args must be JSON');
  });

  it('SIGTERM stops the worker gracefully', async () => {
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(workerLog).toContain('received SIGTERM');
  });
});
