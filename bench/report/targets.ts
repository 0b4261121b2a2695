/**
 * The targets of issue 7, evaluated against a run's medians. A ratio is celeriac ÷ peer.
 * @module
 */
import type { Transport } from '../lib/config.js';
import type { BenchResults } from '../lib/results.js';
import { formatRatio } from '../lib/stats.js';
import type { MetricKey, SystemId } from '../lib/types.js';
import { taskCount, type SizeResult } from '../systems/canvas-size.js';
import { workflowTargets } from './workflow.js';

/**
 * W5 counts as linear when bytes ∝ tasks^k with k at most this, k measured between the two
 * largest sizes of a family (so a fixed per-canvas overhead does not count against it).
 */
export const LINEAR_MAX_EXPONENT = 1.15;

interface RatioTarget {
  readonly text: string;
  readonly transport: Transport;
  readonly metric: MetricKey;
  readonly peer: SystemId;
  readonly op: '>=' | '<=';
  readonly threshold: number;
}

/** The ratio targets, in the order the issue lists them. */
export const RATIO_TARGETS: readonly RatioTarget[] = [
  { text: 'Redis W1 end-to-end ≥ 3× BullMQ', transport: 'redis', metric: 'e2e_rate', peer: 'bullmq', op: '>=', threshold: 3 },
  { text: 'Redis W1 end-to-end ≥ 10× Celery', transport: 'redis', metric: 'e2e_rate', peer: 'celery', op: '>=', threshold: 10 },
  { text: 'Redis W1 end-to-end ≥ 50% of raw ioredis (transport only)', transport: 'redis', metric: 'e2e_rate', peer: 'raw', op: '>=', threshold: 0.5 },
  { text: 'Redis W1 end-to-end ≥ 0.5× the result-storing ceiling (issue 16)', transport: 'redis', metric: 'e2e_rate', peer: 'ceiling', op: '>=', threshold: 0.5 },
  { text: 'Redis W2 per-hop ≤ 0.25× BullMQ', transport: 'redis', metric: 'chain_hop', peer: 'bullmq', op: '<=', threshold: 0.25 },
  { text: 'Redis W2 per-hop, continuations inline, ≤ BullMQ (issue 16)', transport: 'redis', metric: 'chain_hop', peer: 'bullmq', op: '<=', threshold: 1 },
  { text: 'Redis W3 chord ≤ 0.3× BullMQ', transport: 'redis', metric: 'chord_ms', peer: 'bullmq', op: '<=', threshold: 0.3 },
  { text: 'Redis W4 group + join ≤ 0.3× BullMQ', transport: 'redis', metric: 'group_ms', peer: 'bullmq', op: '<=', threshold: 0.3 },
  { text: 'Redis worker peak RSS ≤ BullMQ', transport: 'redis', metric: 'worker_rss', peer: 'bullmq', op: '<=', threshold: 1 },
  { text: 'RabbitMQ W1 end-to-end ≥ 70% of raw amqplib', transport: 'amqp', metric: 'e2e_rate', peer: 'raw', op: '>=', threshold: 0.7 },
  { text: 'RabbitMQ W1 end-to-end ≥ 5× Celery', transport: 'amqp', metric: 'e2e_rate', peer: 'celery', op: '>=', threshold: 5 },
];

/** One evaluated target. */
export interface TargetOutcome {
  readonly text: string;
  /** The measured value, e.g. `3.4×`. */
  readonly measured: string;
  readonly status: 'met' | 'missed' | 'not measured';
}

/** Evaluate every target that the run could measure. */
export function evaluateTargets(results: BenchResults): TargetOutcome[] {
  const measured = RATIO_TARGETS.filter((target) => results.transports.includes(target.transport));
  const outcomes: TargetOutcome[] = measured.map((target) => {
    const ratio = results.ratio(target.transport, target.metric, target.peer);
    if (ratio === undefined) return { text: target.text, measured: '–', status: 'not measured' };
    const met = target.op === '>=' ? ratio >= target.threshold : ratio <= target.threshold;
    return { text: target.text, measured: formatRatio(ratio), status: met ? 'met' : 'missed' };
  });
  for (const outcome of results.sizes.filter((s) => s.system === 'celeriac')) outcomes.push(...linearity(outcome.results, outcome.mode ?? 'inline'));
  outcomes.push(...workflowTargets(results));
  return outcomes;
}

/** k in bytes ∝ tasks^k between the two largest cases of a family, or undefined. */
export function growthExponent(family: readonly SizeResult[], bytes: (r: SizeResult) => number | undefined): number | undefined {
  if (family.length < 2) return undefined;
  const sorted = [...family].sort((a, b) => taskCount(a.case) - taskCount(b.case));
  const small = sorted[sorted.length - 2]!;
  const large = sorted[sorted.length - 1]!;
  const a = bytes(small);
  const b = bytes(large);
  if (a === undefined || b === undefined || a <= 0 || taskCount(large.case) === taskCount(small.case)) return undefined;
  return Math.log(b / a) / Math.log(taskCount(large.case) / taskCount(small.case));
}

/** Size families: groups by n, chains of chords by chord count (width fixed), and by width. */
export function families(results: readonly SizeResult[]): Array<{ name: string; members: SizeResult[] }> {
  const groups = results.filter((r) => r.case.kind === 'group');
  const chains = results.filter((r) => r.case.kind === 'chain_of_chords');
  const byWidth = chains.filter((r) => r.case.kind === 'chain_of_chords' && r.case.width === 50);
  const maxChords = Math.max(0, ...chains.map((r) => (r.case.kind === 'chain_of_chords' ? r.case.chords : 0)));
  const byChords = chains.filter((r) => r.case.kind === 'chain_of_chords' && r.case.chords === maxChords);
  return [
    { name: 'group, growing n', members: groups },
    { name: 'chain of chords × 50, growing chord count', members: byWidth },
    { name: `chain of ${maxChords} chords, growing width`, members: byChords },
  ].filter((f) => f.members.length >= 2);
}

/** The byte measures a family is judged on. */
export const BYTE_MEASURES = [
  ['at apply', (r: SizeResult) => r.applyBytes],
  ['over the whole run', (r: SizeResult) => r.runBytes],
] as const;

function linearity(results: readonly SizeResult[], mode: string): TargetOutcome[] {
  const out: TargetOutcome[] = [];
  for (const family of families(results)) {
    for (const [what, bytes] of BYTE_MEASURES) {
      const k = growthExponent(family.members, bytes);
      if (k === undefined) continue;
      out.push({
        text: `W5 linear (${mode}): ${family.name}, bytes ${what} (bytes ∝ tasks^k, k ≤ ${LINEAR_MAX_EXPONENT})`,
        measured: `k = ${k.toFixed(2)}`,
        status: k <= LINEAR_MAX_EXPONENT ? 'met' : 'missed',
      });
    }
  }
  return out;
}
