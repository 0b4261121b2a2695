#!/usr/bin/env node
/**
 * The `celeriac` command, with Celery's habits:
 *   celeriac worker -A ./tasks.js --broker redis://… --backend redis://… -Q q1,q2 -c 16
 *   celeriac call add --args '[2,2]' --kwargs '{}' --wait
 *   celeriac result <task-id>
 *   celeriac dead list|show <n>|replay|purge -Q <queue>
 * @module
 */
import { Command } from 'commander';
import { CeleriacError, redactUrl } from '../errors.js';
import { benchCommand, callCommand, resultCommand, workerCommand } from './commands.js';
import { registerWorkflowCommands } from './workflow-commands.js';
import { addScheduleCommands } from './schedules.js';
import { deadCommand } from './dead.js';
import { serveCommand } from './serve.js';
import { addSignalCommands } from './signals.js';

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

withApp(
  program
    .command('dead')
    .argument('<action>', 'list | show | replay | purge')
    .argument('[index]', 'with show: the letter number printed by list')
    .description("inspect, replay or purge a queue's dead letters"),
)
  .option('-Q, --queue <name>', 'the queue whose dead letters to use (default: celery)')
  .option('--limit <n>', 'with replay: at most this many, oldest first')
  .action(async (action: string, index: string | undefined, flags) => run(() => deadCommand(action, index, flags)));
withApp(program.command('serve').description('serve the REST API (Director\'s endpoints) and the dashboard'))
  .option('--host <host>', 'interface to listen on; beyond loopback, credentials are required', '127.0.0.1')
  .option('-p, --port <port>', 'port', '8000')
  .option('--users-file <path>', 'basic auth users, one `user:scrypt-hash` a line (env CELERIAC_SERVE_USERS_FILE; tokens: CELERIAC_SERVE_TOKENS)')
  .option('--no-auth', 'turn authentication off (e.g. behind a proxy that authenticates)')
  .option('--cors <origins>', 'comma-separated origins allowed by CORS (default: none)')
  .option('--body-limit <bytes>', 'largest request body (default: 1048576)')
  .option('--trust-proxy', 'trust X-Forwarded-* headers from a reverse proxy')
  .option('--worker', 'also run a worker in this process')
  .option('--hash-password', 'print the scrypt hash of the password read from stdin, for a users file')
  .action(async (flags) => run(() => serveCommand(flags)));

program
  .command('bench')
  .description('benchmark transports side by side with BullMQ, Celery and raw clients (in a celeriac checkout; --help for options)')
  .allowUnknownOption()
  .helpOption(false)
  .argument('[options...]', 'options for bench/run.ts, e.g. --quick --transport redis --workload W1')
  .action(async (args: string[]) => run(() => benchCommand(args)));

registerWorkflowCommands(program, withApp, run);
addScheduleCommands(program, withApp, run);
addSignalCommands(program, withApp, run);

/**
 * Runs a command. A failure is one line on stderr (passwords in URLs masked) and exit code 2, at
 * once: connections still retrying in the background (a wrong password, an unreachable broker)
 * must not keep the process hanging. `CELERIAC_DEBUG=1` adds the stack.
 */
async function run(command: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await command();
  } catch (error) {
    const message = error instanceof CeleriacError ? `${error.name}: ${error.message}` : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    process.stderr.write(`celeriac: ${maskUrls(message).split('\n')[0]}\n`);
    if (process.env['CELERIAC_DEBUG'] && error instanceof Error && error.stack) process.stderr.write(`${maskUrls(error.stack)}\n`);
    process.exit(2);
  }
}

/** Every URL in `text` with its password masked. */
function maskUrls(text: string): string {
  return text.replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, (url) => redactUrl(url));
}

await program.parseAsync(process.argv);
