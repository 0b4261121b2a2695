/**
 * The Markdown report (`bench/results/latest.md`): one table per transport with the medians of
 * every system and celeriac's ratio to each peer, the W5 canvas sizes, and the targets.
 * @module
 */
import type { Transport } from '../lib/config.js';
import type { BenchResults, SizeOutcome } from '../lib/results.js';
import { formatBytes, formatNumber, formatRatio } from '../lib/stats.js';
import { METRICS, type MetricKey, type Sizes, type SystemId } from '../lib/types.js';
import { caseName } from '../systems/canvas-size.js';
import { BYTE_MEASURES, evaluateTargets, families, growthExponent } from './targets.js';
import { workflowTables } from './workflow.js';

const TRANSPORT_TITLES: Record<Transport, string> = {
  memory: 'memory:// (in-process, celeriac only)',
  redis: 'Redis',
  amqp: 'RabbitMQ (results in Redis)',
};

/** What the report header says about the run. */
export interface RunInfo {
  date: string;
  rounds: number;
  sizes: Sizes;
  environment: Record<string, string>;
  durationS: number;
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** Column names of the ratio columns. */
const SHORT_NAMES: Record<SystemId, string> = { celeriac: 'celeriac', bullmq: 'BullMQ', celery: 'Celery', raw: 'raw (transport only)', ceiling: 'ceiling' };

/** W1 metrics compared with the result-storing ceiling. */
const CEILING_METRICS: readonly MetricKey[] = ['e2e_rate', 'e2e_cpu_total', 'e2e_cpu_producer', 'e2e_cpu_worker', 'e2e_cpu_server', 'worker_rss'];

/**
 * Redis W1 against the result-storing ceiling (issue 16): each system's median, and its ratio to
 * the ceiling's (above 1 is better for rates, below 1 for CPU and memory).
 */
function ceilingTable(results: BenchResults): string[] {
  const systems = results.participantsOn('redis');
  if (!results.workloads.includes('W1') || !systems.some((s) => s.id === 'ceiling')) return [];
  const compared = systems.filter((s) => s.id === 'celeriac' || s.id === 'bullmq');
  const lines = ['### Redis W1 against the result-storing ceiling', ''];
  lines.push(
    'The ceiling is a plain ioredis producer and worker child that store and publish one result per task and read them back through one subscription (see bench/README.md). Ratios: system ÷ ceiling.',
    '',
  );
  lines.push(row(['metric', 'ceiling', ...compared.flatMap((s) => [s.label, `${SHORT_NAMES[s.id]} ÷ ceiling`])]));
  lines.push(row(['---', '---:', ...compared.flatMap(() => ['---:', '---:'])]));
  for (const key of CEILING_METRICS) {
    const metric = METRICS.find((m) => m.key === key)!;
    const ceiling = results.medianOf('redis', 'ceiling', key);
    if (ceiling === undefined) continue;
    const cells = compared.flatMap((s) => {
      const value = results.medianOf('redis', s.id, key);
      const ratio = results.ratioOf('redis', key, s.id, 'ceiling');
      return [value === undefined ? '–' : formatNumber(value), ratio === undefined ? '–' : formatRatio(ratio)];
    });
    lines.push(row([`${metric.label} (${metric.unit}, ${metric.better} is better)`, formatNumber(ceiling), ...cells]));
  }
  return [...lines, ''];
}

function transportTable(results: BenchResults, transport: Transport): string[] {
  const systems = results.participantsOn(transport);
  if (systems.length === 0) return [];
  const peers = systems.filter((s) => s.id !== 'celeriac');
  const metrics = METRICS.filter((m) => results.workloads.includes(m.workload));
  const lines = [`### ${TRANSPORT_TITLES[transport]}`, ''];
  lines.push(row(['workload', 'metric', ...systems.map((s) => s.label), ...peers.map((p) => `celeriac ÷ ${SHORT_NAMES[p.id]}`)]));
  lines.push(row(['---', '---', ...systems.map(() => '---:'), ...peers.map(() => '---:')]));
  for (const metric of metrics) {
    const values = systems.map((s) => results.medianOf(transport, s.id, metric.key));
    if (values.every((v) => v === undefined)) continue;
    const ratios = peers.map((p) => results.ratio(transport, metric.key, p.id));
    lines.push(
      row([
        metric.workload,
        `${metric.label} (${metric.unit}, ${metric.better} is better)`,
        ...values.map((v) => (v === undefined ? '–' : formatNumber(v))),
        ...ratios.map((r) => (r === undefined ? '–' : formatRatio(r))),
      ]),
    );
  }
  return [...lines, ''];
}

function sizeTable(outcomes: readonly SizeOutcome[]): string[] {
  if (outcomes.length === 0) return [];
  const lines = ['### W5 canvas size (encoded bytes: body + JSON headers + JSON properties)', ''];
  lines.push(row(['system', 'canvas', 'tasks', 'messages at apply', 'bytes at apply', 'bytes/task at apply', 'bytes over the whole run', 'bytes/task over the run']));
  lines.push(row(['---', '---', '---:', '---:', '---:', '---:', '---:', '---:']));
  for (const outcome of outcomes) {
    for (const r of outcome.results) {
      const run = r.runBytes !== undefined ? [formatBytes(r.runBytes), formatNumber(r.runBytes / r.tasks)] : ['–', '–'];
      lines.push(row([outcome.label, caseName(r.case), r.tasks.toLocaleString('en-US'), r.applyMessages.toLocaleString('en-US'), formatBytes(r.applyBytes), formatNumber(r.applyBytes / r.tasks), ...run]));
    }
    for (const s of outcome.skipped) lines.push(row([outcome.label, s.name, '', '', `not run: ${s.reason}`, '', '', '']));
  }
  lines.push('', 'Growth exponent k in bytes ∝ tasks^k between the two largest sizes of each family (1 = linear, 2 = quadratic):', '');
  lines.push(row(['system', 'family', 'k at apply', 'k over the whole run']), row(['---', '---', '---:', '---:']));
  for (const outcome of outcomes) {
    for (const family of families(outcome.results)) {
      const ks = BYTE_MEASURES.map(([, bytes]) => growthExponent(family.members, bytes));
      lines.push(row([outcome.label, family.name, ...ks.map((k) => (k === undefined ? '–' : k.toFixed(2)))]));
    }
  }
  return [...lines, ''];
}

/** Render the whole report. */
export function renderMarkdown(results: BenchResults, info: RunInfo): string {
  const env = Object.entries(info.environment).map(([k, v]) => `${k} ${v}`).join(' · ');
  const lines = [
    `# celeriac benchmark, ${info.date}`,
    '',
    `${env}. Medians of ${info.rounds} round(s), rounds interleaved (round → workload → system). ` +
      `W1 N = ${info.sizes.n.toLocaleString('en-US')}, W2 chain of ${info.sizes.chainSteps}, W3/W4 fan-out ${info.sizes.fanout.toLocaleString('en-US')}. ` +
      `Took ${info.durationS.toFixed(0)} s. Ratios are celeriac ÷ peer: above 1 is better for rates, below 1 is better for times and memory.`,
    '',
  ];
  for (const transport of results.transports) lines.push(...transportTable(results, transport));
  lines.push(...ceilingTable(results));
  lines.push(...sizeTable(results.sizes));
  lines.push(...workflowTables(results));
  const targets = evaluateTargets(results);
  if (targets.length > 0) {
    lines.push('### Targets (issue 7; W6: issue 13; ceiling and inline chain: issue 16)', '', row(['target', 'measured', 'status']), row(['---', '---:', '---']));
    const mark = { met: '✅ met', missed: '❌ missed', 'not measured': '– not measured' } as const;
    for (const t of targets) lines.push(row([t.text, t.measured, mark[t.status]]));
    lines.push('');
  }
  if (results.errors.length > 0) {
    lines.push('### Errors', '');
    for (const e of results.errors) lines.push(`- round ${e.round}, ${e.transport}, ${e.system}, ${e.workload}: ${e.message.split('\n')[0]}`);
    lines.push('');
  }
  return lines.join('\n');
}
