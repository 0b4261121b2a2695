/**
 * `celeriac worker`: consume until SIGTERM/SIGINT. The first signal is a warm shutdown (running
 * tasks finish); a second one is a cold shutdown (unfinished messages go back to the broker now).
 * @module
 */
import type { Command } from 'commander';
import { ConfigError } from '../../errors.js';
import { connectApp, loadApp, type AppFlags } from '../load-app.js';
import { integer, oneOf, withAppOptions } from '../options.js';
import { flagsOf, run } from '../run.js';

/** Flags of `celeriac worker`. */
export interface WorkerFlags extends AppFlags {
  queues?: string;
  concurrency?: number;
  prefetchMultiplier?: number;
  hostname?: string;
  pool?: 'async' | 'threads';
  events?: boolean;
  metricsPort?: number;
}

/** Start a worker and wait until it stopped. */
export async function workerCommand(flags: WorkerFlags): Promise<number> {
  if (flags.pool === 'threads' && !flags.app) throw new ConfigError('--pool threads needs -A <module>: every task thread loads the app from it');
  const app = await loadApp(flags, { broker: true });
  await connectApp(app, flags);
  const worker = app.worker({
    ...(flags.queues ? { queues: flags.queues.split(',').map((q) => q.trim()).filter(Boolean) } : {}),
    ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
    ...(flags.prefetchMultiplier !== undefined ? { prefetchMultiplier: flags.prefetchMultiplier } : {}),
    ...(flags.hostname ? { hostname: flags.hostname } : {}),
    ...(flags.events ? { events: true } : {}),
    ...(flags.metricsPort !== undefined ? { metrics: { port: flags.metricsPort } } : {}),
    ...(flags.pool === 'threads' && flags.app ? { pool: 'threads' as const, threads: { module: flags.app } } : {}),
  });
  app.logger.info(`registered tasks: ${app.registry.names().join(', ')}`);
  await worker.run();
  await app.close();
  return 0;
}

/** Add `worker` to the program. */
export function registerWorker(program: Command): void {
  withAppOptions(program.command('worker').description('start a worker (Ctrl-C once: warm shutdown; twice: cold shutdown)'))
    .option('-Q, --queues <list>', 'comma-separated queues to consume (default: celery)')
    .option('-c, --concurrency <n>', 'tasks run at once (default: 16)', integer('--concurrency', 1))
    .option('--prefetch-multiplier <n>', 'messages fetched ahead per slot (default: 4)', integer('--prefetch-multiplier', 1))
    .option('-n, --hostname <name>', 'node name (default: celeriac.<pid>@<hostname>)')
    .option('--metrics-port <port>', 'serve Prometheus metrics on http://0.0.0.0:<port>/metrics (needs prom-client)', integer('--metrics-port', 0, 65535))
    .option('-E, --events', "send Celery's task events and heartbeats (celery events, Flower)")
    .option('-P, --pool <kind>', 'async (default) or threads: tasks run in worker threads, hard time limits kill CPU loops', oneOf('--pool', ['async', 'threads'] as const))
    .action(async (_options, command: Command) => {
      const flags = flagsOf<WorkerFlags>(command);
      await run(flags, () => workerCommand(flags));
    });
}
