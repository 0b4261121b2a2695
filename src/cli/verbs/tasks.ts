/**
 * `celeriac call <task>` (send a task by name, print its id, and its result with `--wait`) and
 * `celeriac result <id>` (print a task's state and result).
 * @module
 */
import type { Command } from 'commander';
import { isReady } from '../../states.js';
import { connectApp, loadApp, parseJsonFlag, type AppFlags } from '../load-app.js';
import { integer, isoTime, number, withAppOptions } from '../options.js';
import { flagsOf, run } from '../run.js';

/** Flags of `celeriac call`. */
export interface CallFlags extends AppFlags {
  args?: string;
  kwargs?: string;
  queue?: string;
  countdown?: number;
  eta?: string;
  expires?: number;
  priority?: number;
  wait?: boolean;
  timeout?: number;
}

/** `celeriac call <task>`. */
export async function callCommand(name: string, flags: CallFlags): Promise<number> {
  const args = parseJsonFlag<unknown[]>('args', flags.args, []);
  const kwargs = parseJsonFlag<Record<string, unknown>>('kwargs', flags.kwargs, {});
  const app = await loadApp(flags, { broker: true, backend: flags.wait === true });
  await connectApp(app, flags);
  try {
    const result = await app.sendTask(name, args, kwargs, {
      ...(flags.queue ? { queue: flags.queue } : {}),
      ...(flags.countdown !== undefined ? { countdown: flags.countdown } : {}),
      ...(flags.eta ? { eta: flags.eta } : {}),
      ...(flags.expires !== undefined ? { expires: flags.expires } : {}),
      ...(flags.priority !== undefined ? { priority: flags.priority } : {}),
    });
    process.stdout.write(`${result.id}\n`);
    if (!flags.wait) return 0;
    const value = await result.get({ ...(flags.timeout !== undefined ? { timeout: flags.timeout * 1000 } : {}) });
    process.stdout.write(`${JSON.stringify(value)}\n`);
    return 0;
  } finally {
    await app.close();
  }
}

/** Flags of `celeriac result`. */
export interface ResultFlags extends AppFlags {
  wait?: boolean;
  timeout?: number;
}

/** `celeriac result <id>`: the whole meta as JSON; exit 1 when the task failed or was revoked. */
export async function resultCommand(id: string, flags: ResultFlags): Promise<number> {
  const app = await loadApp(flags, { backend: true });
  await connectApp(app, flags);
  try {
    const result = app.asyncResult(id);
    if (flags.wait) await result.get({ propagate: false, ...(flags.timeout !== undefined ? { timeout: flags.timeout * 1000 } : {}) });
    const meta = await result.meta();
    const state = meta?.status ?? 'PENDING';
    process.stdout.write(`${JSON.stringify({ id, state, result: meta?.result ?? null, traceback: meta?.traceback ?? null, parent_id: meta?.parent_id ?? null, children: meta?.children ?? [] }, null, 2)}\n`);
    return isReady(state) && state !== 'SUCCESS' ? 1 : 0;
  } finally {
    await app.close();
  }
}

/** Add `call` and `result` to the program. */
export function registerTaskVerbs(program: Command): void {
  withAppOptions(program.command('call').argument('<task>', 'task name').description('send a task by name and print its id'))
    .option('-a, --args <json>', 'positional arguments as a JSON array', '[]')
    .option('-k, --kwargs <json>', 'keyword arguments as a JSON object', '{}')
    .option('-Q, --queue <name>', 'queue to send to')
    .option('--countdown <seconds>', 'run no earlier than this many seconds from now', number('--countdown'))
    .option('--eta <iso>', 'run no earlier than this ISO time', isoTime('--eta'))
    .option('--expires <seconds>', 'discard if not started within this many seconds', number('--expires'))
    .option('--priority <n>', 'priority 0-255', integer('--priority', 0, 255))
    .option('-w, --wait', 'wait for the result and print it')
    .option('-t, --timeout <seconds>', 'with --wait: give up after this many seconds', number('--timeout'))
    .action(async (task: string, _options, command: Command) => {
      const flags = flagsOf<CallFlags>(command);
      await run(flags, () => callCommand(task, flags));
    });

  withAppOptions(program.command('result').argument('<id>', 'task id').description("print a task's state and result"))
    .option('-w, --wait', 'wait until the task is ready')
    .option('-t, --timeout <seconds>', 'with --wait: give up after this many seconds', number('--timeout'))
    .action(async (id: string, _options, command: Command) => {
      const flags = flagsOf<ResultFlags>(command);
      await run(flags, () => resultCommand(id, flags));
    });
}
