/**
 * A pool of task threads (worker_threads). Each thread runs one task at a time, so a task that
 * overruns its hard time limit, or is revoked with terminate, is stopped for real: its thread is
 * terminated and replaced, even if the task is stuck in a synchronous CPU loop.
 *
 * Every thread imports the app module itself (`-A` for the CLI), so tasks must be defined at module
 * level. Tasks that send further tasks from inside a thread need a networked broker (a memory
 * broker is per thread).
 * @module
 */
import { Worker as Thread } from 'node:worker_threads';
import { TaskRevokedError, TimeLimitExceededError } from '../../errors.js';
import type { ResultTuple } from '../../protocol/result-meta.js';
import type { ExecutionEnv, Executor, Outcome } from '../execute.js';
import { timeLimitsFor } from '../execute.js';
import { fromThreadError, toThreadError, type FromThread, type ToThread } from './messages.js';
import { setLongTimeout, type LongTimer } from '../../timers.js';

/** Thread pool options. */
export interface ThreadPoolOptions {
  /** The module exporting the app (`app` or `default`), as a path or URL. */
  module: string | URL;
  /** Number of threads. Default: the worker's concurrency. */
  size: number;
  /** Node flags for the threads (e.g. `['--import', 'tsx']` to load TypeScript). Default: this process's. */
  execArgv?: string[];
}

interface Job {
  resolve(result: { outcome: Outcome; children: ResultTuple[] }): void;
}

interface Slot {
  thread: Thread;
  ready: Promise<void>;
  job: { id: number; settle: Job['resolve']; updateState: ExecutionEnv['updateState'] } | undefined;
}

const fromSource = import.meta.url.endsWith('.ts');
const entry = new URL(`./thread-entry${fromSource ? '.ts' : '.js'}`, import.meta.url);

/** Start a thread on the entry; from TypeScript sources (development, tests) tsx is registered first. */
function startThread(workerData: unknown, execArgv: string[]): Thread {
  if (!fromSource) return new Thread(entry, { workerData, execArgv });
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Thread(bootstrap, { eval: true, workerData, execArgv });
}

/** Runs tasks in threads; see the module documentation. */
export class ThreadPool {
  private readonly slots: Slot[] = [];
  private readonly idle: Slot[] = [];
  private readonly waiting: Array<(slot: Slot) => void> = [];
  private nextJob = 1;
  private closed = false;

  constructor(private readonly options: ThreadPoolOptions) {}

  /** Start the threads and wait until each has loaded the app. */
  async start(): Promise<void> {
    for (let i = 0; i < Math.max(1, this.options.size); i += 1) this.slots.push(this.spawn());
    await Promise.all(this.slots.map((slot) => slot.ready));
    this.idle.push(...this.slots);
  }

  /** The executor the worker uses instead of running tasks in its own thread. */
  readonly execute: Executor = async (task, message, env) => {
    const slot = await this.acquire();
    const jobId = this.nextJob++;
    const { hardSeconds, softSeconds } = timeLimitsFor(task, message);
    const timers: LongTimer[] = [];
    let stopListening = (): void => undefined;
    try {
      return await new Promise((resolve) => {
        slot.job = { id: jobId, settle: resolve, updateState: env.updateState };
        const kill = (error: Error) => {
          slot.job = undefined;
          resolve({ outcome: { kind: 'failure', error }, children: [] });
          this.replace(slot);
        };
        const onAbort = (reason: unknown) => {
          slot.thread.postMessage({ type: 'abort', jobId, reason: toThreadError(reason) });
          if (reason instanceof TaskRevokedError) {
            const terminate = (reason as TaskRevokedError & { terminate?: boolean }).terminate === true;
            timers.push(setLongTimeout(() => slot.job?.id === jobId && kill(reason), terminate ? 0 : env.revokeGraceMs ?? 5000));
          }
        };
        stopListening = env.abort.onAbort(onAbort);
        if (softSeconds) timers.push(setLongTimeout(() => env.abort.abort(new TimeLimitExceededError(softSeconds, false)), softSeconds * 1000));
        if (hardSeconds) timers.push(setLongTimeout(() => slot.job?.id === jobId && kill(new TimeLimitExceededError(hardSeconds, true)), hardSeconds * 1000));
        const { headers, args, kwargs, embed, properties } = message;
        const run: ToThread = { type: 'run', jobId, message: { headers, args, kwargs, embed, properties }, hostname: env.hostname, queue: env.queue, delivery: env.delivery };
        slot.thread.postMessage(run);
      });
    } finally {
      stopListening();
      for (const timer of timers) timer.clear();
      if (this.slots.includes(slot) && !slot.job) this.release(slot);
    }
  };

  /** Terminate every thread. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => slot.thread.terminate()));
    this.slots.length = 0;
  }

  private spawn(): Slot {
    const module = this.options.module instanceof URL ? this.options.module.href : new URL(this.options.module, `file://${process.cwd()}/`).href;
    const thread = startThread({ module }, this.options.execArgv ?? process.execArgv);
    let markReady!: () => void;
    let fail!: (error: Error) => void;
    const slot: Slot = { thread, ready: new Promise<void>((resolve, reject) => ((markReady = resolve), (fail = reject))), job: undefined };
    thread.on('message', (message: FromThread) => this.onMessage(slot, message, markReady, fail));
    thread.on('error', (error: Error) => {
      fail(error);
      this.failJob(slot, error);
    });
    thread.on('exit', () => {
      if (!this.closed && this.slots.includes(slot)) {
        this.failJob(slot, new Error('task thread exited'));
        this.replace(slot);
      }
    });
    return slot;
  }

  private onMessage(slot: Slot, message: FromThread, markReady: () => void, fail: (error: Error) => void): void {
    if (message.type === 'ready') return markReady();
    if (message.type === 'fatal') return fail(fromThreadError(message.error));
    const job = slot.job;
    if (!job || job.id !== message.jobId) return;
    if (message.type === 'state') {
      job.updateState?.(message.state, message.meta).catch(() => undefined);
      return;
    }
    slot.job = undefined;
    if (message.type === 'success') job.settle({ outcome: { kind: 'success', value: message.value }, children: message.children });
    else if (message.type === 'replace') job.settle({ outcome: { kind: 'replace', replacement: message.replacement }, children: [] });
    else if (message.type === 'retry') {
      job.settle({ outcome: { kind: 'retry', countdownMs: message.countdownMs, maxRetries: message.maxRetries, cause: fromThreadError(message.cause) }, children: message.children });
    } else job.settle({ outcome: { kind: 'failure', error: fromThreadError(message.error) }, children: message.children });
  }

  private failJob(slot: Slot, error: Error): void {
    const job = slot.job;
    slot.job = undefined;
    job?.settle({ outcome: { kind: 'failure', error }, children: [] });
  }

  /** Terminate a slot's thread and put a fresh one in its place. */
  private replace(slot: Slot): void {
    const index = this.slots.indexOf(slot);
    if (index < 0 || this.closed) return;
    this.slots.splice(index, 1);
    void slot.thread.terminate();
    const fresh = this.spawn();
    this.slots.push(fresh);
    fresh.ready.then(() => this.release(fresh), () => undefined);
  }

  private acquire(): Promise<Slot> {
    const slot = this.idle.shift();
    if (slot) return Promise.resolve(slot);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(slot: Slot): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.idle.push(slot);
  }
}
