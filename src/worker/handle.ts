/**
 * Process one delivery end to end: decode, look up, check expiry/revocation/ETA, execute, dispatch,
 * settle. Never throws: a bad message is dead-lettered with its reason; an unexpected error
 * requeues the message (at-least-once).
 * @module
 */
import type { ResultBackend } from '../backend/backend.js';
import type { Delivery } from '../broker/broker.js';
import { MaxRetriesExceededError, MessageDecodeError, NotRegisteredError, RetryRequest, TaskRevokedError } from '../errors.js';
import type { Logger } from '../logger.js';
import { decodeTaskMessage } from '../protocol/decode.js';
import { toExceptionInfo } from '../protocol/exceptions.js';
import { serializerForContentType, type SerializerName } from '../protocol/serializer.js';
import type { TaskMessage } from '../protocol/message.js';
import type { ResultTuple } from '../protocol/result-meta.js';
import { isoWithMicros, parseIsoTime } from '../protocol/times.js';
import type { Publisher } from '../publish/publisher.js';
import { States } from '../states.js';
import type { Dispatcher } from './dispatch.js';
import type { Executor, Outcome } from './execute.js';
import type { Instrumentation, TaskEnding } from './instrument.js';
import type { TaskAbort } from './abort.js';
import { buildMeta, type MetaExtras } from './meta.js';
import type { RegisteredTask, TaskRegistry } from './registry.js';
import { settleHandlingError } from './poison.js';
import { deliveryInfoOf } from './delivery-info.js';
import { sendReplacement } from './replace.js';
import { mayRetry } from './retry.js';

/** What the handler needs. */
export interface HandlerDeps {
  registry: TaskRegistry;
  backend: ResultBackend;
  publisher: Publisher;
  dispatcher: Dispatcher;
  logger: Logger;
  /** Task logs, signals, events and metrics: one call per lifecycle point. */
  instrument: Instrumentation;
  hostname: string;
  resultExtended: boolean;
  maxBodyBytes: number | undefined;
  /** ETAs closer than this are run in place instead of deferred through the broker. */
  etaSlackMs: number;
  /** How long a revoked running task may take to stop before the worker stops waiting. */
  revokeGraceMs: number;
  /** Runs tasks: in this thread (default) or in a thread pool. */
  execute: Executor;
  /** Worker-side handling failures of one message before it is failed and dead-lettered (poison cap). */
  maxHandlingFailures: number;
  /** True when the task (or its workflow root) was revoked, in the backend or in this worker. */
  isRevoked(taskId: string, rootId: string): Promise<boolean>;
  /** {@link isRevoked} when it can be answered without I/O (`undefined`: ask {@link isRevoked}). */
  isRevokedNow?(taskId: string, rootId: string): boolean | undefined;
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function traceOf(error: unknown): string | null {
  return error instanceof Error && error.stack ? error.stack : null;
}

/** Handle one delivery (see module docs). `abort` is the task's abort handle. */
export async function handleDelivery(
  delivery: Delivery,
  deps: HandlerDeps,
  abort: TaskAbort,
  onStart: (task: { id: string; rootId: string; message: TaskMessage }) => void = () => undefined,
): Promise<void> {
  let message: TaskMessage;
  try {
    message = decodeTaskMessage(delivery.message, deps.maxBodyBytes !== undefined ? { maxBodyBytes: deps.maxBodyBytes } : {});
  } catch (error) {
    const reason = error instanceof MessageDecodeError ? `${error.reason}: ${error.message}` : `undecodable: ${String(error)}`;
    deps.logger.error({ queue: delivery.queue, reason }, 'rejected a message that cannot be decoded');
    await delivery.reject({ requeue: false, reason });
    return;
  }
  const h = message.headers;
  const extras: MetaExtras = { extended: deps.resultExtended, hostname: deps.hostname, queue: delivery.queue };
  try {
    const task = deps.registry.get(h.task);
    if (!task) {
      deps.logger.error({ id: h.id, queue: delivery.queue }, `received unregistered task '${h.task}'`);
      await deps.dispatcher.failed(message, States.FAILURE, toExceptionInfo(new NotRegisteredError(h.task)), null, [], extras);
      await delivery.reject({ requeue: false, reason: `not-registered: ${h.task}` });
      return;
    }
    deps.instrument.received(message, delivery.queue);
    const now = Date.now();
    if (h.expires && parseIsoTime(h.expires).getTime() <= now) {
      deps.instrument.revoked(message, delivery.queue, 'expired');
      await deps.dispatcher.failed(message, States.REVOKED, toExceptionInfo(new TaskRevokedError('expired')), null, [], extras);
      await delivery.ack();
      return;
    }
    if (deps.isRevokedNow?.(h.id, h.root_id) ?? (await deps.isRevoked(h.id, h.root_id))) {
      deps.instrument.revoked(message, delivery.queue, 'revoked');
      await deps.dispatcher.failed(message, States.REVOKED, toExceptionInfo(new TaskRevokedError('revoked')), null, [], extras);
      await delivery.ack();
      return;
    }
    if (h.eta) {
      const at = parseIsoTime(h.eta).getTime();
      if (at - now > deps.etaSlackMs) {
        await delivery.defer(at);
        return;
      }
      if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
    }
    if (task.settings.trackStarted) {
      await deps.backend.storeMeta(buildMeta(message, States.STARTED, { pid: process.pid, hostname: deps.hostname }, { extras }));
    }
    onStart({ id: h.id, rootId: h.root_id, message });
    const startedAt = deps.instrument.started(message, delivery.queue);
    const updateState = async (state: string, meta: unknown): Promise<void> => void (await deps.backend.storeMeta(buildMeta(message, state, meta, { extras })));
    const { outcome, children } = await deps.execute(task, message, {
      hostname: deps.hostname,
      queue: delivery.queue,
      abort,
      revokeGraceMs: deps.revokeGraceMs,
      updateState,
      delivery: deliveryInfoOf(delivery, message.properties),
      growChord: (groupId, count) => deps.backend.growChord(groupId, count),
    });
    let ending: TaskEnding | undefined;
    if (abort.aborted && abort.reason instanceof TaskRevokedError) {
      await deps.dispatcher.failed(message, States.REVOKED, toExceptionInfo(abort.reason), null, children, extras);
      ending = { state: 'REVOKED', error: abort.reason };
    } else if (outcome.kind === 'success') {
      // Inlined from settleOutcome: the path of every task that returns.
      await deps.dispatcher.succeeded(message, outcome.value, children, h.ignore_result || task.settings.ignoreResult === true, extras, delivery.redelivered);
      ending = { state: 'SUCCESS', result: outcome.value };
    } else {
      ending = await settleOutcome(outcome, task, message, children, deps, extras, delivery, serializerForContentType(delivery.message.contentType).name);
    }
    // A task that replaced itself ends with its replacement, which reports the outcome.
    if (ending) deps.instrument.finished(message, delivery.queue, ending, startedAt);
    await delivery.ack();
  } catch (error) {
    await settleHandlingError(delivery, message, error, extras, deps);
  }
}

async function settleOutcome(
  outcome: Exclude<Outcome, { kind: 'success' }>,
  task: RegisteredTask,
  message: TaskMessage,
  children: ResultTuple[],
  deps: HandlerDeps,
  extras: MetaExtras,
  delivery: Delivery,
  serializer: SerializerName,
): Promise<TaskEnding | undefined> {
  const h = message.headers;
  const { queue, redelivered } = delivery;
  if (outcome.kind === 'replace') {
    await sendReplacement(deps.dispatcher, message, outcome.replacement, queue);
    return undefined;
  }
  if (outcome.kind === 'retry' && mayRetry(task.settings, h.retries ?? 0, outcome.maxRetries)) {
    const eta = isoWithMicros(new Date(Date.now() + outcome.countdownMs));
    const retryMessage: TaskMessage = { ...message, headers: { ...h, retries: (h.retries ?? 0) + 1, eta, parent_id: h.id } };
    await deps.publisher.execute({ chordSizes: [], messages: [{ queue, priority: numberOrUndefined(message.properties.priority), serializer, message: retryMessage }] });
    const exc = toExceptionInfo(outcome.cause);
    await deps.backend.storeMeta(buildMeta(message, States.RETRY, exc, { traceback: traceOf(outcome.cause), children, extras }));
    return { state: 'RETRY', error: outcome.cause, countdownMs: outcome.countdownMs };
  }
  const error =
    outcome.kind === 'retry'
      ? outcome.cause instanceof RetryRequest
        ? new MaxRetriesExceededError(`Can't retry ${h.task}[${h.id}] args:${JSON.stringify(message.args)} kwargs:${JSON.stringify(message.kwargs)}`)
        : outcome.cause
      : outcome.error;
  await deps.dispatcher.failed(message, States.FAILURE, toExceptionInfo(error), traceOf(error), children, extras, redelivered);
  return { state: 'FAILURE', error, traceback: traceOf(error) };
}
