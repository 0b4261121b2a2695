/**
 * `celeriac beat` (fire the app's schedules until SIGINT/SIGTERM) and `celeriac schedules` (every
 * schedule with its next due times and the record of its last fires). Registered on the program by
 * {@link addScheduleCommands}.
 * @module
 */
import type { Command } from 'commander';
import { ConfigError } from '../errors.js';
import type { FireRecord, ScheduleInfo } from '../schedule/types.js';
import { loadApp, type AppFlags } from './load-app.js';

/** Flags of `celeriac beat`. */
export interface BeatFlags extends AppFlags {
  tickMs?: string;
  leaseMs?: string;
}

/** Flags of `celeriac schedules`. */
export interface SchedulesFlags extends AppFlags {
  next?: string;
  fires?: string;
  json?: boolean;
}

function count(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`--${name} must be a whole number ≥ 0 (got '${value}')`);
  return n;
}

/** `celeriac beat`: register `periodic:` workflows, fire due schedules until SIGINT/SIGTERM. */
export async function beatCommand(flags: BeatFlags): Promise<number> {
  const tickMs = count('tick-ms', flags.tickMs, 1000);
  const leaseMs = count('lease-ms', flags.leaseMs, 30_000);
  if (tickMs < 1 || leaseMs < 1) throw new ConfigError('--tick-ms and --lease-ms must be > 0');
  const app = await loadApp(flags);
  const beat = await app.beat({ tickMs, leaseMs }).start();
  const list = await app.schedules.list({ next: 1 });
  app.logger.info({ schedules: list.map((s) => s.id) }, `beat ${beat.name}: ${list.length} schedule(s)`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await beat.stop();
  await app.close();
  return 0;
}

/** `celeriac schedules`: every schedule, its next due times and its last fires. */
export async function schedulesCommand(flags: SchedulesFlags): Promise<number> {
  const next = count('next', flags.next, 3);
  const fires = count('fires', flags.fires, 5);
  const app = await loadApp(flags);
  try {
    const list = await app.schedules.list({ next });
    const rows = await Promise.all(list.map(async (info) => ({ info, fires: fires > 0 ? await app.schedules.fires(info.id, fires) : [] })));
    if (flags.json) process.stdout.write(`${JSON.stringify(rows.map(({ info, fires: f }) => ({ ...info, fires: f.map(fireJson) })), null, 2)}\n`);
    else process.stdout.write(rows.length === 0 ? 'no schedules\n' : rows.map(({ info, fires: f }) => describe(info, f)).join('\n'));
    return 0;
  } finally {
    await app.close();
  }
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function fireJson(record: FireRecord) {
  return { ...record, due: iso(record.due), fired: iso(record.fired), claimedAt: iso(record.claimedAt), leaseUntil: iso(record.leaseUntil) };
}

function describe(info: ScheduleInfo, fires: readonly FireRecord[]): string {
  const { entry } = info;
  const what = entry.target.kind === 'task' ? `task ${entry.target.name}` : `workflow ${entry.target.name}`;
  const when = entry.timing.kind === 'every' ? `every ${entry.timing.seconds}s` : `cron '${entry.timing.expression}' ${entry.timing.tz}`;
  const policy = `catchUp=${entry.catchUp}${entry.target.kind === 'workflow' ? ` overlap=${entry.overlap}` : ''}`;
  const lines = [`${info.id}  ${what}  ${when}  ${policy}`, `  next: ${info.next.join(', ') || '(none)'}`];
  if (fires.length > 0) lines.push('  last fires (due → fired, state, id):');
  for (const f of fires) {
    const late = f.fired !== null ? ` (+${f.fired - f.due} ms)` : '';
    const id = f.runId ? `run ${f.runId}` : f.taskId ? `task ${f.taskId}` : '';
    const extra = [f.missed > 0 ? `${f.missed} missed` : '', f.reason ?? ''].filter(Boolean).join('; ');
    lines.push(`    ${iso(f.due)} → ${iso(f.fired) ?? '-'}${late}  ${f.state}  ${id}${extra ? `  (${extra})` : ''}  by ${f.beat}`);
  }
  return `${lines.join('\n')}\n`;
}

type Runner = (command: () => Promise<number>) => Promise<void>;

/** Register `beat` and `schedules` on the program. `withApp` adds the app flags; `run` runs a command. */
export function addScheduleCommands(program: Command, withApp: (command: Command) => Command, run: Runner): void {
  withApp(program.command('beat').description('fire due schedules (any number of beats may run at once; each due time fires once)'))
    .option('--tick-ms <ms>', 'how often to look for due times (default: 1000)')
    .option('--lease-ms <ms>', 'after this long another beat takes over a fire whose beat died (default: 30000)')
    .action(async (flags: BeatFlags) => run(() => beatCommand(flags)));
  withApp(program.command('schedules').description('list every schedule with its next fire times and its last fires'))
    .option('--next <n>', 'how many next fire times (default: 3)')
    .option('--fires <n>', 'how many of the last fires (default: 5)')
    .option('--json', 'print JSON')
    .action(async (flags: SchedulesFlags) => run(() => schedulesCommand(flags)));
}
