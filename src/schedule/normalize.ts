/**
 * Check a {@link ScheduleSpec} and turn it into a stored {@link ScheduleEntry}. Every problem is a
 * {@link ScheduleError} naming the field; nothing is stored on failure.
 * @module
 */
import type { PayloadValidator } from '../workflow/payload.js';
import { checkPayload } from '../workflow/payload.js';
import { ScheduleError } from './errors.js';
import { cronOf, isKnownTimeZone } from './timing.js';
import type { CatchUp, Overlap, ScheduleEntry, ScheduleSpec, TimeInput } from './types.js';

/** What normalizing needs to know about workflows. */
export interface WorkflowLookup {
  /** The workflow's payload validator (undefined: no schema), or null when it is not defined. */
  validatorOf(fullname: string): PayloadValidator | undefined | null;
}

const CATCH_UPS: readonly CatchUp[] = ['none', 'latest', 'all'];
const OVERLAPS: readonly Overlap[] = ['allow', 'skip', 'cancel-previous'];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Check `spec` and build the entry (throws {@link ScheduleError}). */
export async function normalizeSpec(id: string, spec: ScheduleSpec, workflows: WorkflowLookup, now: number): Promise<ScheduleEntry> {
  const fail = (field: string, reason: string): never => {
    throw new ScheduleError(id, field, reason);
  };
  if (typeof id !== 'string' || id.length === 0 || id.length > 200) fail('id', 'must be a non-empty string of at most 200 characters');
  if (!isObject(spec)) fail('spec', 'must be an object');
  if ((spec.task === undefined) === (spec.workflow === undefined)) fail('task', 'give exactly one of task or workflow');
  if ((spec.every === undefined) === (spec.cron === undefined)) fail('every', 'give exactly one of every (seconds) or cron');

  let timing: ScheduleEntry['timing'];
  if (spec.every !== undefined) {
    if (typeof spec.every !== 'number' || !Number.isFinite(spec.every) || spec.every <= 0) fail('every', `must be a number of seconds > 0 (got ${JSON.stringify(spec.every)})`);
    if (Math.round(spec.every * 1000) < 1) fail('every', 'must be at least one millisecond');
    if (spec.tz !== undefined) fail('tz', 'applies to cron schedules only');
    timing = { kind: 'every', seconds: spec.every };
  } else {
    const tz = spec.tz ?? 'UTC';
    if (typeof tz !== 'string' || !isKnownTimeZone(tz)) fail('tz', `unknown time zone ${JSON.stringify(tz)} (use an IANA name such as Europe/Berlin)`);
    if (typeof spec.cron !== 'string') fail('cron', 'must be a string');
    try {
      cronOf(spec.cron as string, tz);
    } catch (error) {
      fail('cron', `cannot parse ${JSON.stringify(spec.cron)}: ${(error as Error).message}`);
    }
    timing = { kind: 'cron', expression: spec.cron as string, tz };
  }

  const catchUp = spec.catchUp ?? 'latest';
  if (!CATCH_UPS.includes(catchUp)) fail('catchUp', `must be one of ${CATCH_UPS.join(', ')} (got ${JSON.stringify(catchUp)})`);
  const catchUpWindow = positive(spec.catchUpWindow, 86_400, 'catchUpWindow', fail);
  const grace = positive(spec.grace, 60, 'grace', fail);
  const history = positive(spec.history, 20, 'history', fail);
  if (!Number.isInteger(history)) fail('history', 'must be an integer');
  const startAt = time(spec.startAt, 'startAt', fail);
  const endAt = time(spec.endAt, 'endAt', fail);
  if (startAt !== null && endAt !== null && endAt < startAt) fail('endAt', 'is before startAt');

  let target: ScheduleEntry['target'];
  let overlap: Overlap;
  if (spec.task !== undefined) {
    if (typeof spec.task !== 'string' || spec.task.length === 0) fail('task', 'must be a task name');
    if (spec.payload !== undefined) fail('payload', 'is for workflows; give a task args and kwargs');
    overlap = spec.overlap ?? 'allow';
    if (overlap !== 'allow') fail('overlap', 'applies to workflows only (tasks always allow overlap)');
    const args = spec.args ?? [];
    const kwargs = spec.kwargs ?? {};
    if (!Array.isArray(args)) fail('args', 'must be an array');
    if (!isObject(kwargs)) fail('kwargs', 'must be an object');
    if (spec.queue !== undefined && (typeof spec.queue !== 'string' || spec.queue === '')) fail('queue', 'must be a queue name');
    target = { kind: 'task', name: spec.task, args: [...args], kwargs: { ...kwargs }, ...(spec.queue !== undefined ? { queue: spec.queue } : {}) };
  } else {
    const name = spec.workflow as string;
    if (spec.args !== undefined || spec.kwargs !== undefined || spec.queue !== undefined) fail('args', 'are for tasks; give a workflow a payload');
    overlap = spec.overlap ?? 'skip';
    if (!OVERLAPS.includes(overlap)) fail('overlap', `must be one of ${OVERLAPS.join(', ')} (got ${JSON.stringify(overlap)})`);
    const validate = workflows.validatorOf(name);
    if (validate === null) fail('workflow', `unknown workflow ${JSON.stringify(name)} (define or load it first)`);
    const payload = spec.payload ?? {};
    try {
      await checkPayload(name, payload, validate ?? undefined);
    } catch (error) {
      fail('payload', (error as Error).message);
    }
    target = { kind: 'workflow', name, payload: JSON.parse(JSON.stringify(payload)) as Record<string, unknown> };
  }
  return { id, target, timing, catchUp, catchUpWindow, grace, overlap, startAt, endAt, history, updated: now };
}

function positive(value: unknown, fallback: number, field: string, fail: (field: string, reason: string) => never): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(field, `must be a number > 0 (got ${JSON.stringify(value)})`);
  return value as number;
}

function time(value: TimeInput | undefined, field: string, fail: (field: string, reason: string) => never): number | null {
  if (value === undefined) return null;
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) fail(field, `must be a Date, an ISO time or epoch milliseconds (got ${JSON.stringify(value)})`);
  return ms;
}
