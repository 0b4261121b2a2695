/**
 * Types shared by the remote-control ("pidbox") listeners: what a listener acts on, what it hands
 * back, and the raw messages that travel between the transports and the command dispatcher.
 *
 * Celery's remote control (wire README §8): clients publish a request on the fanout exchange
 * `<namespace>.pidbox`; every worker listens on its own queue `<nodename>.<namespace>.pidbox` and,
 * when the request carries `reply_to`, answers on the direct exchange `reply.<namespace>.pidbox`.
 * @module
 */

/** What a remote-control listener acts on: a worker, seen through the commands it supports. */
export interface ControlTarget {
  /** The node name the worker answers to (`destination`, replies), e.g. `celeriac@host`. */
  readonly hostname: string;
  /**
   * Revoke task ids in this worker (Celery's broadcast `revoke`): they are not run when they
   * arrive, and running ones are aborted; with `terminate` the worker stops waiting for them.
   */
  revokeLocally(taskIds: readonly string[], options: { terminate?: boolean }): void;
  /** Ids of the tasks running now (used for `revoke(terminate=True)` replies). Default: none known. */
  runningTaskIds?(): readonly string[];
  /** Ids revoked in this worker so far (`inspect revoked`). Default: none known. */
  revokedTaskIds?(): readonly string[];
  /** What `celery inspect …` reads. Default: empty answers. */
  readonly inspect?: InspectTarget;
  /** What `celery control …` changes. Default: those commands answer `{error}`. */
  readonly control?: ControlActions;
}

/** A task request as Celery's `Request.info()` describes it (`inspect active` / `reserved`). */
export interface RequestInfo {
  id: string;
  name: string;
  args: unknown;
  kwargs: unknown;
  type: string;
  hostname: string;
  time_start: number | null;
  acknowledged: boolean;
  delivery_info: { exchange: string; routing_key: string; priority: number | null; redelivered: boolean };
  worker_pid: number | null;
}

/** The answers of `celery inspect`. */
export interface InspectTarget {
  active(): RequestInfo[];
  reserved(): RequestInfo[];
  scheduled(): Array<{ eta: string; priority: number | null; request: RequestInfo }>;
  registered(): string[];
  activeQueues(): Array<Record<string, unknown>>;
  stats(): Record<string, unknown>;
  conf(): Record<string, unknown>;
  /** `{id: [state, info]}` for the ids this worker holds (`active`, `reserved`). */
  queryTask(ids: readonly string[]): Record<string, [string, RequestInfo]>;
}

/** What `celery control` changes on a worker. */
export interface ControlActions {
  /** Start or stop sending events; false when the broker has no events. */
  setEvents(on: boolean): Promise<boolean>;
  /** Set a task's time limits (seconds); false for an unknown task. */
  setTimeLimits(task: string, soft: number | undefined, hard: number | undefined): boolean;
  /** Warm shutdown, as the first SIGTERM. */
  shutdown(): void;
  /** Start consuming `queue`; returns Celery's reply text. */
  addConsumer(queue: string): Promise<string>;
  /** Stop consuming `queue`. */
  cancelConsumer(queue: string): Promise<{ ok: boolean; message: string }>;
  /** Change the concurrency by `delta`. */
  resizePool(delta: number): { ok: boolean; message: string };
}

/** One logging method, pino's shape: `(fields, message)` or `(message)`. */
export interface ControlLogFn {
  (context: Record<string, unknown>, message: string): void;
  (message: string): void;
}

/** The structural logger the listeners write to (the app's `Logger` fits). */
export interface ControlLogger {
  debug: ControlLogFn;
  info: ControlLogFn;
  warn: ControlLogFn;
  error: ControlLogFn;
}

/** A running remote-control listener. */
export interface RemoteControl {
  /** The queue this node listens on, `<nodename>.<namespace>.pidbox`. */
  readonly queueName: string;
  /** Stop listening and close the listener's connections. Idempotent. */
  close(): Promise<void>;
}

/** Options every transport's listener accepts. Every field documents its default. */
export interface RemoteControlOptions {
  /** Celery's `control_exchange`: requests come on `<namespace>.pidbox`. Default: `'celery'`. */
  namespace?: string;
  /** Where listener activity and errors are logged. Default: nowhere. */
  logger?: ControlLogger;
}

/** A request or reply as the transports carry it: serialized body plus headers. */
export interface RawControlMessage {
  readonly body: Uint8Array;
  readonly contentType: string;
  readonly contentEncoding: string;
  readonly headers: Record<string, unknown>;
}

/** Where a reply goes: the direct exchange and the client's routing key (its oid). */
export interface ReplyAddress {
  readonly exchange: string;
  readonly routingKey: string;
}

/** Sends one reply message; implemented by each transport. */
export type ReplySender = (address: ReplyAddress, message: RawControlMessage) => Promise<void>;

/** A logger that drops everything. */
export const silentControlLogger: ControlLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** The name of the node's own queue, as kombu's `Mailbox.get_queue` builds it. */
export function pidboxQueueName(hostname: string, namespace: string): string {
  return `${hostname}.${namespace}.pidbox`;
}

/** The request exchange (`celery.pidbox`), fanout. */
export function pidboxExchangeName(namespace: string): string {
  return `${namespace}.pidbox`;
}

/** The reply exchange (`reply.celery.pidbox`), direct. */
export function replyExchangeName(namespace: string): string {
  return `reply.${namespace}.pidbox`;
}
