/**
 * Celery's `inspect` and `control` commands (celery/worker/control.py) answered by a celeriac
 * worker: what each command reads from or does to the {@link ControlTarget}, and the reply in
 * Celery's shape (`inspect` replies are the raw value; `control` replies are `{ok}` / `{error}`).
 * A command whose capability the target lacks answers `{error}` as Celery does for unknown ones.
 * @module
 */
import { taskIdsOf, type ControlRequest } from './request.js';
import type { ControlTarget } from './types.js';

/** What a command returns (sent only when the client asked for a reply). */
export type Command = (target: ControlTarget, request: ControlRequest, clock: number) => unknown;

const ok = (value: unknown): { ok: unknown } => ({ ok: value });
const error = (value: string): { error: string } => ({ error: value });

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : undefined);

function revoke(target: ControlTarget, request: ControlRequest, forceTerminate = false): unknown {
  const ids = taskIdsOf(request.arguments);
  const terminate = forceTerminate || request.arguments['terminate'] === true;
  const running = new Set(target.runningTaskIds?.() ?? []);
  target.revokeLocally(ids, { terminate });
  if (terminate) {
    const terminated = ids.filter((id) => running.has(id));
    return ok(terminated.length > 0 ? `terminate: ${terminated.join(', ')}` : 'terminate: tasks unknown');
  }
  return ok(`tasks ${ids.join(', ')} flagged as revoked`);
}

function needs<K extends keyof ControlTarget>(target: ControlTarget, key: K): NonNullable<ControlTarget[K]> | undefined {
  const value = target[key];
  return value === undefined ? undefined : (value as NonNullable<ControlTarget[K]>);
}

/** Every command, by Celery's name. */
export const COMMANDS: Record<string, Command> = {
  revoke: (target, request) => revoke(target, request),
  terminate: (target, request) => revoke(target, request, true),
  ping: () => ok('pong'),
  revoked: (target) => [...(target.revokedTaskIds?.() ?? [])],
  active: (target) => target.inspect?.active() ?? [],
  reserved: (target) => target.inspect?.reserved() ?? [],
  scheduled: (target) => target.inspect?.scheduled() ?? [],
  registered: (target) => target.inspect?.registered() ?? [],
  active_queues: (target) => target.inspect?.activeQueues() ?? [],
  stats: (target, _request, clock) => ({ ...(target.inspect?.stats() ?? {}), clock }),
  conf: (target) => target.inspect?.conf() ?? {},
  query_task: (target, request) => {
    const ids = request.arguments['ids'];
    const list = Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : typeof ids === 'string' ? [ids] : taskIdsOf(request.arguments);
    return target.inspect?.queryTask(list) ?? {};
  },
  report: (target) => ok(JSON.stringify(target.inspect?.stats() ?? {})),
  enable_events: async (target) => {
    const control = needs(target, 'control');
    if (!control) return error('events are not supported by this worker');
    return (await control.setEvents(true)) ? ok('task events enabled') : error('events are not supported on this broker');
  },
  disable_events: async (target) => {
    const control = needs(target, 'control');
    if (!control) return error('events are not supported by this worker');
    await control.setEvents(false);
    return ok('task events disabled');
  },
  rate_limit: (target, request) => {
    const name = str(request.arguments['task_name']);
    if (!name || !target.inspect?.registered().includes(name)) return error('unknown task');
    return error(`rate limits are not supported by celeriac workers (task ${name} left unchanged)`);
  },
  time_limit: (target, request) => {
    const name = str(request.arguments['task_name']);
    const control = needs(target, 'control');
    if (!name || !control) return error('unknown task');
    const soft = num(request.arguments['soft']);
    const hard = num(request.arguments['hard']);
    return control.setTimeLimits(name, soft, hard) ? ok('time limits set successfully') : error('unknown task');
  },
  shutdown: (target) => {
    target.control?.shutdown();
    return ok('shutting down');
  },
  add_consumer: async (target, request) => {
    const queue = str(request.arguments['queue']);
    if (!queue || !target.control) return error('add_consumer needs a queue');
    return ok(await target.control.addConsumer(queue));
  },
  cancel_consumer: async (target, request) => {
    const queue = str(request.arguments['queue']);
    if (!queue || !target.control) return error('cancel_consumer needs a queue');
    const outcome = await target.control.cancelConsumer(queue);
    return outcome.ok ? ok(outcome.message) : error(outcome.message);
  },
  pool_grow: (target, request) => {
    if (!target.control) return error('pool_grow is not supported by this worker');
    const outcome = target.control.resizePool(num(request.arguments['n']) ?? 1);
    return outcome.ok ? ok('pool will grow') : error(outcome.message);
  },
  pool_shrink: (target, request) => {
    if (!target.control) return error('pool_shrink is not supported by this worker');
    const outcome = target.control.resizePool(-(num(request.arguments['n']) ?? 1));
    return outcome.ok ? ok('pool will shrink') : error(outcome.message);
  },
};
