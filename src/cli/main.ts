#!/usr/bin/env node
/**
 * The `celeriac` command, with Celery's habits:
 *   celeriac worker -A ./tasks.js --broker redis://… --backend redis://… -Q q1,q2 -c 16
 *   celeriac call add --args '[2,2]' --kwargs '{}' --wait
 *   celeriac result <task-id>
 *   celeriac purge -f -Q q1,q2
 * @module
 */
import { Command } from 'commander';
import { CeleriacError } from '../errors.js';
import { benchCommand, callCommand, purgeCommand, resultCommand, workerCommand } from './commands.js';

const program = new Command()
  .name('celeriac')
  .description('Celery-style task workflows for TypeScript, wire-compatible with Python Celery 5')
  .version('0.1.0')
  .showHelpAfterError();

const withApp = (command: Command) =>
  command
    .option('-A, --app <module>', 'module exporting the app (as `app` or `default`)')
    .option('-b, --broker <url>', 'broker URL: memory://, redis://, rediss://, amqp://, amqps:// (env CELERIAC_BROKER_URL)')
    .option('--backend <url>', 'result backend URL: memory://, redis:// (env CELERIAC_RESULT_BACKEND)')
    .option('-l, --loglevel <level>', 'debug, info, warn, error, silent', 'info');

withApp(program.command('worker').description('start a worker'))
  .option('-Q, --queues <list>', 'comma-separated queues to consume (default: celery)')
  .option('-c, --concurrency <n>', 'tasks run at once (default: 16)')
  .option('--prefetch-multiplier <n>', 'messages fetched ahead per slot (default: 4)')
  .option('-n, --hostname <name>', 'node name (default: celeriac.<pid>@<hostname>)')
  .option('-P, --pool <kind>', "async (default) or threads: tasks run in worker threads, hard time limits kill CPU loops")
  .action(async (flags) => run(() => workerCommand(flags)));

withApp(program.command('call').argument('<task>', 'task name').description('send a task by name and print its id'))
  .option('-a, --args <json>', 'positional arguments as a JSON array', '[]')
  .option('-k, --kwargs <json>', 'keyword arguments as a JSON object', '{}')
  .option('-Q, --queue <name>', 'queue to send to')
  .option('--countdown <seconds>', 'run no earlier than this many seconds from now')
  .option('--eta <iso>', 'run no earlier than this ISO time')
  .option('--expires <seconds>', 'discard if not started within this many seconds')
  .option('--priority <n>', 'priority 0-9')
  .option('-w, --wait', 'wait for the result and print it')
  .option('-t, --timeout <seconds>', 'with --wait: give up after this many seconds')
  .action(async (task: string, flags) => run(() => callCommand(task, flags)));

withApp(program.command('result').argument('<id>', 'task id').description("print a task's state and result"))
  .option('-w, --wait', 'wait until the task is ready')
  .option('-t, --timeout <seconds>', 'with --wait: give up after this many seconds')
  .action(async (id: string, flags) => run(() => resultCommand(id, flags)));

withApp(program.command('purge').description('remove every waiting task of the queues, including tasks parked until their ETA'))
  .option('-Q, --queues <list>', 'comma-separated queues (default: celery)')
  .option('-f, --force', 'do it (there is no undo)')
  .action(async (flags) => run(() => purgeCommand(flags)));

program
  .command('bench')
  .description('benchmark transports side by side with BullMQ, Celery and raw clients (in a celeriac checkout; --help for options)')
  .allowUnknownOption()
  .helpOption(false)
  .argument('[options...]', 'options for bench/run.ts, e.g. --quick --transport redis --workload W1')
  .action(async (args: string[]) => run(() => benchCommand(args)));

async function run(command: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await command();
  } catch (error) {
    const message = error instanceof CeleriacError ? `${error.name}: ${error.message}` : error instanceof Error ? error.stack ?? error.message : String(error);
    process.stderr.write(`celeriac: ${message}\n`);
    process.exitCode = 2;
  }
}

await program.parseAsync(process.argv);
