/**
 * Celery's remote-control verbs, answered by celeriac and Python workers alike:
 *   celeriac inspect active|reserved|scheduled|registered|stats|revoked|conf|active_queues|query_task <id>…
 *   celeriac control enable_events|disable_events|shutdown|time_limit <task> <soft> [hard]|
 *                    rate_limit <task> <rate>|add_consumer <queue>|cancel_consumer <queue>|pool_grow [n]|pool_shrink [n]
 *   celeriac status                     (ping: which nodes are online)
 *   celeriac revoke <id>… [--terminate] (stored in the backend when there is one, and broadcast)
 * Prints `->  node: OK` and the reply per node (or `--json`); exits 1 when no node replied.
 * @module
 */
import type { Command } from 'commander';
import { broadcast, controlClientFor, type ControlReply } from '../../broker/control/client-resolve.js';
import { ConfigError } from '../../errors.js';
import { connectApp, loadApp, type AppFlags } from '../load-app.js';
import { number, withAppOptions } from '../options.js';
import { flagsOf, run } from '../run.js';

/** Flags of the remote-control verbs. */
export interface ControlFlags extends AppFlags {
  timeout?: number;
  destination?: string;
  json?: boolean;
  terminate?: boolean;
}

const INSPECT = ['active', 'reserved', 'scheduled', 'registered', 'stats', 'revoked', 'conf', 'active_queues', 'query_task', 'ping', 'report'];

/** Positional arguments → the command's keyword arguments, per command. */
const CONTROL: Record<string, (args: string[]) => Record<string, unknown>> = {
  enable_events: () => ({}),
  disable_events: () => ({}),
  shutdown: () => ({}),
  time_limit: ([task, soft, hard]) => ({ task_name: task, soft: soft === undefined ? null : Number(soft), hard: hard === undefined ? null : Number(hard) }),
  rate_limit: ([task, rate]) => ({ task_name: task, rate_limit: rate }),
  add_consumer: ([queue]) => ({ queue }),
  cancel_consumer: ([queue]) => ({ queue }),
  pool_grow: ([n]) => ({ n: n === undefined ? 1 : Number(n) }),
  pool_shrink: ([n]) => ({ n: n === undefined ? 1 : Number(n) }),
};

async function send(flags: ControlFlags, method: string, args: Record<string, unknown>, reply = true): Promise<ControlReply[]> {
  const app = await loadApp(flags, { broker: true });
  const url = app.options.broker;
  if (typeof url !== 'string') throw new ConfigError('remote control needs a broker URL');
  const transport = await controlClientFor(url, app.options.brokerOptions ?? {});
  return broadcast(transport, method, {
    arguments: args,
    timeoutMs: (flags.timeout ?? 1) * 1000,
    reply,
    ...(flags.destination ? { destination: flags.destination.split(',').map((d) => d.trim()) } : {}),
  });
}

function print(replies: ControlReply[], flags: ControlFlags): number {
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(replies)}\n`);
    return replies.length === 0 ? 1 : 0;
  }
  if (replies.length === 0) {
    process.stderr.write('Error: No nodes replied within time constraint\n');
    return 1;
  }
  for (const reply of replies) {
    for (const [node, value] of Object.entries(reply)) {
      const failed = typeof value === 'object' && value !== null && 'error' in value;
      process.stdout.write(`->  ${node}: ${failed ? 'ERROR' : 'OK'}\n`);
      const text = JSON.stringify(value, null, 4);
      process.stdout.write(`${text.split('\n').map((line) => `    ${line}`).join('\n')}\n`);
    }
  }
  process.stdout.write(`\n${replies.length} node${replies.length === 1 ? '' : 's'} online.\n`);
  return replies.some((reply) => Object.values(reply).some((v) => typeof v === 'object' && v !== null && 'error' in v)) ? 1 : 0;
}

function common(command: Command): Command {
  return withAppOptions(command)
    .option('-t, --timeout <seconds>', 'wait this long for replies (default: 1)', number('--timeout', 0.01))
    .option('-d, --destination <nodes>', 'comma-separated node names (default: every node)')
    .option('-j, --json', 'print the replies as JSON');
}

/** Add `inspect`, `control`, `status` and `revoke` to the program. */
export function registerControlVerbs(program: Command): void {
  common(program.command('inspect').argument('<command>', INSPECT.join(', ')).argument('[args...]', 'task ids for query_task').description("ask workers (celeriac or Celery) what they are doing"))
    .action(async (method: string, args: string[], _options, command: Command) => {
      const flags = flagsOf<ControlFlags>(command);
      await run(flags, async () => {
        if (!INSPECT.includes(method)) throw new ConfigError(`unknown inspect command '${method}' (use ${INSPECT.join(', ')})`);
        return print(await send(flags, method, method === 'query_task' ? { ids: args } : {}), flags);
      });
    });

  common(program.command('control').argument('<command>', Object.keys(CONTROL).join(', ')).argument('[args...]', 'the command\'s arguments').description('change running workers (celeriac or Celery)'))
    .action(async (method: string, args: string[], _options, command: Command) => {
      const flags = flagsOf<ControlFlags>(command);
      await run(flags, async () => {
        const toArguments = Object.hasOwn(CONTROL, method) ? CONTROL[method] : undefined;
        if (!toArguments) throw new ConfigError(`unknown control command '${method}' (use ${Object.keys(CONTROL).join(', ')})`);
        return print(await send(flags, method, toArguments(args)), flags);
      });
    });

  common(program.command('status').description('list the workers that answer a ping'))
    .action(async (_options, command: Command) => {
      const flags = flagsOf<ControlFlags>(command);
      await run(flags, async () => {
        const replies = await send(flags, 'ping', {});
        if (flags.json || replies.length === 0) return print(replies, flags);
        for (const reply of replies) for (const node of Object.keys(reply)) process.stdout.write(`${node}: OK\n`);
        process.stdout.write(`\n${replies.length} node${replies.length === 1 ? '' : 's'} online.\n`);
        return 0;
      });
    });

  common(program.command('revoke').argument('<ids...>', 'task ids').description('revoke tasks: they do not run; running ones are aborted with --terminate'))
    .option('--terminate', 'also stop the tasks if they are running')
    .action(async (ids: string[], _options, command: Command) => {
      const flags = flagsOf<ControlFlags>(command);
      await run(flags, async () => {
        const app = await loadApp(flags, { broker: true });
        if (app.options.backend !== undefined) {
          await connectApp(app, flags);
          await app.revoke(ids);
          await app.close();
        }
        const replies = await send(flags, 'revoke', { task_id: ids, terminate: flags.terminate === true, signal: 'SIGTERM' });
        if (flags.json) return print(replies, flags);
        process.stdout.write(`revoked ${ids.join(', ')}${replies.length > 0 ? ` (${replies.length} node${replies.length === 1 ? '' : 's'} acknowledged)` : ''}\n`);
        return 0;
      });
    });
}
