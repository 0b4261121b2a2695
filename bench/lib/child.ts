/**
 * Child processes that speak JSON lines on stdout: bench workers (which announce `ready` and
 * `drained` events) and the Python producer driver (which answers one line per request).
 * Children are stopped by their own PID only; their peak RSS is read from /proc.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { processCpuMs } from './cpu.js';

/** How often the RSS of a child's process tree is sampled. */
const RSS_SAMPLE_MS = 100;
/** A numeric `/proc/<pid>/status` field in kB (e.g. VmRSS, VmHWM), or undefined. */
function statusField(pid: number, field: string): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Direct children of a process (from every thread's `children` file). */
function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/** A JSON object a child printed. */
export type ChildEvent = Record<string, unknown>;

interface Waiter {
  match: (event: ChildEvent) => boolean;
  resolve: (event: ChildEvent) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** Options of {@link ChildHandle.spawn}. */
export interface SpawnOptions {
  /** Shown in errors. */
  name: string;
  cwd?: string;
  env?: Record<string, string>;
}

/** A running child process; see the module documentation. */
export class ChildHandle {
  private readonly backlog: ChildEvent[] = [];
  private readonly waiters = new Set<Waiter>();
  private readonly stderrTail: string[] = [];
  private exited: Promise<number | null>;
  private exitCode: number | null | undefined;
  private treeRssPeakKb = 0;
  private readonly sampler: NodeJS.Timeout;

  private constructor(
    private readonly child: ChildProcess,
    readonly name: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    this.sampler = setInterval(() => this.sampleRss(), RSS_SAMPLE_MS).unref();
    void this.exited.then((code) => {
      clearInterval(this.sampler);
      this.exitCode = code;
      for (const waiter of this.waiters) waiter.reject(new Error(`${name} exited (code ${code}) before answering.${this.tail()}`));
      this.waiters.clear();
    });
    createInterface({ input: child.stdout! }).on('line', (line) => this.onLine(line));
    createInterface({ input: child.stderr! }).on('line', (line) => {
      this.stderrTail.push(line);
      if (this.stderrTail.length > 30) this.stderrTail.shift();
    });
  }

  /** Start `command args` with piped stdio. */
  static spawn(command: string, args: readonly string[], options: SpawnOptions): ChildHandle {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new ChildHandle(child, options.name);
  }

  /** The child's process id. */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Resolve with the first event (past or future) with `event: name`; reject after `timeoutMs`. */
  waitFor(name: string, timeoutMs: number): Promise<ChildEvent> {
    return this.next((event) => event['event'] === name, timeoutMs, `event '${name}'`);
  }

  /** Send one JSON request line and resolve with the next reply line that is not an event. */
  async request(payload: ChildEvent, timeoutMs: number): Promise<ChildEvent> {
    const reply = this.next((event) => event['event'] === undefined, timeoutMs, `a reply to ${JSON.stringify(payload)}`);
    this.child.stdin!.write(`${JSON.stringify(payload)}\n`);
    const answer = await reply;
    if (typeof answer['error'] === 'string') throw new Error(`${this.name}: ${answer['error']}`);
    return answer;
  }

  /** This process and its descendants (a prefork pool's children), from /proc. */
  processTree(): number[] {
    const tree: number[] = [];
    const visit = (pid: number) => {
      tree.push(pid);
      for (const child of childPids(pid)) visit(child);
    };
    visit(this.pid);
    return tree;
  }

  /** CPU time (user + system, ms) used so far by the process tree. */
  cpuMs(): number {
    return this.processTree().reduce((sum, pid) => sum + processCpuMs(pid), 0);
  }

  /**
   * Peak resident memory in MB: the larger of this process's own `VmHWM` and the highest sum of
   * `VmRSS` over the process tree seen by {@link sampleRss} (which covers prefork pools).
   */
  peakRssMb(): number | undefined {
    this.sampleRss();
    const own = statusField(this.pid, 'VmHWM');
    const peak = Math.max(own ?? 0, this.treeRssPeakKb);
    return peak > 0 ? peak / 1024 : undefined;
  }

  /** Record the current RSS of the process tree (called on a timer while the child runs). */
  sampleRss(): void {
    const total = this.processTree().reduce((sum, pid) => sum + (statusField(pid, 'VmRSS') ?? 0), 0);
    this.treeRssPeakKb = Math.max(this.treeRssPeakKb, total);
  }

  /** SIGTERM this PID, wait up to `graceMs`, then SIGKILL it. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.exitCode !== undefined) return;
    this.child.stdin?.end();
    process.kill(this.pid, 'SIGTERM');
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
    if ((await Promise.race([this.exited, timer])) === 'timeout' && this.exitCode === undefined) {
      process.kill(this.pid, 'SIGKILL');
      await this.exited;
    }
  }

  private next(match: (event: ChildEvent) => boolean, timeoutMs: number, what: string): Promise<ChildEvent> {
    const index = this.backlog.findIndex(match);
    if (index >= 0) return Promise.resolve(this.backlog.splice(index, 1)[0]!);
    if (this.exitCode !== undefined) return Promise.reject(new Error(`${this.name} has exited (code ${this.exitCode}).${this.tail()}`));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms.${this.tail()}`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  private onLine(line: string): void {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{')) return;
    let event: ChildEvent;
    try {
      event = JSON.parse(trimmed) as ChildEvent;
    } catch {
      return;
    }
    for (const waiter of this.waiters) {
      if (waiter.match(event)) {
        this.waiters.delete(waiter);
        clearTimeout(waiter.timer);
        waiter.resolve(event);
        return;
      }
    }
    this.backlog.push(event);
  }

  private tail(): string {
    return this.stderrTail.length ? `\n--- last stderr of ${this.name} ---\n${this.stderrTail.join('\n')}` : '';
  }
}

/** Extra node flags from `BENCH_NODE_ARGS` (e.g. `--cpu-prof --cpu-prof-dir=prof`). */
export function extraNodeArgs(): string[] {
  return (process.env['BENCH_NODE_ARGS'] ?? '').split(/\s+/).filter(Boolean);
}

/**
 * Command and arguments that run the bench worker `name` (a file in bench/workers/) in a plain
 * `node` process: compiled JS when this run is compiled (the normal case, see lib/build.ts), or the
 * TypeScript source through tsx's loader with `BENCH_TSX=1`. `BENCH_NODE_ARGS` adds node flags.
 */
export function workerCommand(name: string): { command: string; args: string[] } {
  const compiled = fileURLToPath(import.meta.url).endsWith('.js');
  const file = fileURLToPath(new URL(`../workers/${name}.${compiled ? 'js' : 'ts'}`, import.meta.url));
  return { command: process.execPath, args: [...extraNodeArgs(), ...(compiled ? [] : ['--import', 'tsx']), file] };
}
