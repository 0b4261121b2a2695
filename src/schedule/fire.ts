/**
 * Fire one claimed due time: send the task or start the workflow run under the fire's
 * deterministic id, applying the overlap policy for workflows. Never throws: a transport failure
 * (broker or store unreachable) returns undefined, leaving the fire claimed so that a beat takes it
 * over when its lease ends; any other failure becomes a `failed` outcome with its reason.
 * @module
 */
import { TransportError } from '../errors.js';
import type { Logger } from '../logger.js';
import { isFinalRunStatus, type RunStatus } from '../workflow/types.js';
import { fireId } from './fire-id.js';
import type { FireOutcome, ScheduleStore } from './store/store.js';
import type { FireRecord, ScheduleEntry } from './types.js';

/** What firing needs from the app. */
export interface FireHost {
  /** Send a task with a fixed id. */
  sendTask(name: string, args: readonly unknown[], kwargs: Record<string, unknown>, options: { taskId: string; queue?: string }): Promise<unknown>;
  /** Start a workflow run with a fixed id, marked periodic. */
  runWorkflow(fullname: string, payload: unknown, options: { runId: string; comment: string }): Promise<unknown>;
  /** A run's status, or undefined when there is no such run. */
  runStatus(runId: string): Promise<RunStatus | undefined>;
  /** Cancel a run. */
  cancelRun(runId: string): Promise<void>;
  readonly logger: Logger;
}

/**
 * Fire `record` of `entry`. `takenOver`: the fire was claimed by a beat that died; a workflow run
 * that already exists under the fire's id is then not started again.
 */
export async function fire(host: FireHost, store: ScheduleStore, entry: ScheduleEntry, record: FireRecord, now: () => number, takenOver: boolean): Promise<FireOutcome | undefined> {
  const id = fireId(entry.id, record.due);
  const target = entry.target;
  try {
    if (target.kind === 'task') {
      await host.sendTask(target.name, target.args, { ...target.kwargs }, { taskId: id, ...(target.queue !== undefined ? { queue: target.queue } : {}) });
      return { state: 'fired', at: now(), taskId: id };
    }
    if (takenOver && (await host.runStatus(id)) !== undefined) return { state: 'fired', at: now(), runId: id };
    if (entry.overlap !== 'allow') {
      const previous = (await store.fires(entry.id, entry.history)).find((r) => r.due < record.due && r.state === 'fired' && r.runId !== undefined);
      const status = previous?.runId !== undefined ? await host.runStatus(previous.runId) : undefined;
      if (previous?.runId !== undefined && status !== undefined && !isFinalRunStatus(status)) {
        if (entry.overlap === 'skip') return { state: 'skipped', at: now(), reason: `overlap: the previous run ${previous.runId} is still ${status}` };
        await host.cancelRun(previous.runId);
      }
    }
    const comment = `schedule ${entry.id} due ${new Date(record.due).toISOString()}`;
    await host.runWorkflow(target.name, target.payload, { runId: id, comment });
    return { state: 'fired', at: now(), runId: id };
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (error instanceof TransportError) {
      host.logger.warn({ schedule: entry.id, due: new Date(record.due).toISOString(), reason }, 'schedule fire left for a retry after its lease');
      return undefined;
    }
    host.logger.error({ schedule: entry.id, due: new Date(record.due).toISOString(), reason }, 'schedule fire failed');
    return { state: 'failed', at: now(), reason };
  }
}
