/**
 * The verbs of the layers above the canvas: `workflow …`, `fire`, `beat`, `schedules`, `dead …` and
 * `serve`. Their files take the app options and a runner; this module hands them the shared ones.
 * @module
 */
import type { Command } from 'commander';
import { deadCommand } from '../dead.js';
import { withAppOptions } from '../options.js';
import { flagsOf, run } from '../run.js';
import { addScheduleCommands } from '../schedules.js';
import { serveCommand } from '../serve.js';
import { addSignalCommands } from '../signals.js';
import { registerWorkflowCommands } from '../workflow-commands.js';

type Action = (...args: unknown[]) => void | Promise<void>;

/**
 * The app options on a verb whose action reads its flags argument: that argument becomes the flags
 * merged with the program's (`optsWithGlobals()`), so `-A` works before or after the verb.
 */
function withGlobalFlags(command: Command): Command {
  const action = command.action.bind(command);
  command.action = (fn: Action) =>
    action((...args: unknown[]): void | Promise<void> => {
      const self = args[args.length - 1] as Command;
      args[args.length - 2] = self.optsWithGlobals();
      return fn(...args);
    });
  return withAppOptions(command);
}

/** Register the layer verbs on `program`. */
export function registerLayerVerbs(program: Command): void {
  const runner = async (body: () => Promise<number>): Promise<void> => run(flagsOf(program), body);
  registerWorkflowCommands(program, withGlobalFlags, runner);
  addScheduleCommands(program, withGlobalFlags, runner);
  addSignalCommands(program, withGlobalFlags, runner);

  withAppOptions(
    program
      .command('dead')
      .argument('<action>', 'list | show | replay | purge')
      .argument('[index]', 'with show: the letter number printed by list')
      .description("inspect, replay or purge a queue's dead letters"),
  )
    .option('-Q, --queue <name>', 'the queue whose dead letters to use (default: celery)')
    .option('--limit <n>', 'with replay: at most this many, oldest first')
    .action(async (action: string, index: string | undefined, _flags, command: Command) => runner(() => deadCommand(action, index, flagsOf(command))));

  withAppOptions(program.command('serve').description("serve the REST API (Director's endpoints) and the dashboard"))
    .option('--host <host>', 'interface to listen on; beyond loopback, credentials are required', '127.0.0.1')
    .option('-p, --port <port>', 'port', '8000')
    .option('--users-file <path>', 'basic auth users, one `user:scrypt-hash` a line (env CELERIAC_SERVE_USERS_FILE; tokens: CELERIAC_SERVE_TOKENS)')
    .option('--no-auth', 'turn authentication off (e.g. behind a proxy that authenticates)')
    .option('--cors <origins>', 'comma-separated origins allowed by CORS (default: none)')
    .option('--body-limit <bytes>', 'largest request body (default: 1048576)')
    .option('--trust-proxy', 'trust X-Forwarded-* headers from a reverse proxy')
    .option('--worker', 'also run a worker in this process')
    .option('--hash-password', 'print the scrypt hash of the password read from stdin, for a users file')
    .action(async (_flags, command: Command) => runner(() => serveCommand(flagsOf(command))));
}
