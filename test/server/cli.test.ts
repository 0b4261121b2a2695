/** `celeriac serve` as a user runs it: listen, answer, stop on SIGTERM; refuse to serve beyond loopback unprotected; hash a password. */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/server/index.js';

const exec = promisify(execFile);
const cli = ['--import', 'tsx', 'src/cli/main.ts'];

describe('celeriac serve', () => {
  it('serves the API of the -A app (examples/serve-dashboard.ts) with an in-process worker, and stops on SIGTERM', async () => {
    const child = spawn('node', [...cli, 'serve', '-A', 'examples/serve-dashboard.ts', '--port', '0', '--worker'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout!.on('data', (c: Buffer) => (log += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
    try {
      await expect.poll(() => /http:\/\/127\.0\.0\.1:\d+/.test(log), { timeout: 20_000 }).toBe(true);
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(log)![0];
      expect(await (await fetch(`${url}/api/ping`)).json()).toEqual({ message: 'pong' });
      const res = await fetch(`${url}/api/workflows`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ project: 'demo', name: 'ETL', payload: { user: 1 } }) });
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      await expect.poll(async () => ((await (await fetch(`${url}/api/workflows/${id}`)).json()) as { status: string }).status, { timeout: 10_000 }).toBe('success');
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });

  it('refuses to listen beyond loopback without credentials (exit 2, one clear line)', async () => {
    const error = await exec('node', [...cli, 'serve', '-A', 'examples/serve-dashboard.ts', '--host', '0.0.0.0', '--port', '0'], { env: { ...process.env, CELERIAC_SERVE_USERS: '', CELERIAC_SERVE_TOKENS: '', CELERIAC_SERVE_USERS_FILE: '' } }).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(error?.code).toBe(2);
    expect(error?.stderr).toMatch(/ConfigError: refusing to serve on 0\.0\.0\.0 without credentials/);
    expect(error?.stderr).not.toMatch(/\n\s+at /);
  });

  it('--hash-password hashes the password read from stdin', async () => {
    const child = spawn('node', [...cli, 'serve', '--hash-password'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stdin!.end('correct horse\n');
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
    expect(await verifyPassword('correct horse', out.trim())).toBe(true);
  });
});
