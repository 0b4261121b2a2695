/**
 * The scale table: one row per workload, size and system, with per-item time and worker CPU, how
 * they grow from the smallest size ("linear?": 1.0× is perfectly linear), and celeriac ÷ BullMQ.
 * @module
 */
import { formatNumber, formatRatio } from '../lib/stats.js';
import type { ScaleWorkload } from './types.js';

/** One measured (or skipped, or failed) row. */
export interface ScaleRow {
  readonly workload: ScaleWorkload;
  /** e.g. `celeriac`, `celeriac (reference)`, `BullMQ 6.7.0`. */
  readonly system: string;
  readonly isBullmq: boolean;
  readonly size: number;
  /** What an item is: a task, or a chain hop. */
  readonly unit: 'task' | 'hop';
  readonly totalMs?: number;
  readonly perItemMs?: number;
  readonly cpuPerItemUs?: number;
  /** 1-minute load average when the row finished. */
  readonly load?: number;
  readonly note?: string;
}

/** Per-item time (and worker CPU) ÷ the same at the smallest measured size of the same workload and system. */
export function growth(rows: readonly ScaleRow[], row: ScaleRow): { time?: number; cpu?: number } {
  const family = rows.filter((r) => r.workload === row.workload && r.system === row.system && r.perItemMs !== undefined);
  const smallest = family.sort((a, b) => a.size - b.size)[0];
  if (!smallest || row.perItemMs === undefined) return {};
  return {
    time: row.perItemMs / smallest.perItemMs!,
    ...(row.cpuPerItemUs !== undefined && smallest.cpuPerItemUs ? { cpu: row.cpuPerItemUs / smallest.cpuPerItemUs } : {}),
  };
}

function cell(value: number | undefined, format: (v: number) => string = formatNumber): string {
  return value === undefined ? '–' : format(value);
}

/** The Markdown table of a run. */
export function scaleTable(rows: readonly ScaleRow[]): string[] {
  const lines = [
    '| workload | size | system | total (s) | per item (ms) | worker CPU per item (µs) | linear? time per item ÷ smallest size | worker CPU per item ÷ smallest size | celeriac ÷ BullMQ, time per item | note |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const row of rows) {
    const g = growth(rows, row);
    const bullmq = rows.find((r) => r.isBullmq && r.workload === row.workload && r.size === row.size);
    const vsBullmq = !row.isBullmq && row.perItemMs !== undefined && bullmq?.perItemMs ? row.perItemMs / bullmq.perItemMs : undefined;
    lines.push(
      `| ${row.workload} | ${row.size.toLocaleString('en-US')} ${row.unit === 'hop' ? 'steps' : 'tasks'} | ${row.system} | ${cell(row.totalMs === undefined ? undefined : row.totalMs / 1000)} | ` +
        `${cell(row.perItemMs)} | ${cell(row.cpuPerItemUs)} | ${cell(g.time, formatRatio)} | ${cell(g.cpu, formatRatio)} | ${cell(vsBullmq, formatRatio)} | ${row.note ?? ''} |`,
    );
  }
  return lines;
}

/** Per-hop time and worker CPU at the largest chain may be at most this many times those at the smallest (issue 16). */
export const FLAT_CHAIN_MAX = 1.2;

/** Issue 16's scale targets, evaluated on a run's rows (a missing row is "not measured"). */
export function scaleTargets(rows: readonly ScaleRow[]): string[] {
  const chains = (system: string) => rows.filter((r) => r.workload === 'chain' && r.system === system).sort((a, b) => a.size - b.size);
  const lines = ['| target | measured | status |', '| --- | ---: | --- |'];
  const status = (ok: boolean | undefined) => (ok === undefined ? '– not measured' : ok ? '✅ met' : '❌ missed');
  const reference = chains('celeriac (reference)');
  const smallest = reference[0];
  const largest = reference[reference.length - 1];
  for (const [what, pick] of [
    ['time', (r: ScaleRow) => r.perItemMs],
    ['worker CPU', (r: ScaleRow) => r.cpuPerItemUs],
  ] as const) {
    const a = smallest ? pick(smallest) : undefined;
    const b = largest && largest !== smallest ? pick(largest) : undefined;
    const ratio = a !== undefined && b !== undefined && a > 0 ? b / a : undefined;
    const sizes = smallest && largest ? `${largest.size.toLocaleString('en-US')} ÷ ${smallest.size.toLocaleString('en-US')} steps` : 'largest ÷ smallest chain';
    lines.push(`| chain, continuations reference: per-hop ${what} at ${sizes} ≤ ${FLAT_CHAIN_MAX}× | ${ratio === undefined ? '–' : formatRatio(ratio)} | ${status(ratio === undefined ? undefined : ratio <= FLAT_CHAIN_MAX)} |`);
  }
  const inline = chains('celeriac (inline)').filter((r) => r.perItemMs !== undefined);
  const lastInline = inline[inline.length - 1];
  const bullmq = lastInline ? rows.find((r) => r.isBullmq && r.workload === 'chain' && r.size === lastInline.size) : undefined;
  const vs = lastInline?.perItemMs !== undefined && bullmq?.perItemMs ? lastInline.perItemMs / bullmq.perItemMs : undefined;
  lines.push(
    `| chain, continuations inline: per hop at ${lastInline ? lastInline.size.toLocaleString('en-US') : 'the largest inline'} steps ≤ BullMQ's nested flow | ${vs === undefined ? '–' : formatRatio(vs)} | ${status(vs === undefined ? undefined : vs <= 1)} |`,
  );
  return lines;
}
