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
