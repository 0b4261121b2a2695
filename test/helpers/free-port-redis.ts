/**
 * A private `redis-server` on a port the OS picks, for tests that need whole databases of their own
 * (Celery keys cannot be prefixed, and the shared test Redis's databases are all spoken for).
 * Started and stopped by this process's own PID; keeps nothing on disk. Fails loudly (never skips)
 * when `redis-server` is not installed.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/** A running private Redis. */
export interface FreePortRedis {
  readonly port: number;
  /** `redis://127.0.0.1:<port>/<db>`. */
  url(db?: number): string;
  /** A raw client on `db` (close it with `disconnect()`). */
  client(db?: number): Redis;
  /** SIGTERM by PID and wait until it exited. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Start `redis-server` on a free port and wait until it answers PING. */
export async function startFreePortRedis(): Promise<FreePortRedis> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = (db = 0): string => `redis://127.0.0.1:${port}/${db}`;
  const client = (db = 0): Redis => {
    const redis = new Redis({ host: '127.0.0.1', port, db, protocol: 2, maxRetriesPerRequest: 3 });
    redis.on('error', () => undefined);
    return redis;
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (spawnError) throw new Error(`could not start redis-server (${spawnError.message}); install it with \`apt-get install redis-server\``);
    const probe = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    const up = await probe
      .connect()
      .then(() => probe.ping())
      .then((pong) => pong === 'PONG')
      .catch(() => false);
    probe.disconnect();
    if (up) break;
    if (Date.now() > deadline) {
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
      throw new Error(`redis-server on port ${port} did not answer within 10 s`);
    }
    await sleep(50);
  }
  return {
    port,
    url,
    client,
    stop: async () => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGTERM');
      await exited;
    },
  };
}
