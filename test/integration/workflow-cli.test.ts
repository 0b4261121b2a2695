/**
 * `celeriac workflow …` as a user runs it (WORKFLOWS.md §W8): a worker process started with -A, the
 * verbs from other processes, over a real Redis (lead DB 12). The worker is stopped by PID.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushLeadDb, LEAD_DBS, leadRedisUrl, requireRedis } from '../helpers/lead-redis.js';

const exec = promisify(execFile);
const url = leadRedisUrl(LEAD_DBS.workflowCli);
const cli = ['--import', 'tsx', 'src/cli/main.ts'];
const common = ['-A', 'test/fixtures/cli/workflows.ts', '--broker', url, '--backend', url, '-l', 'warn'];
let worker: ChildProcess;
let workerLog = '';

type Failure = { code: number; stdout: string; stderr: string };
const celeriac = (...args: string[]) => exec('node', [...cli, ...args]);
const failing = (...args: string[]): Promise<Failure> => celeriac(...args).then(
  () => {
    throw new Error(`celeriac ${args.join(' ')} should have failed`);
  },
  (error: Failure) => error,
);

beforeAll(async () => {
  await requireRedis();
  await flushLeadDb(LEAD_DBS.workflowCli);
  worker = spawn('node', [...cli, 'worker', ...common.slice(0, -2), '-l', 'info', '-c', '4'], { stdio: ['ignore', 'pipe', 'pipe'] });
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
  await flushLeadDb(LEAD_DBS.workflowCli);
});

describe('celeriac workflow', { timeout: 120_000 }, () => {
  it('list and show print the definitions', async () => {
    const { stdout } = await celeriac('workflow', 'list', ...common);
    expect(stdout.split('\n')[0]).toMatch(/^NAME\s+NODES\s+SCHEMA\s+PERIODIC\s+DESCRIPTION$/);
    expect(stdout).toMatch(/cli\.SUM\s+2\s+inline\s+-\s+double x, add one/);
    const { stdout: show } = await celeriac('workflow', 'show', 'cli.SUM', ...common);
    expect(show).toMatch(/plus\s+cliwf\.add_one\s+double/);
    expect(show).toContain('"required"');
  });

  it('run --follow prints each node as it changes and the final status', async () => {
    const { stdout } = await celeriac('workflow', 'run', 'cli.SUM', '{"x": 20}', '--comment', 'by cli', '--follow', '--timeout', '20', ...common);
    const lines = stdout.trim().split('\n');
    const id = lines[0]!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.some((line) => /double\s+success/.test(line))).toBe(true);
    expect(lines.some((line) => /plus\s+queued/.test(line))).toBe(true);
    expect(lines[lines.length - 1]).toBe(`cli.SUM ${id}: success`);
    const { stdout: runs } = await celeriac('workflow', 'runs', '--name', 'cli.SUM', ...common);
    expect(runs).toMatch(new RegExp(`${id}\\s+cli\\.SUM\\s+success\\s+\\S+\\s+by cli`));
  });

  it("refuses a bad payload with Director's message, exit 1", async () => {
    const error = await failing('workflow', 'run', 'cli.SUM', '{"x": "john", "y": 1}', ...common);
    expect(error.code).toBe(1);
    expect(error.stderr).toBe('Error: Payload is not valid\n- /x: must be integer\nAborted!\n');
  });

  it('unknown workflow, malformed JSON and unknown run id: one clear line, exit 1', async () => {
    const unknown = await failing('workflow', 'run', 'cli.NOPE', '{}', ...common);
    expect([unknown.code, unknown.stderr]).toEqual([1, "Error: Workflow 'cli.NOPE' not found\n"]);
    const malformed = await failing('workflow', 'run', 'cli.SUM', '{x:', ...common);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toMatch(/^Error: the payload is not valid JSON \(.+\)\n$/);
    const missing = randomUUID();
    for (const verb of ['cancel', 'relaunch', 'resume']) {
      const error = await failing('workflow', verb, missing, ...common);
      expect([error.code, error.stderr]).toEqual([1, `Error: Workflow run '${missing}' not found\n`]);
    }
  });

  it('a failed run: --follow exits 1; resume reruns it; cancel of a finished run changes nothing; relaunch makes a new run', async () => {
    const error = await failing('workflow', 'run', 'cli.FAIL', '{"x": 1}', '--follow', '--timeout', '20', ...common);
    expect(error.code).toBe(1);
    const id = error.stdout.split('\n')[0]!;
    expect(error.stdout).toMatch(/cliwf\.fail\s+error/);
    expect(error.stdout.trim().endsWith(`cli.FAIL ${id}: error`)).toBe(true);
    const { stdout: resumed } = await celeriac('workflow', 'resume', id, ...common);
    expect(resumed.trim()).toBe(id);
    const { stdout: canceled } = await celeriac('workflow', 'cancel', id, ...common);
    expect(canceled).toMatch(/canceled|already finished/);
    const { stdout: relaunched } = await celeriac('workflow', 'relaunch', id, ...common);
    expect(relaunched.trim()).toMatch(/^[0-9a-f-]{36}$/);
    expect(relaunched.trim()).not.toBe(id);
  });
});
