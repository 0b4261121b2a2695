/**
 * Helpers for the failure-semantics tests (remote control, bad input, crash/restart): the Redis
 * databases they own (9 and 15 only; nothing else is ever flushed), a private `redis-server` on
 * port 6392/6393 started and stopped by PID, child worker processes (`node --import tsx <fixture>`)
 * killed by PID, and a runner for Celery's Python client. Every service check fails loudly.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

/** The Redis databases these tests own. */
export const FAILURE_DBS = { control: 9, badInput: 15, crashRedis: 9, crashAmqp: 15 } as const;
/** Ports of the private redis-servers these tests may start. */
export const PRIVATE_REDIS_PORTS = [6392, 6393] as const;
/** The shared Redis of the tests. */
export const REDIS_HOST = '127.0.0.1';
export const REDIS_PORT = Number(process.env['CELERIAC_TEST_REDIS_PORT'] ?? 6379);
/** The RabbitMQ of the tests. */
export const AMQP_URL = process.env['CELERIAC_TEST_AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672//';
/** The interpreter with Debian's python3-celery (5.2.6). */
export const PYTHON = process.env['CELERIAC_INTEROP_PYTHON'] ?? '/usr/bin/python3';
/** `test/fixtures/crash`. */
export const CRASH_FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'crash');

function assertOwnDb(db: number, port: number): void {
  const own = port !== REDIS_PORT || db === 9 || db === 15;
  if (!own) throw new Error(`DB ${db} on port ${port} does not belong to the failure-semantics tests (9 and 15 only)`);
}

/** `redis://127.0.0.1:<port>/<db>` for one of our databases. */
export function redisUrl(db: number, port: number = REDIS_PORT): string {
  assertOwnDb(db, port);
  return `redis://${REDIS_HOST}:${port}/${db}`;
}

/** A raw client on one of our databases (close it with `disconnect()`). */
export function rawRedis(db: number, port: number = REDIS_PORT): Redis {
  assertOwnDb(db, port);
  const client = new Redis({ host: REDIS_HOST, port, db, protocol: 2, maxRetriesPerRequest: 3, retryStrategy: (times) => Math.min(times * 50, 500) });
  client.on('error', () => undefined);
  return client;
}

/** Throws (never skips) when the shared Redis is down, saying how to start it. */
export async function requireRedis(): Promise<void> {
  const client = new Redis({ host: REDIS_HOST, port: REDIS_PORT, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new Error(`Redis is not reachable at ${REDIS_HOST}:${REDIS_PORT} (${(error as Error).message}). Start it with \`redis-server --daemonize yes\`.`);
  } finally {
    client.disconnect();
  }
}

/** FLUSHDB one of our databases (9 or 15 on the shared Redis; any DB of a private server). */
export async function flushOwnDb(db: number, port: number = REDIS_PORT): Promise<void> {
  const client = rawRedis(db, port);
  try {
    await client.flushdb();
  } finally {
    client.disconnect();
  }
}

/** Poll `check` until it returns something other than `undefined`/`false`; throws after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await pause(25);
  }
}

/** Resolve after `ms`. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A redis-server this test process started; stopped by its PID only. Without `dataDir` it keeps
 * nothing on disk; with it, every write goes to an append-only file there (`appendfsync always`),
 * so a restart on the same directory comes back with the same data.
 */
export class PrivateRedis {
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;

  constructor(
    readonly port: (typeof PRIVATE_REDIS_PORTS)[number],
    private readonly dataDir?: string,
  ) {}

  /** Start it and wait until it answers PING. */
  async start(): Promise<void> {
    const persistence = this.dataDir ? ['--dir', this.dataDir, '--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persistence];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('error', () => undefined);
    const probe = new Redis({ host: REDIS_HOST, port: this.port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await waitFor(async () => {
        try {
          if (probe.status !== 'ready') await probe.connect();
          return (await probe.ping()) === 'PONG';
        } catch {
          probe.disconnect();
          return false;
        }
      }, 10_000, `redis-server on port ${this.port} (is redis-server on PATH and the port free?)`);
    } catch (error) {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      throw error;
    } finally {
      probe.disconnect();
    }
  }

  /** SIGTERM by PID and wait until it exited. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    process.kill(child.pid, 'SIGTERM');
    await this.exited;
  }
}

/** A worker running in a child process (`node --import tsx <fixture>`); signalled by its PID only. */
export class ChildWorker {
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private output = '';

  constructor(
    private readonly fixture: string,
    private readonly env: Record<string, string>,
  ) {}

  /** What the child printed so far (for failure messages). */
  get log(): string {
    return this.output;
  }

  /** True while the process runs. */
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Start it and wait until it prints `READY`. */
  async start(timeoutMs = 30_000): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(CRASH_FIXTURES, this.fixture)], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const append = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    await waitFor(() => this.output.includes('READY') || (!this.running && 'exited'), timeoutMs, `worker ${this.fixture} to print READY`).then((state) => {
      if (state === 'exited') throw new Error(`worker ${this.fixture} exited before READY:\n${this.output}`);
    });
  }

  /** Send `signal` to this child's PID and wait until it exited. */
  async kill(signal: NodeJS.Signals, timeoutMs = 30_000): Promise<void> {
    const child = this.child;
    if (!child || child.pid === undefined || !this.running) return;
    process.kill(child.pid, signal);
    await Promise.race([this.exited, pause(timeoutMs).then(() => Promise.reject(new Error(`worker did not exit after ${signal}:\n${this.output}`)))]);
  }

  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || child.pid === undefined || !this.running) return;
    process.kill(child.pid, 'SIGTERM');
    const timer = setTimeout(() => {
      if (this.running && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Run `test/fixtures/crash/<script>` with Python Celery; resolves with the JSON it printed. */
export function runPython<T>(script: string, args: readonly string[], timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [join(CRASH_FIXTURES, script), ...args], { timeout: timeoutMs, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`${PYTHON} ${script} failed (${error.message}). Needs python3-celery 5.2.6: apt-get install python3-celery python3-redis python3-amqp.\n${stderr}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as T);
      } catch {
        reject(new Error(`${script} printed no JSON:\n${stdout}\n${stderr}`));
      }
    });
  });
}

/**
 * Ping workers with Python Celery's remote control (`control_client.py`) until every node in
 * `nodes` answered pong or `withinMs` passed; resolves with the last replies. After a broker outage
 * a worker's remote-control connection reconnects on its own backoff (up to 5 s), possibly after
 * its task consumer did, so a single ping right after the canvas completed can come too early.
 */
export async function pingUntilAnswered(url: string, nodes: readonly string[], withinMs = 20_000): Promise<Array<Record<string, unknown>>> {
  const deadline = Date.now() + withinMs;
  const pong = (node: string) => JSON.stringify({ [node]: { ok: 'pong' } });
  for (;;) {
    const replies = await runPython<Array<Record<string, unknown>>>('control_client.py', [url, 'ping', '1.5']);
    const seen = new Set(replies.map((reply) => JSON.stringify(reply)));
    if (nodes.every((node) => seen.has(pong(node))) || Date.now() >= deadline) return replies;
  }
}

/** Wait for `work` at most `ms` (cleanup that must not hang a hook); never throws. */
export async function atMost(work: Promise<unknown> | undefined, ms: number): Promise<void> {
  await Promise.race([Promise.resolve(work).catch(() => undefined), pause(ms)]);
}
