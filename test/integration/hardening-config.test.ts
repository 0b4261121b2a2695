/**
 * Issue 12 item 12: secrets never appear in errors (passwords in URLs masked, an unencoded `@` in
 * the password included), and a wrong password or a bad URL ends `celeriac worker` / `call` with
 * one clear line and exit code 2, instead of hanging in a reconnect loop or crashing with
 * `SELECT NaN`. Uses a password-protected redis-server of its own (free port, stopped by PID).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { ConfigError, redactUrl } from '../../src/errors.js';
import { checkRedisUrl } from '../../src/redis/url.js';
import { AMQP_TEST_URL } from '../helpers/amqp.js';
import { waitFor } from '../helpers/crash.js';

const SECRET = 's3cr3t-pw';
let port = 0;
let server: ChildProcess | undefined;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { timeout: 40_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  port = await freePort();
  server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--requirepass', SECRET], { stdio: 'ignore' });
  await waitFor(async () => {
    const probe = new Redis({ port, password: SECRET, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      probe.disconnect();
    }
  }, 10_000, `redis-server with requirepass on port ${port} (is redis-server on PATH?)`);
}, 20_000);

afterAll(() => {
  if (server?.pid !== undefined && server.exitCode === null) process.kill(server.pid, 'SIGTERM');
});

describe('URLs in errors', () => {
  it('redactUrl masks the password, an unencoded @ in it included', () => {
    expect(redactUrl('redis://:pw@host:6379/0')).toBe('redis://:****@host:6379/0');
    expect(redactUrl('amqp://user:p@ss@host/vhost')).toBe('amqp://user:****@host/vhost');
    expect(redactUrl('redis://secretonly@host/0')).toBe('redis://****@host/0');
    expect(redactUrl('redis://host:6379/0')).toBe('redis://host:6379/0');
  });

  it('checkRedisUrl refuses a database that is not a number, without the password', () => {
    expect(() => checkRedisUrl(`redis://:${SECRET}@127.0.0.1:6379/notadb`)).toThrow(ConfigError);
    expect(() => checkRedisUrl(`redis://:${SECRET}@127.0.0.1:6379/notadb`)).toThrow(/database must be a number, got 'notadb'/);
    expect(() => checkRedisUrl(`redis://:${SECRET}@127.0.0.1:6379/notadb`)).not.toThrow(new RegExp(SECRET));
    expect(() => checkRedisUrl('redis://127.0.0.1:6379/3')).not.toThrow();
    expect(() => checkRedisUrl('rediss://127.0.0.1')).not.toThrow();
  });
});

describe('the CLI with bad credentials or URLs exits with one clear line', () => {
  it('worker with a wrong Redis password', async () => {
    const url = `redis://:wrong-${SECRET}@127.0.0.1:${port}/0`;
    const { code, stderr } = await cli('worker', '-b', url, '--backend', url, '-l', 'silent');
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/redis:\/\/:\*\*\*\*@127\.0\.0\.1:\d+\/0: WRONGPASS/);
    expect(stderr).not.toContain(SECRET);
  }, 60_000);

  it('call with a Redis URL whose database is not a number', async () => {
    const url = `redis://:${SECRET}@127.0.0.1:${port}/notadb`;
    const { code, stderr } = await cli('call', 'some.task', '-b', url, '--backend', url);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(`celeriac: ConfigError: Invalid Redis URL redis://:****@127.0.0.1:${port}/notadb: the database must be a number, got 'notadb'`);
  }, 60_000);

  it('worker with a wrong RabbitMQ password (holding an unencoded @)', async () => {
    const amqp = AMQP_TEST_URL.replace(/\/\/([^:@/]+):([^@]*)@/, `//$1:wr@ng-${SECRET}@`);
    const backend = `redis://:${SECRET}@127.0.0.1:${port}/0`;
    const { code, stderr } = await cli('worker', '-b', amqp, '--backend', backend, '-l', 'silent');
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/ACCESS.REFUSED/);
    expect(stderr).not.toContain(SECRET);
  }, 60_000);

  it('an unsupported URL is masked too', async () => {
    const { code, stderr } = await cli('call', 't', '-b', `foo://user:p@${SECRET}@host/0`);
    expect(code).toBe(2);
    expect(stderr).toContain("Unsupported broker URL 'foo://user:****@host/0'");
    expect(stderr).not.toContain(SECRET);
  }, 60_000);
});
