/**
 * The CLI verbs of §W6: `fire NAME JSON [--key K]` (an external event: waits and triggers) and
 * `workflow approve|reject <run> <node> [JSON]`. Each prints one JSON line and returns an exit code.
 * @module
 */
import type { Command } from 'commander';
import { ConfigError } from '../errors.js';
import { loadApp, type AppFlags } from './load-app.js';

/** Flags of `celeriac fire`. */
export interface FireFlags extends AppFlags {
  key?: string;
  retain?: string;
}

function parseJson(what: string, text: string | undefined, fallback: unknown): unknown {
  if (text === undefined) return fallback;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigError(`${what} must be JSON: ${(error as Error).message}`);
  }
}

/** `celeriac fire NAME JSON [--key K]`: fire an event; prints `{completed, triggered}`. */
export async function fireCommand(name: string, json: string | undefined, flags: FireFlags): Promise<number> {
  const data = parseJson('the event data', json, {});
  const app = await loadApp(flags);
  try {
    const outcome = await app.fire(name, data, { ...(flags.key !== undefined ? { key: flags.key } : {}), ...(flags.retain !== undefined ? { retain: Number(flags.retain) } : {}) });
    process.stdout.write(`${JSON.stringify(outcome)}\n`);
    return 0;
  } finally {
    await app.close();
  }
}

/** `celeriac workflow approve <run> <node> [JSON]`: approve a waiting approval node with data. */
export async function approveCommand(runId: string, node: string, json: string | undefined, flags: AppFlags): Promise<number> {
  const data = parseJson('the approval data', json, null);
  const app = await loadApp(flags);
  try {
    await app.workflows.approve(runId, node, data);
    process.stdout.write(`${JSON.stringify({ run: runId, node, approved: true })}\n`);
    return 0;
  } finally {
    await app.close();
  }
}

/** `celeriac workflow reject <run> <node> [REASON]`: reject a waiting approval node (a JSON string or plain text). */
export async function rejectCommand(runId: string, node: string, reason: string | undefined, flags: AppFlags): Promise<number> {
  let text = reason ?? 'rejected';
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'string') text = parsed;
    else if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { reason?: unknown }).reason === 'string') text = (parsed as { reason: string }).reason;
  } catch {
    // plain text reason
  }
  const app = await loadApp(flags);
  try {
    await app.workflows.reject(runId, node, text);
    process.stdout.write(`${JSON.stringify({ run: runId, node, rejected: true, reason: text })}\n`);
    return 0;
  } finally {
    await app.close();
  }
}

type Run = (command: () => Promise<number>) => Promise<void>;

/** Register `fire` and `workflow approve|reject` (on the `workflow` command when it exists already). */
export function addSignalCommands(program: Command, withApp: (command: Command) => Command, run: Run): void {
  withApp(program.command('fire').argument('<name>', 'event name').argument('[json]', 'event data as JSON (default: {})').description('fire an external event: completes waiting workflow nodes and reaches the triggers'))
    .option('-k, --key <key>', 'correlation key / trigger session')
    .option('--retain <seconds>', 'keep the event for waits that start later (default: the result expiry)')
    .action(async (name: string, json: string | undefined, flags: FireFlags) => run(() => fireCommand(name, json, flags)));
  const workflow = program.commands.find((command) => command.name() === 'workflow') ?? program.command('workflow').description('workflows: run, watch and operate');
  withApp(workflow.command('approve').argument('<run>', 'run id').argument('<node>', 'approval node').argument('[json]', 'approval data as JSON').description('approve a waiting approval node'))
    .action(async (runId: string, node: string, json: string | undefined, flags: AppFlags) => run(() => approveCommand(runId, node, json, flags)));
  withApp(workflow.command('reject').argument('<run>', 'run id').argument('<node>', 'approval node').argument('[reason]', 'why (text, or JSON)').description('reject a waiting approval node'))
    .action(async (runId: string, node: string, reason: string | undefined, flags: AppFlags) => run(() => rejectCommand(runId, node, reason, flags)));
}
