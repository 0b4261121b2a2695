/**
 * Build the protocol-v2 message for one task signature in its apply context.
 * @module
 */
import { newId } from '../ids.js';
import type { SignatureOptionsDict, TaskHeaders, TaskMessage, TaskProperties } from '../protocol/message.js';
import { argsRepr, kwargsRepr } from '../protocol/pyrepr.js';
import type { SerializerName } from '../protocol/serializer.js';
import { isoWithMicros, parseIsoTime } from '../protocol/times.js';
import type { AnyCanvas } from './canvas.js';
import { mergeOptions } from './options.js';
import type { ApplyContext, PlanConfig, PlannedMessage } from './plan-types.js';

/** The task name used for routing: map/starmap route as their inner task (as Celery does). */
function routeName(sig: AnyCanvas): string {
  const inner = sig.kwargs['task'];
  if ((sig.task === 'celery.map' || sig.task === 'celery.starmap') && typeof inner === 'object' && inner !== null) {
    const name = (inner as { task?: unknown }).task;
    if (typeof name === 'string') return name;
  }
  return sig.task;
}

function timeOption(value: unknown, now: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return isoWithMicros(new Date(now + value * 1000));
  if (value instanceof Date) return isoWithMicros(value);
  // Re-emit any ISO string with 6 fraction digits and an explicit offset: Celery 5.2.6 reads a
  // 3-digit fraction (JavaScript's toISOString) as microseconds.
  return isoWithMicros(parseIsoTime(String(value)));
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The message for a plain task signature `sig` applied in `ctx`. */
export function planTaskMessage(sig: AnyCanvas, ctx: ApplyContext, config: PlanConfig): { message: PlannedMessage; id: string } {
  const opts: SignatureOptionsDict = mergeOptions(sig.options, ctx.options);
  const id = opts.task_id ?? newId();
  const now = config.now();
  const args = sig.immutable ? [...sig.args] : [...ctx.args, ...sig.args];
  const kwargs = sig.immutable ? { ...sig.kwargs } : { ...sig.kwargs, ...ctx.kwargs };
  const countdown = numberOrNull(opts.countdown);
  const eta = opts.eta !== undefined ? timeOption(opts.eta, now) : countdown !== null ? timeOption(countdown, now) : null;
  const expires = timeOption(opts.expires, now);
  const callbacks = [...(opts.link ?? []), ...ctx.link];
  const errbacks = [...(opts.link_error ?? []), ...ctx.linkError];
  const headers: TaskHeaders = {
    ...(opts.headers ?? {}),
    lang: 'py',
    task: sig.task,
    id,
    shadow: opts.shadow ?? null,
    eta,
    expires,
    group: ctx.groupId ?? opts.group_id ?? null,
    group_index: ctx.groupIndex ?? opts.group_index ?? null,
    retries: numberOrNull(opts.retries) ?? 0,
    timelimit: [numberOrNull(opts.time_limit), numberOrNull(opts.soft_time_limit)],
    root_id: ctx.rootId ?? opts.root_id ?? id,
    parent_id: ctx.parentId ?? opts.parent_id ?? null,
    argsrepr: argsRepr(args),
    kwargsrepr: kwargsRepr(kwargs),
    origin: config.origin,
    ignore_result: Boolean(opts.ignore_result),
  };
  const priority = numberOrNull(opts.priority) ?? undefined;
  const properties: TaskProperties = { correlation_id: id, reply_to: config.replyTo, delivery_mode: 2 };
  if (priority !== undefined) properties.priority = priority;
  // No AMQP `expiration` property: a broker would drop the expired message silently and its waiter
  // would hang. The worker reads the `expires` header and stores REVOKED instead (Celery's semantics).
  const message: TaskMessage = {
    headers,
    properties,
    args,
    kwargs,
    embed: {
      callbacks: callbacks.length > 0 ? callbacks : null,
      errbacks: errbacks.length > 0 ? errbacks : null,
      chain: ctx.chain ?? (opts.chain && opts.chain.length > 0 ? opts.chain : null),
      chord: ctx.chord ?? opts.chord ?? null,
    },
  };
  const queue = (opts.queue as string | undefined) ?? config.route(routeName(sig)) ?? config.defaultQueue;
  const serializer = (opts.serializer as SerializerName | undefined) ?? config.serializer;
  return { message: { queue, priority, serializer, message }, id };
}
