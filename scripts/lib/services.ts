/**
 * Probes and starters for the services the test suite needs (used by `scripts/provision.ts`):
 * Redis and RabbitMQ at the addresses the tests use, commands on PATH, and running a command.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import amqp from 'amqplib';
import { Redis } from 'ioredis';

/** Where the tests find Redis: `CELERIAC_TEST_REDIS_HOST` / `CELERIAC_TEST_REDIS_PORT` (default 127.0.0.1:6379). */
export const REDIS_TARGET = {
  host: process.env['CELERIAC_TEST_REDIS_HOST'] ?? '127.0.0.1',
  port: Number(process.env['CELERIAC_TEST_REDIS_PORT'] ?? 6379),
};
/** Where the tests find RabbitMQ: `CELERIAC_TEST_AMQP_URL` (default guest@127.0.0.1:5672, vhost `/`). */
export const AMQP_TARGET = process.env['CELERIAC_TEST_AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672//';

/** Whether `host` is this machine (only then may a service be started for it). */
export function isLocal(host: string): boolean {
  return ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host);
}

/** Whether `command` is an executable on PATH. */
export function onPath(command: string): boolean {
  return (process.env['PATH'] ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir || '.', command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Whether Debian package `name` is installed (dpkg-query); undefined where there is no dpkg. */
export function debianInstalled(name: string): boolean | undefined {
  if (!onPath('dpkg-query')) return undefined;
  const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return result.status === 0 && result.stdout.trim() === 'install ok installed';
}

/** Runs `command` (inheriting stderr); true when it exited 0. */
export function run(command: string, args: readonly string[], timeoutMs = 600_000): boolean {
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'], timeout: timeoutMs, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return result.status === 0;
}

/** Whether Redis answers PING at {@link REDIS_TARGET}. */
export async function redisAnswers(): Promise<boolean> {
  const client = new Redis({ ...REDIS_TARGET, lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** The outcome of opening an AMQP connection to {@link AMQP_TARGET}: ok, or why not. */
export type AmqpStatus = 'ok' | 'down' | 'refused' | 'no-vhost';

/** Opens (and closes) a connection to {@link AMQP_TARGET}. */
export async function amqpStatus(): Promise<AmqpStatus> {
  try {
    const connection = await amqp.connect(AMQP_TARGET, { timeout: 3_000 });
    await connection.close();
    return 'ok';
  } catch (error) {
    const message = String((error as Error).message);
    if (/ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|timeout/i.test(message)) return 'down';
    if (/ACCESS.REFUSED|403/.test(message)) return 'refused';
    // RabbitMQ closes the connection at connection.open when the vhost does not exist (or the user has no access to it).
    return 'no-vhost';
  }
}

/** The parts of {@link AMQP_TARGET} a provisioner needs. */
export function amqpTargetParts(): { host: string; port: number; user: string; vhost: string } {
  const url = new URL(AMQP_TARGET);
  return {
    host: url.hostname,
    port: Number(url.port || 5672),
    user: decodeURIComponent(url.username || 'guest'),
    vhost: decodeURIComponent(url.pathname.slice(1)) || '/',
  };
}

/** Polls `check` every 500 ms until it is true or `timeoutMs` passed. */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resume) => setTimeout(resume, 500));
  }
}
