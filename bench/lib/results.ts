/**
 * Everything a run measured: per transport, system and metric the samples of every round, errors,
 * the W5 canvas sizes and W6's once-measured figures. Reports read medians from here.
 * @module
 */
import type { Transport } from './config.js';
import { median } from './stats.js';
import type { SizeResult } from '../systems/canvas-size.js';
import type { WorkflowExtras } from '../systems/workflow-extras.js';
import { METRICS, type MetricKey, type Sample, type SystemId, type WorkloadId } from './types.js';

/** A system that took part on a transport. */
export interface Participant {
  readonly id: SystemId;
  readonly label: string;
}

/** A failed measurement. */
export interface BenchError {
  readonly transport: Transport | 'encoding';
  readonly system: string;
  readonly workload: WorkloadId;
  readonly round: number;
  readonly message: string;
}

/** W5 outcome for one system: the sizes, or why there are none. */
export interface SizeOutcome {
  readonly system: SystemId;
  readonly label: string;
  /** celeriac's `continuations` option for these numbers. */
  readonly mode?: 'inline' | 'reference';
  readonly results: readonly SizeResult[];
  /** Cases that were not run, with the reason (e.g. Celery's exponential chain-of-chords). */
  readonly skipped: ReadonlyArray<{ readonly name: string; readonly reason: string }>;
}

/** The results of one run; see the module documentation. */
export class BenchResults {
  private readonly samples = new Map<string, number[]>();
  private readonly participants = new Map<Transport, Participant[]>();
  readonly errors: BenchError[] = [];
  readonly sizes: SizeOutcome[] = [];
  /** W6's bytes per node and list() page times (measured once). */
  workflow: WorkflowExtras | undefined;

  constructor(
    readonly transports: readonly Transport[],
    readonly workloads: readonly WorkloadId[],
  ) {}

  /** Note that a system takes part on a transport (keeps table column order). */
  addParticipant(transport: Transport, participant: Participant): void {
    const list = this.participants.get(transport) ?? [];
    if (!list.some((p) => p.id === participant.id)) list.push(participant);
    this.participants.set(transport, list);
  }

  participantsOn(transport: Transport): readonly Participant[] {
    return this.participants.get(transport) ?? [];
  }

  record(transport: Transport, system: SystemId, sample: Sample): void {
    for (const [metric, value] of Object.entries(sample)) {
      if (value === undefined || !Number.isFinite(value)) continue;
      const key = `${transport}|${system}|${metric}`;
      const list = this.samples.get(key) ?? [];
      list.push(value);
      this.samples.set(key, list);
    }
  }

  /** Every sample of a cell, in round order. */
  valuesOf(transport: Transport, system: SystemId, metric: MetricKey): readonly number[] {
    return this.samples.get(`${transport}|${system}|${metric}`) ?? [];
  }

  /** The median of a cell, or undefined when nothing was measured. */
  medianOf(transport: Transport, system: SystemId, metric: MetricKey): number | undefined {
    const values = this.valuesOf(transport, system, metric);
    return values.length > 0 ? median(values) : undefined;
  }

  /**
   * celeriac ÷ peer for a metric (the peer's `peerKey` when the metric has one), or undefined when
   * either is missing.
   */
  ratio(transport: Transport, metric: MetricKey, peer: SystemId): number | undefined {
    return this.ratioOf(transport, metric, 'celeriac', peer);
  }

  /** `system` ÷ `peer` for a metric (the peer's `peerKey` when the metric has one), or undefined. */
  ratioOf(transport: Transport, metric: MetricKey, system: SystemId, peer: SystemId): number | undefined {
    const ours = this.medianOf(transport, system, metric);
    const theirs = this.medianOf(transport, peer, METRICS.find((m) => m.key === metric)?.peerKey ?? metric);
    return ours !== undefined && theirs !== undefined && theirs !== 0 ? ours / theirs : undefined;
  }

  /** Plain data for latest.json. */
  toJSON(): Record<string, unknown> {
    return {
      samples: Object.fromEntries(this.samples),
      participants: Object.fromEntries(this.participants),
      errors: this.errors,
      sizes: this.sizes,
      workflow: this.workflow,
    };
  }
}
