/**
 * `celeriac events [--dump]`: watch Celery events from every node (celeriac and Python workers,
 * producers with events on). `--dump` prints one line per event as `celery events --dump` does;
 * without it, a live view of the workers and recent tasks, redrawn every second.
 * @module
 */
import type { Command } from 'commander';
import { receiveEvents } from '../../broker/events/receiver.js';
import { ConfigError } from '../../errors.js';
import { loadApp, type AppFlags } from '../load-app.js';
import { number, withAppOptions } from '../options.js';
import { flagsOf, run } from '../run.js';

/** Flags of `celeriac events`. */
export interface EventsFlags extends AppFlags {
  dump?: boolean;
  duration?: number;
}

const HUMAN: Record<string, string> = { 'worker-online': 'started', 'worker-offline': 'shutdown', 'worker-heartbeat': 'heartbeat' };

/** One `celery events --dump` line. */
export function dumpLine(event: Record<string, unknown>): string {
  const { hostname, timestamp, type, uuid, name, args, kwargs, ...rest } = event;
  const when = typeof timestamp === 'number' ? new Date(timestamp * 1000).toISOString().replace('T', ' ').replace('Z', '') : '?';
  const kind = String(type ?? '?');
  const what = HUMAN[kind] ?? kind.replace('-', ' ');
  const task = uuid ? ` ${String(name ?? '')}(${String(uuid)})${args !== undefined ? ` args=${String(args)} kwargs=${String(kwargs)}` : ''}` : '';
  const fields = Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ');
  return `${String(hostname)} [${when}] ${what}:${task} ${fields}`;
}

interface View {
  workers: Map<string, { status: string; active: unknown; processed: unknown; seen: number }>;
  tasks: Map<string, { name: string; state: string; worker: string; at: number }>;
}

function track(view: View, event: Record<string, unknown>): void {
  const type = String(event['type'] ?? '');
  const host = String(event['hostname'] ?? '?');
  if (type.startsWith('worker-')) {
    view.workers.set(host, { status: type === 'worker-offline' ? 'OFFLINE' : 'ONLINE', active: event['active'], processed: event['processed'], seen: Date.now() });
    return;
  }
  const id = event['uuid'];
  if (typeof id !== 'string') return;
  const known = view.tasks.get(id);
  const state = type.replace('task-', '').toUpperCase();
  view.tasks.set(id, { name: typeof event['name'] === 'string' ? event['name'] : known?.name ?? '?', state, worker: type === 'task-sent' ? known?.worker ?? '' : host, at: Date.now() });
  if (view.tasks.size > 200) view.tasks.delete(view.tasks.keys().next().value!);
}

function render(view: View): string {
  const lines = ['celeriac events — workers', ''];
  for (const [host, w] of view.workers) lines.push(`  ${host.padEnd(40)} ${w.status.padEnd(8)} active=${String(w.active ?? '-')} processed=${String(w.processed ?? '-')}`);
  lines.push('', 'recent tasks', '');
  for (const [id, t] of [...view.tasks].slice(-20).reverse()) lines.push(`  ${t.state.padEnd(10)} ${t.name.padEnd(30)} ${id}  ${t.worker}`);
  return `\x1b[2J\x1b[H${lines.join('\n')}\n`;
}

/** Add `events` to the program. */
export function registerEvents(program: Command): void {
  withAppOptions(program.command('events').description('watch Celery events of every worker (--dump: one line per event)'))
    .option('--dump', 'print every event as a line (as celery events --dump)')
    .option('--duration <seconds>', 'stop after this long (default: until Ctrl-C)', number('--duration', 0.1))
    .action(async (_options, command: Command) => {
      const flags = flagsOf<EventsFlags>(command);
      await run(flags, async () => {
        const app = await loadApp(flags, { broker: true });
        const url = app.options.broker;
        if (typeof url !== 'string') throw new ConfigError('events need a broker URL');
        const view: View = { workers: new Map(), tasks: new Map() };
        const receiver = await receiveEvents(url, (event) => (flags.dump ? process.stdout.write(`${dumpLine(event)}\n`) : track(view, event)));
        if (flags.dump) process.stdout.write('-> evdump: starting capture...\n');
        const timer = flags.dump ? undefined : setInterval(() => process.stdout.write(render(view)), 1000);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
          if (flags.duration !== undefined) setTimeout(resolve, flags.duration * 1000);
        });
        clearInterval(timer);
        await receiver.close();
        return 0;
      });
    });
}
