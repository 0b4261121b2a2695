/**
 * Runs the Python side of the interop tests: Celery 5.2.6 workers (started and stopped by PID),
 * the producer script `python/produce.py` and the result reader `python/read_result.py`.
 * Every check fails loudly with the command that fixes it; nothing here ever skips a test.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { CELERY_PEER_INSTALL, requireCeleryPython } from '../../scripts/lib/celery-python.js';

/** The interpreter with python3-celery installed (Debian's Celery 5.2.6), found on PATH (or `CELERIAC_INTEROP_PYTHON`). */
const python = (): string => requireCeleryPython();
/** Where `interop_tasks.py`, `produce.py` and `read_result.py` live (the workers' cwd). */
export const PYTHON_DIR = join(dirname(fileURLToPath(import.meta.url)), 'python');

const INSTALL_HINT = CELERY_PEER_INSTALL;

/** Throws unless `python3 -m celery --version` works (the interop tests need real Celery). */
export function requirePythonCelery(): string {
  const interpreter = python();
  try {
    return execFileSync(interpreter, ['-m', 'celery', '--version'], { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (error) {
    throw new Error(`Python Celery is not usable via \`${interpreter} -m celery --version\` (${(error as Error).message.split('\n')[0]}). Install it with: ${INSTALL_HINT}`);
  }
}

/** The environment a Python process of one matrix combination runs with. */
export type PythonEnv = Record<string, string>;

function childEnv(env: PythonEnv): NodeJS.ProcessEnv {
  return { ...process.env, ...env, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' };
}

/** A Celery worker process started by the tests; stopped by its own PID only. */
export class PythonWorker {
  private child: ChildProcess | undefined;
  private output = '';
  private exited: Promise<number | null> | undefined;

  constructor(
    private readonly env: PythonEnv,
    /** The only queue it consumes. */
    readonly queue: string,
    /** Unique node name prefix (`<name>@%h`). */
    readonly name: string,
    private readonly pool: 'solo' | 'threads' = 'solo',
    /** The Celery app module of the python dir it loads (`-A`). */
    private readonly appModule = 'interop_tasks',
  ) {}

  /** The worker's log so far (for failure messages). */
  get log(): string {
    return this.output;
  }

  /** Start the worker and wait until it logs "ready". */
  async start(readyTimeoutMs = 30_000): Promise<void> {
    const args = ['-m', 'celery', '-A', this.appModule, 'worker', `--pool=${this.pool}`, ...(this.pool === 'threads' ? ['-c', '8'] : []),
      '-Q', this.queue, '-l', 'info', '--without-gossip', '--without-mingle', '--without-heartbeat', '-n', `${this.name}@%h`];
    const interpreter = python();
    const child = spawn(interpreter, args, { cwd: PYTHON_DIR, env: childEnv(this.env), stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Celery worker ${this.name} did not log "ready" within ${readyTimeoutMs} ms:\n${this.output}`)), readyTimeoutMs);
      const onData = (chunk: Buffer): void => {
        this.output += chunk.toString('utf8');
        if (/\bready\./.test(this.output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`Could not start ${interpreter} (${error.message}). Install Celery with: ${INSTALL_HINT}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Celery worker ${this.name} exited with code ${String(code)} before it was ready:\n${this.output}`));
      });
    });
  }

  /** SIGTERM (warm shutdown), then SIGKILL after `graceMs`; only this worker's PID is signalled. */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    process.kill(child.pid, 'SIGTERM');
    const killer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, graceMs);
    await this.exited;
    clearTimeout(killer);
  }
}

/** Run a script of the python dir and parse the one JSON document it prints. */
export function runPythonScript<T>(env: PythonEnv, script: string, args: readonly string[], timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(python(), [script, ...args], { cwd: PYTHON_DIR, env: childEnv(env), timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`${script} ${args.join(' ').slice(0, 200)} failed: ${error.message}\n${stderr}`));
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

/** What `read_result.py` reports for a task id. */
export interface PyTaskRecord {
  id: string;
  state?: string;
  value?: unknown;
  error?: { type: string; module: string; args: unknown[] };
  parent_id?: string | null;
  group_id?: string | null;
  children?: Array<string | { group: string; ids: string[] }>;
  timed_out?: boolean;
  reader_error?: string;
}

/** What `read_result.py` reports for a saved group id. */
export interface PyGroupRecord {
  id: string;
  found: boolean;
  ids?: string[];
  values?: unknown[];
  timed_out?: boolean;
  reader_error?: string;
}

/** One query of `read_result.py`. */
export interface PyQuery {
  id: string;
  kind: 'task' | 'group';
  timeout?: number;
}

/** Read results with Python's AsyncResult/GroupResult; one record per query, in order. */
export function pythonRead(env: PythonEnv, queries: readonly PyQuery[]): Promise<Array<PyTaskRecord & PyGroupRecord>> {
  return runPythonScript(env, 'read_result.py', [JSON.stringify(queries)]);
}

/** Run producer scenarios; returns `{scenario: ids}` (or `{scenario: {error}}`). */
export function pythonProduce(env: PythonEnv, scenarios: readonly string[]): Promise<Record<string, Record<string, unknown>>> {
  return runPythonScript(env, 'produce.py', scenarios);
}
