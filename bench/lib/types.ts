/**
 * The vocabulary of the benchmark: workloads, metrics, systems and their measurements.
 * @module
 */
import type { Transport } from './config.js';

/** W1 throughput · W2 chain latency · W3 chord · W4 group + join · W5 canvas size · W6 workflows. */
export type WorkloadId = 'W1' | 'W2' | 'W3' | 'W4' | 'W5' | 'W6';
export const WORKLOADS: readonly WorkloadId[] = ['W1', 'W2', 'W3', 'W4', 'W5', 'W6'];

/**
 * Who is measured. `raw` is the transport-only ceiling (ioredis / amqplib loop, no task semantics);
 * `ceiling` is the result-storing ceiling on Redis (plain ioredis producer + worker child that stores
 * and publishes one result per task, read back through one subscription).
 */
export type SystemId = 'celeriac' | 'bullmq' | 'celery' | 'raw' | 'ceiling';
export const SYSTEMS: readonly SystemId[] = ['celeriac', 'bullmq', 'celery', 'raw', 'ceiling'];

/** Sizes of the workloads for one run. */
export interface Sizes {
  /** W1: no-op tasks per measurement. */
  n: number;
  /** W2: steps in the chain. */
  chainSteps: number;
  /** W3: chord header size; W4: group size; W6: nodes of the layered DAG (10 layers × fanout/10). */
  fanout: number;
}

/** W6 layered DAG shape for a fan-out: 10 layers of `fanout / 10` nodes (1,000 → 10 × 100). */
export function dagShape(sizes: Sizes): { layers: number; width: number } {
  return { layers: 10, width: Math.max(2, Math.round(sizes.fanout / 10)) };
}

/** One measured quantity. */
export interface MetricDef {
  readonly key: MetricKey;
  readonly workload: WorkloadId;
  readonly label: string;
  readonly unit: string;
  /** Which direction is better: rates are `higher`, times and memory `lower`. */
  readonly better: 'higher' | 'lower';
  /**
   * The peers' metric this one is compared with in `celeriac ÷ peer` (default: the same key). W2's
   * reference-mode rows compare with BullMQ's one chain row.
   */
  readonly peerKey?: MetricKey;
}

export type MetricKey =
  | 'enqueue_rate'
  | 'e2e_rate'
  | 'drain_rate'
  | 'drain_cpu'
  | 'e2e_cpu_producer'
  | 'e2e_cpu_worker'
  | 'e2e_cpu_server'
  | 'e2e_cpu_total'
  | 'worker_rss'
  | 'chain_total'
  | 'chain_hop'
  | 'chain_cpu'
  | 'chain_hop_ref'
  | 'chain_cpu_ref'
  | 'chord_ms'
  | 'group_ms'
  | 'wf_linear_node'
  | 'wf_chain_hop'
  | 'wf_overhead'
  | 'wf_dag_ms';

/** Every timed metric, in table order. */
export const METRICS: readonly MetricDef[] = [
  { key: 'enqueue_rate', workload: 'W1', label: 'enqueue', unit: 'tasks/s', better: 'higher' },
  { key: 'e2e_rate', workload: 'W1', label: 'end-to-end', unit: 'tasks/s', better: 'higher' },
  { key: 'drain_rate', workload: 'W1', label: 'worker drain', unit: 'tasks/s', better: 'higher' },
  { key: 'drain_cpu', workload: 'W1', label: 'worker CPU per task (drain)', unit: 'µs', better: 'lower' },
  { key: 'e2e_cpu_producer', workload: 'W1', label: 'end-to-end CPU per task: producer', unit: 'µs', better: 'lower' },
  { key: 'e2e_cpu_worker', workload: 'W1', label: 'end-to-end CPU per task: worker', unit: 'µs', better: 'lower' },
  { key: 'e2e_cpu_server', workload: 'W1', label: 'end-to-end CPU per task: broker server', unit: 'µs', better: 'lower' },
  { key: 'e2e_cpu_total', workload: 'W1', label: 'end-to-end CPU per task: total (producer + worker + server)', unit: 'µs', better: 'lower' },
  { key: 'worker_rss', workload: 'W1', label: 'worker peak RSS', unit: 'MB', better: 'lower' },
  { key: 'chain_total', workload: 'W2', label: 'chain total (celeriac: continuations inline)', unit: 'ms', better: 'lower' },
  { key: 'chain_hop', workload: 'W2', label: 'chain per hop (celeriac: continuations inline, Celery\'s format)', unit: 'ms', better: 'lower' },
  { key: 'chain_cpu', workload: 'W2', label: 'worker CPU per hop (celeriac: inline)', unit: 'µs', better: 'lower' },
  { key: 'chain_hop_ref', workload: 'W2', label: 'chain per hop, celeriac continuations reference (vs the peers\' chain per hop)', unit: 'ms', better: 'lower', peerKey: 'chain_hop' },
  { key: 'chain_cpu_ref', workload: 'W2', label: 'worker CPU per hop, celeriac reference (vs the peers\' worker CPU per hop)', unit: 'µs', better: 'lower', peerKey: 'chain_cpu' },
  { key: 'chord_ms', workload: 'W3', label: 'chord to body result', unit: 'ms', better: 'lower' },
  { key: 'group_ms', workload: 'W4', label: 'group + join', unit: 'ms', better: 'lower' },
  { key: 'wf_linear_node', workload: 'W6', label: 'linear workflow (W2 length), per node', unit: 'ms', better: 'lower' },
  { key: 'wf_chain_hop', workload: 'W6', label: 'chain per hop (W2, same round)', unit: 'ms', better: 'lower' },
  { key: 'wf_overhead', workload: 'W6', label: 'workflow node ÷ chain hop', unit: '×', better: 'lower' },
  { key: 'wf_dag_ms', workload: 'W6', label: 'layered DAG (10 layers, each node after 2 above) end to end; BullMQ: flow trees, same node count', unit: 'ms', better: 'lower' },
];

/** What one system returned for one workload in one round. */
export type Sample = Partial<Record<MetricKey, number>>;

/**
 * A system under test on one transport. Created by the runner, which calls {@link run} once per
 * round and workload, and {@link close} at the end. Implementations start their own workers.
 */
export interface BenchSystem {
  readonly id: SystemId;
  readonly transport: Transport;
  /** Shown in tables, e.g. `BullMQ 6.7.0`. */
  readonly label: string;
  /** The timed workloads (W1–W4, W6) this system takes part in. */
  readonly workloads: readonly WorkloadId[];
  run(workload: WorkloadId, sizes: Sizes): Promise<Sample>;
  close(): Promise<void>;
}

/** A tasks/second rate from a count and a duration in ms. */
export function rate(count: number, ms: number): number {
  return ms > 0 ? (count * 1000) / ms : Number.POSITIVE_INFINITY;
}

/** The W1 drain metrics: the drain time and, when known, the worker's CPU time over it (both ms). */
export function drainSample(n: number, ms: number, cpuMs: number | undefined): Sample {
  return { drain_rate: rate(n, ms), ...(cpuMs !== undefined ? { drain_cpu: (cpuMs * 1000) / n } : {}) };
}
