/**
 * What `npm run bench:scale` measures, in which order: every workload at growing sizes, celeriac
 * and BullMQ interleaved at each size (so a burst of noise hits both), smallest sizes first.
 * @module
 */
import type { ScaleWorkload } from './types.js';

/** One measurement to take (or to list as not run, with the reason). */
export interface ScaleCase {
  readonly workload: ScaleWorkload;
  readonly system: 'celeriac' | 'bullmq';
  /** celeriac's `continuations` mode (chains only). */
  readonly mode?: 'inline' | 'reference';
  readonly size: number;
  /** Not run, and why (printed in the table). */
  readonly skip?: string;
  /** Give up after this long (ms); the row then says so. */
  readonly timeoutMs: number;
}

/** Sizes of one run. */
export interface ScaleSizes {
  w1: number[];
  group: number[];
  chord: number[];
  /** celeriac reference mode and BullMQ chains. */
  chain: number[];
  /** celeriac inline chains that are run (a `chain` size missing here is listed as not run: full sizes leave out 10,000). */
  chainInline: number[];
}

/** Full sizes (issue 16) and the `--quick` ones (about a minute). */
export function scaleSizes(quick: boolean): ScaleSizes {
  return quick
    ? { w1: [1_000, 3_000, 6_000], group: [1_000, 3_000, 6_000], chord: [1_000, 3_000], chain: [100, 300, 1_000], chainInline: [100, 300, 1_000] }
    : { w1: [1_000, 10_000, 100_000], group: [1_000, 10_000, 50_000], chord: [1_000, 10_000], chain: [100, 1_000, 10_000], chainInline: [100, 1_000] };
}

const ROW_TIMEOUT_MS = 900_000;
/** BullMQ's deepest nested flow is given this long before the row reports that it did not finish. */
const BULLMQ_DEEP_CHAIN_TIMEOUT_MS = 300_000;

/** The cases of a run, in execution order. */
export function scaleCases(sizes: ScaleSizes): ScaleCase[] {
  const cases: ScaleCase[] = [];
  const both = (workload: ScaleWorkload, list: readonly number[]) => {
    for (const size of list) for (const system of ['celeriac', 'bullmq'] as const) cases.push({ workload, system, size, timeoutMs: ROW_TIMEOUT_MS });
  };
  both('W1 end-to-end', sizes.w1);
  both('group + join', sizes.group);
  both('chord', sizes.chord);
  const largest = Math.max(...sizes.chain);
  for (const size of sizes.chain) {
    cases.push({ workload: 'chain', system: 'celeriac', mode: 'reference', size, timeoutMs: ROW_TIMEOUT_MS });
    cases.push({
      workload: 'chain',
      system: 'celeriac',
      mode: 'inline',
      size,
      timeoutMs: ROW_TIMEOUT_MS,
      ...(sizes.chainInline.includes(size)
        ? {}
        : { skip: `not run: inline mode carries the rest of the chain in every message, so each hop decodes and re-encodes it: work grows with steps² (${size.toLocaleString('en-US')} steps ≈ ${((size * size) / 2).toExponential(1)} step encodings); use continuations 'reference'` }),
    });
    cases.push({ workload: 'chain', system: 'bullmq', size, timeoutMs: size === largest ? BULLMQ_DEEP_CHAIN_TIMEOUT_MS : ROW_TIMEOUT_MS });
  }
  return cases;
}
