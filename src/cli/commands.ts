/**
 * The CLI commands: `worker`, `call`, `result`, `purge`. Each returns an exit code.
 * @module
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { isReady } from '../states.js';
import { loadApp, parseJsonFlag, type AppFlags } from './load-app.js';

/** Flags of `celeriac worker`. */
export interface WorkerFlags extends AppFlags {
  queues?: string;
  concurrency?: string;
  prefetchMultiplier?: string;
  hostname?: string;
  pool?: string;
}

function requireModule(flags: AppFlags): string {
  if (!flags.app) throw new ConfigError('--pool threads needs -A <module>: every task thread loads the app from it');
  return flags.app;
}

/** `celeriac worker`: consume until SIGTERM/SIGINT, then finish running tasks and exit. */
export async function workerCommand(flags: WorkerFlags): Promise<number> {
  const app = await loadApp(flags);
  const worker = app.worker({
    ...(flags.queues ? { queues: flags.queues.split(',').map((q) => q.trim()).filter(Boolean) } : {}),
    ...(flags.concurrency ? { concurrency: Number(flags.concurrency) } : {}),
    ...(flags.prefetchMultiplier ? { prefetchMultiplier: Number(flags.prefetchMultiplier) } : {}),
    ...(flags.hostname ? { hostname: flags.hostname } : {}),
    ...(flags.pool === 'threads' ? { pool: 'threads' as const, threads: { module: requireModule(flags) } } : {}),
  });
  app.logger.info(`registered tasks: ${app.registry.names().join(', ')}`);
  await worker.run();
  await app.close();
  return 0;
}

/** Flags of `celeriac call`. */
export interface CallFlags extends AppFlags {
  args?: string;
  kwargs?: string;
  queue?: string;
  countdown?: string;
  eta?: string;
  expires?: string;
  priority?: string;
  wait?: boolean;
  timeout?: string;
}

/** `celeriac call <task>`: send a task by name, print its id (and its result with --wait). */
export async function callCommand(name: string, flags: CallFlags): Promise<number> {
  const app = await loadApp(flags);
  try {
    const args = parseJsonFlag<unknown[]>('args', flags.args, []);
    const kwargs = parseJsonFlag<Record<string, unknown>>('kwargs', flags.kwargs, {});
    const result = await app.sendTask(name, args, kwargs, {
      ...(flags.queue ? { queue: flags.queue } : {}),
      ...(flags.countdown ? { countdown: Number(flags.countdown) } : {}),
      ...(flags.eta ? { eta: flags.eta } : {}),
      ...(flags.expires ? { expires: Number(flags.expires) } : {}),
      ...(flags.priority ? { priority: Number(flags.priority) } : {}),
    });
    process.stdout.write(`${result.id}\n`);
    if (!flags.wait) return 0;
    const value = await result.get({ ...(flags.timeout ? { timeout: Number(flags.timeout) * 1000 } : {}) });
    process.stdout.write(`${JSON.stringify(value)}\n`);
    return 0;
  } finally {
    await app.close();
  }
}

/** Flags of `celeriac result`. */
export interface ResultFlags extends AppFlags {
  wait?: boolean;
  timeout?: string;
}

/** `celeriac result <id>`: print a task's state and result (the whole meta as JSON). */
export async function resultCommand(id: string, flags: ResultFlags): Promise<number> {
  const app = await loadApp(flags);
  try {
    const result = app.asyncResult(id);
    if (flags.wait) await result.get({ propagate: false, ...(flags.timeout ? { timeout: Number(flags.timeout) * 1000 } : {}) });
    const meta = await result.meta();
    const state = meta?.status ?? 'PENDING';
    process.stdout.write(`${JSON.stringify({ id, state, result: meta?.result ?? null, traceback: meta?.traceback ?? null, parent_id: meta?.parent_id ?? null, children: meta?.children ?? [] }, null, 2)}\n`);
    return isReady(state) && state !== 'SUCCESS' ? 1 : 0;
  } finally {
    await app.close();
  }
}

/** Flags of `celeriac purge`. */
export interface PurgeFlags extends AppFlags {
  queues?: string;
  force?: boolean;
}

/**
 * `celeriac purge -f [-Q q1,q2]`: remove every waiting message of the queues (default: the app's
 * default queue), including those parked until their ETA/countdown by celeriac workers, which
 * Python's `celery purge` does not see. Refuses without `--force` (there is no undo).
 */
export async function purgeCommand(flags: PurgeFlags): Promise<number> {
  const app = await loadApp(flags);
  try {
    const queues = flags.queues ? flags.queues.split(',').map((q) => q.trim()).filter(Boolean) : [app.defaultQueue];
    if (!flags.force) {
      process.stderr.write(`celeriac purge: this removes every waiting task of ${queues.join(', ')}, with no undo; run again with -f to do it\n`);
      return 1;
    }
    const { broker } = await app.connect();
    for (const queue of queues) process.stdout.write(`purged ${await broker.purge(queue)} message(s) from ${queue}\n`);
    return 0;
  } finally {
    await app.close();
  }
}

/**
 * `celeriac bench [options]`: run the transport benchmarks (bench/run.ts) of a celeriac checkout in
 * the current directory, forwarding every option (`--quick`, `--transport`, `--workload`, `--n`, …).
 */
export async function benchCommand(args: readonly string[]): Promise<number> {
  const runner = resolve(process.cwd(), 'bench/run.ts');
  if (!existsSync(runner)) {
    throw new ConfigError('celeriac bench runs from a celeriac checkout (bench/run.ts not found here); clone the repository, npm ci, then celeriac bench');
  }
  const tsx = resolve(process.cwd(), 'node_modules/.bin/tsx');
  const child = spawn(existsSync(tsx) ? tsx : 'npx', existsSync(tsx) ? [runner, ...args] : ['tsx', runner, ...args], { stdio: 'inherit' });
  return new Promise((done) => child.on('exit', (code) => done(code ?? 1)));
}
