/**
 * Child processes that speak JSON lines on stdout: bench workers (which announce `ready` and
 * `drained` events) and the Python producer driver (which answers one line per request).
 * Children are stopped by their own PID only; their peak RSS is read from /proc.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

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

  private constructor(
    private readonly child: ChildProcess,
    readonly name: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    void this.exited.then((code) => {
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

  /** Peak resident set size so far in MB (`VmHWM`), or undefined when /proc has no answer. */
  peakRssMb(): number | undefined {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
      return match ? Number(match[1]) / 1024 : undefined;
    } catch {
      return undefined;
    }
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

/** Extra node flags from `BENCH_NODE_ARGS` (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`). */
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
