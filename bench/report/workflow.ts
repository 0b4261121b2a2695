/**
 * W6 in the report: the once-measured figures (bytes per node, list() page times) as tables, and
 * issue 13's workflow targets evaluated against a run.
 * @module
 */
import type { Transport } from '../lib/config.js';
import type { BenchResults } from '../lib/results.js';
import { formatBytes, formatNumber, formatRatio } from '../lib/stats.js';
import type { TargetOutcome } from './targets.js';

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** Bytes per node may grow at most this much from 1,000 to 10,000 nodes to count as constant. */
export const BYTES_GROWTH_MAX = 1.1;
/** A list() page at 100,000 runs may take at most this many times its time at 1,000 to count as flat. */
export const LIST_GROWTH_MAX = 2;

/** The W6 tables (empty when W6 did not run). */
export function workflowTables(results: BenchResults): string[] {
  const extras = results.workflow;
  if (!extras) return [];
  const lines = ['### W6 workflow message size (memory://, everything published from run() to the end)', ''];
  lines.push(row(['shape', 'nodes', 'messages', 'bytes', 'bytes/node']), row(['---', '---:', '---:', '---:', '---:']));
  for (const b of extras.bytes) lines.push(row([b.shape, b.nodes.toLocaleString('en-US'), b.messages.toLocaleString('en-US'), formatBytes(b.bytes), formatNumber(b.bytes / b.nodes)]));
  lines.push('', '### W6 `app.workflows.list()` page time (50 runs per page, median of 15 calls)', '');
  lines.push(row(['store', 'stored runs', 'first page (ms)', 'second page, by cursor (ms)', 'first page of one name (ms)']), row(['---', '---:', '---:', '---:', '---:']));
  for (const l of extras.list) lines.push(row([l.store, l.runs.toLocaleString('en-US'), formatNumber(l.firstPageMs), formatNumber(l.secondPageMs), formatNumber(l.byNameMs)]));
  return [...lines, ''];
}

/** Issue 13's W6 targets that this run measured. */
export function workflowTargets(results: BenchResults): TargetOutcome[] {
  if (!results.workloads.includes('W6')) return [];
  const out: TargetOutcome[] = [];
  for (const transport of ['memory', 'redis'] as const satisfies readonly Transport[]) {
    if (!results.transports.includes(transport)) continue;
    const overhead = results.medianOf(transport, 'celeriac', 'wf_overhead');
    out.push(judge(`${transport} W6 workflow node ≤ 1.5× chain hop (issue 13)`, overhead, (v) => v <= 1.5));
  }
  if (results.transports.includes('redis')) {
    const ratio = results.ratio('redis', 'wf_dag_ms', 'bullmq');
    out.push(judge('Redis W6 layered DAG ≤ 0.5× BullMQ flow trees (issue 13)', ratio, (v) => v <= 0.5));
  }
  const extras = results.workflow;
  if (extras) {
    for (const shape of new Set(extras.bytes.map((b) => b.shape.split(' ')[0]!))) {
      const family = extras.bytes.filter((b) => b.shape.startsWith(shape)).sort((a, b) => a.nodes - b.nodes);
      const small = family[0];
      const large = family[family.length - 1];
      const growth = small && large && small !== large ? large.bytes / large.nodes / (small.bytes / small.nodes) : undefined;
      out.push(judge(`W6 bytes per node constant, ${shape} 1k → 10k nodes (growth ≤ ${BYTES_GROWTH_MAX}×, issue 13)`, growth, (v) => v <= BYTES_GROWTH_MAX));
    }
    for (const store of new Set(extras.list.map((l) => l.store))) {
      const timings = extras.list.filter((l) => l.store === store).sort((a, b) => a.runs - b.runs);
      const small = timings[0];
      const large = timings[timings.length - 1];
      const growth = small && large && small !== large ? large.firstPageMs / small.firstPageMs : undefined;
      out.push(judge(`W6 list() page flat on ${store}, ${small?.runs.toLocaleString('en-US')} → ${large?.runs.toLocaleString('en-US')} runs (growth ≤ ${LIST_GROWTH_MAX}×, issue 13)`, growth, (v) => v <= LIST_GROWTH_MAX));
    }
  }
  return out;
}

function judge(text: string, value: number | undefined, ok: (value: number) => boolean): TargetOutcome {
  if (value === undefined || !Number.isFinite(value)) return { text, measured: '–', status: 'not measured' };
  return { text, measured: formatRatio(value), status: ok(value) ? 'met' : 'missed' };
}
