/**
 * `celeriac workflow …`: Director's verbs on celeriac's habits (WORKFLOWS.md §W8):
 *   workflow list | show NAME | run NAME JSON [--comment c] [--follow] | runs [--status s] [--name n]
 *   workflow cancel | relaunch | resume ID
 * An invalid payload prints Director's message (`Error: Payload is not valid`, one `- path: reason`
 * line per problem, `Aborted!`) and exits 1; an unknown workflow, malformed JSON or unknown run id
 * prints one line and exits 1.
 * @module
 */
import type { Command } from 'commander';
import type { Celeriac } from '../app.js';
import { UnknownRunError, UnknownWorkflowError, WorkflowStateError, PayloadError } from '../workflow/errors.js';
import type { RunStatus, WorkflowEvent } from '../workflow/types.js';
import { loadApp, type AppFlags } from './load-app.js';
import { table } from './table.js';

type Out = (line: string) => void;
const out: Out = (line) => process.stdout.write(`${line}\n`);
const err: Out = (line) => process.stderr.write(`${line}\n`);

/** Run a workflow verb with its app, mapping the workflow layer's user errors to one line and exit 1. */
async function withWorkflowApp(flags: AppFlags, body: (app: Celeriac) => Promise<number>): Promise<number> {
  const app = await loadApp(flags);
  try {
    return await body(app);
  } catch (error) {
    if (error instanceof PayloadError) {
      err('Error: Payload is not valid');
      for (const problem of error.problems) err(`- ${problem.path || '/'}: ${problem.message}`);
      err('Aborted!');
      return 1;
    }
    if (error instanceof UnknownWorkflowError || error instanceof UnknownRunError || error instanceof WorkflowStateError) {
      err(`Error: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await app.close();
  }
}

function parsePayload(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    err(`Error: the payload is not valid JSON (${(error as Error).message})`);
    return undefined;
  }
}

function describeEvent(event: WorkflowEvent): string {
  return event.kind === 'run' ? `run ${event.runId} ${event.status}` : `${event.at}  ${event.node.padEnd(24)} ${event.status}`;
}

/** `workflow run NAME JSON`: print the run id; with --follow, each node change and the final status. */
async function runWorkflow(app: Celeriac, name: string, payloadText: string | undefined, flags: { comment?: string; follow?: boolean; timeout?: string }): Promise<number> {
  const payload = parsePayload(payloadText);
  if (payload === undefined) return 1;
  if (!app.workflows.definitions.has(name)) throw new UnknownWorkflowError(name);
  if (!flags.follow) {
    const run = await app.workflows.run(name, payload, flags.comment !== undefined ? { comment: flags.comment } : {});
    out(run.id);
    return 0;
  }
  const lines: WorkflowEvent[] = [];
  let print: ((event: WorkflowEvent) => void) | undefined;
  let runId: string | undefined;
  const buffer = (event: WorkflowEvent) => (print ? print(event) : lines.push(event));
  const offRun = app.workflows.on('run', buffer);
  const offNode = app.workflows.on('node', buffer);
  try {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const run = await app.workflows.run(name, payload, flags.comment !== undefined ? { comment: flags.comment } : {});
    runId = run.id;
    out(run.id);
    print = (event) => {
      if (event.runId === runId && event.kind === 'node') out(describeEvent(event));
    };
    for (const event of lines.splice(0)) print(event);
    const record = await run.wait(flags.timeout !== undefined ? { timeout: Number(flags.timeout) * 1000 } : {});
    out(`${record.fullname} ${record.id}: ${record.status}`);
    return record.status === 'success' ? 0 : 1;
  } finally {
    offRun();
    offNode();
  }
}

/** Register `celeriac workflow …` on the program. `withApp` adds -A/--broker/--backend/-l; `run` maps exit codes. */
export function registerWorkflowCommands(program: Command, withApp: (command: Command) => Command, run: (command: () => Promise<number>) => Promise<void>): void {
  const workflow = program.command('workflow').description('define, run and operate workflows (Director-style)');

  withApp(workflow.command('list').description('list the workflow definitions')).action(async (flags: AppFlags) =>
    run(() =>
      withWorkflowApp(flags, async (app) => {
        const rows = app.workflows.definitions.list().map((d) => [d.fullname, String(d.graph.nodes.length), d.input.schema === undefined ? '-' : typeof d.input.schema === 'string' ? d.input.schema : 'inline', d.input.periodic ? (d.input.periodic.crontab ?? `every ${d.input.periodic.interval}s`) : '-', d.input.description ?? '']);
        out(table(['NAME', 'NODES', 'SCHEMA', 'PERIODIC', 'DESCRIPTION'], rows));
        return 0;
      }),
    ),
  );

  withApp(workflow.command('show').argument('<name>', 'project.NAME').description('show a definition: its graph and schema')).action(async (name: string, flags: AppFlags) =>
    run(() =>
      withWorkflowApp(flags, async (app) => {
        const definition = app.workflows.definitions.get(name);
        out(`${definition.fullname}${definition.file ? `  (${definition.file})` : ''}`);
        out(table(['NODE', 'TASK', 'AFTER', 'QUEUE', 'JOIN'], definition.graph.nodes.map((n) => [n.key, n.task, n.after.join(', ') || '-', n.queue ?? '-', n.join])));
        if (definition.jsonSchema) out(`schema: ${JSON.stringify(definition.jsonSchema, null, 2)}`);
        return 0;
      }),
    ),
  );

  withApp(workflow.command('run').argument('<name>', 'project.NAME').argument('[payload]', 'the payload as a JSON object', '{}').description('start a run; prints its id'))
    .option('--comment <text>', 'a comment kept with the run')
    .option('-f, --follow', 'print each node as it changes state and the final status (exit 1 unless success)')
    .option('-t, --timeout <seconds>', 'with --follow: give up after this many seconds')
    .action(async (name: string, payload: string, flags: AppFlags & { comment?: string; follow?: boolean; timeout?: string }) => run(() => withWorkflowApp(flags, (app) => runWorkflow(app, name, payload, flags))));

  withApp(workflow.command('runs').description('list runs, newest first'))
    .option('--status <status>', 'pending, progress, success, error or canceled')
    .option('--name <name>', 'project.NAME')
    .option('--limit <n>', 'how many (default 50)')
    .action(async (flags: AppFlags & { status?: string; name?: string; limit?: string }) =>
      run(() =>
        withWorkflowApp(flags, async (app) => {
          const limit = flags.limit === undefined ? undefined : Number(flags.limit);
          const page = await app.workflows.list({ ...(flags.status ? { status: flags.status as RunStatus } : {}), ...(flags.name ? { name: flags.name } : {}), ...(limit !== undefined ? { limit } : {}) });
          out(table(['ID', 'NAME', 'STATUS', 'CREATED', 'COMMENT'], page.items.map((r) => [r.id, r.fullname, r.status, r.created, r.comment ?? ''])));
          return 0;
        }),
      ),
    );

  for (const verb of ['cancel', 'relaunch', 'resume'] as const) {
    withApp(workflow.command(verb).argument('<id>', 'run id').description(`${verb} a run`)).action(async (id: string, flags: AppFlags) =>
      run(() =>
        withWorkflowApp(flags, async (app) => {
          if (verb === 'cancel') {
            const outcome = await app.workflows.cancel(id);
            out(outcome.changed ? `run ${id} canceled (${outcome.revoked.length} running task(s) revoked)` : `run ${id} already finished (${outcome.status}): nothing changed`);
            return 0;
          }
          const handle = verb === 'relaunch' ? await app.workflows.relaunch(id) : await app.workflows.resume(id);
          out(handle.id);
          return 0;
        }),
      ),
    );
  }
}
