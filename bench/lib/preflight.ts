/**
 * Before a run: are the services there (with a clear message on how to start them when not), is
 * Python Celery installed, and what are the versions for the report header.
 * @module
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connect } from 'amqplib';
import { Redis } from 'ioredis';
import { REPO_ROOT } from './build.js';
import { CELERY_PEER_INSTALL } from '../../scripts/lib/celery-python.js';
import { AMQP_URL, CELERIAC_DB, PYTHON, REDIS_PORT } from './config.js';

const run = promisify(execFile);

/** Throws with how to start Redis when it does not answer; returns its version and pid. */
export async function checkRedis(): Promise<{ version: string; pid: number | undefined }> {
  const redis = new Redis({ host: '127.0.0.1', port: REDIS_PORT, db: CELERIAC_DB, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    const info = await redis.info('server');
    const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
    return { version: /redis_version:(\S+)/.exec(info)?.[1] ?? '?', pid: Number.isInteger(pid) && pid > 0 ? pid : undefined };
  } catch (error) {
    throw new Error(`Redis is not reachable on 127.0.0.1:${REDIS_PORT} (${String(error)}). Start it with: redis-server --daemonize yes`);
  } finally {
    redis.disconnect();
  }
}

/** Throws with how to start RabbitMQ when it does not answer; returns its version. */
export async function checkAmqp(): Promise<string> {
  try {
    const connection = await connect(AMQP_URL);
    const version = String((connection.connection as unknown as { serverProperties?: { version?: unknown } }).serverProperties?.version ?? '?');
    await connection.close();
    return version;
  } catch (error) {
    throw new Error(`RabbitMQ is not reachable at ${AMQP_URL.replace(/\/\/.*@/, '//')} (${String(error)}). Start it with: rabbitmq-server -detached (guest/guest)`);
  }
}

/** The installed Celery version, or an error message saying what is missing. */
export async function checkCelery(): Promise<{ version: string } | { error: string }> {
  try {
    const { stdout } = await run(PYTHON, ['-c', 'import celery; print(celery.__version__)']);
    return { version: stdout.trim() };
  } catch {
    return { error: `Python Celery is not importable by ${PYTHON} (set BENCH_PYTHON, or install Debian's Celery 5.2.6: ${CELERY_PEER_INSTALL})` };
  }
}

/** Whether celeriac's Redis adapters exist yet (they were written in parallel with this tool). */
export function celeriacRedisAvailable(): boolean {
  return existsSync(join(REPO_ROOT, 'src', 'broker', 'redis.ts')) && existsSync(join(REPO_ROOT, 'src', 'backend', 'redis.ts'));
}

/** Machine facts for the report header. */
export function machine(): Record<string, string> {
  const cpu = cpus();
  return {
    machine: `${cpu.length} × ${cpu[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
    node: process.version,
  };
}
