/**
 * `celeriac purge [-Q q1,q2]`: remove every waiting message of the queues (default: the app's
 * default queue), as `celery purge` does. Asks for confirmation unless `-f`.
 * @module
 */
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { connectApp, loadApp, type AppFlags } from '../load-app.js';
import { withAppOptions } from '../options.js';
import { flagsOf, run } from '../run.js';

/** Flags of `celeriac purge`. */
export interface PurgeFlags extends AppFlags {
  queues?: string;
  force?: boolean;
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** Add `purge` to the program. */
export function registerPurge(program: Command): void {
  withAppOptions(program.command('purge').description('remove every waiting message from queues (no undo)'))
    .option('-Q, --queues <list>', 'comma-separated queues (default: the app\'s default queue)')
    .option('-f, --force', 'do not ask for confirmation')
    .action(async (_options, command: Command) => {
      const flags = flagsOf<PurgeFlags>(command);
      await run(flags, async () => {
        const app = await loadApp(flags, { broker: true });
        const queues = flags.queues ? flags.queues.split(',').map((q) => q.trim()).filter(Boolean) : [app.defaultQueue];
        if (!flags.force && !(await confirm(`WARNING: this will remove all waiting messages from ${queues.join(', ')}. Are you sure? [y/N] `))) {
          process.stderr.write('celeriac: purge not confirmed (pass -f to skip the question)\n');
          return 1;
        }
        await connectApp(app, flags);
        const { broker } = await app.connect();
        let total = 0;
        for (const queue of queues) total += await broker.purge(queue);
        await app.close();
        process.stdout.write(`Purged ${total} message${total === 1 ? '' : 's'} from ${queues.length} known task queue${queues.length === 1 ? '' : 's'}.\n`);
        return 0;
      });
    });
}
