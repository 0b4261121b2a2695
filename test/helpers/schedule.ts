/**
 * Helpers for the schedule tests: a fake clock, and a beat host that records what it sent instead
 * of sending it (with run statuses the test sets), over any schedule store.
 */
import type { BeatHost } from '../../src/schedule/beat.js';
import type { ScheduleStore } from '../../src/schedule/store/store.js';
import type { RunStatus } from '../../src/workflow/types.js';

/** A clock the test moves by hand. */
export class FakeClock {
  constructor(public time: number) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

/** One thing a recording host sent. */
export interface Sent {
  readonly kind: 'task' | 'workflow';
  readonly name: string;
  readonly id: string;
  readonly args: unknown;
}

/** A beat host that records sends and runs; `statuses` answers `runStatus`. */
export function recordingHost(store: ScheduleStore, sent: Sent[], statuses = new Map<string, RunStatus>(), canceled: string[] = []): BeatHost {
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  return {
    store: async () => store,
    logger: silent,
    registerPeriodic: async () => undefined,
    sendTask: async (name, args, kwargs, options) => {
      sent.push({ kind: 'task', name, id: options.taskId, args: [args, kwargs] });
    },
    runWorkflow: async (name, payload, options) => {
      if (statuses.has(options.runId)) throw new Error(`run ${options.runId} exists already`);
      statuses.set(options.runId, 'progress');
      sent.push({ kind: 'workflow', name, id: options.runId, args: payload });
    },
    runStatus: async (runId) => statuses.get(runId),
    cancelRun: async (runId) => {
      canceled.push(runId);
      statuses.set(runId, 'canceled');
    },
  };
}

/** Count how often each id was sent. */
export function countById(sent: readonly Sent[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of sent) counts.set(s.id, (counts.get(s.id) ?? 0) + 1);
  return counts;
}
