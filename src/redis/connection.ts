/**
 * ioredis connections shared by the Redis broker and the Redis result backend, and the retry rule
 * for operations that must survive a Redis restart: retry on connection errors until a deadline,
 * then throw a `TransportError`. The only module both adapters import.
 * @module
 */
import { Redis } from 'ioredis';
import { isTlsError, redactUrl, TransportError } from '../errors.js';
import { isAuthError } from './url.js';
import type { ConnectionOptions } from 'node:tls';

/** What a connection is used for; shown in `CLIENT LIST` as the name suffix. */
export type ConnectionRole = 'cmd' | 'wait' | 'sub';

/**
 * Open an ioredis client (lazily; call `connect()`). RESP2, reconnecting forever with a short
 * backoff; commands queued while disconnected fail after one reconnect attempt so that callers
 * retry them with {@link retryUntil} under their own deadline. `sub` connections do not resubscribe
 * by themselves: their owner subscribes again explicitly, then re-reads what it may have missed.
 */
export function createRedisClient(url: string, name: string, role: ConnectionRole, onError: (error: Error) => void, tls?: ConnectionOptions): Redis {
  const client = new Redis(url, {
    ...(tls ? { tls } : {}),
    protocol: 2,
    lazyConnect: true,
    connectionName: `${name}:${role}`,
    enableAutoPipelining: role === 'cmd',
    enableOfflineQueue: true,
    maxRetriesPerRequest: 1,
    autoResendUnfulfilledCommands: role === 'cmd',
    autoResubscribe: role !== 'sub',
    retryStrategy: (times) => Math.min(25 * 2 ** Math.min(times, 6), 1_000),
  });
  client.on('error', (error: Error) => onError(error));
  return client;
}

/**
 * Connect a lazily created client. Redis refusing the credentials is fatal: the client stops
 * reconnecting and a {@link TransportError} names the URL (password masked) and Redis's reply.
 * Any other failure is rethrown as a TransportError too; callers that prefer to keep reconnecting
 * in the background catch it (see {@link isFatalConnectError}).
 */
export async function openClient(client: Redis, url: string): Promise<void> {
  // connect() itself only says "Connection is closed": the reason is the last 'error' event.
  let last: Error | undefined;
  const listener = (error: Error): void => void (last = error);
  client.on('error', listener);
  try {
    if (client.status === 'wait') await client.connect();
  } catch (error) {
    const cause = last ?? (error as Error);
    if (isAuthError(cause)) {
      client.disconnect();
      throw new FatalConnectError(`Redis at ${redactUrl(url)} refused the credentials: ${cause.message}`, { cause });
    }
    if (isTlsError(cause)) {
      client.disconnect();
      throw new FatalConnectError(`TLS with Redis at ${redactUrl(url)} failed: ${cause.message}`, { cause });
    }
    throw new TransportError(`Cannot connect to Redis at ${redactUrl(url)}: ${cause.message}`, { cause });
  } finally {
    client.off('error', listener);
  }
}

/** A connection failure retrying cannot fix (refused credentials, a certificate error). */
export class FatalConnectError extends TransportError {
  override name = 'TransportError';
}

/** True for errors {@link openClient} reports as fatal. */
export function isFatalConnectError(error: unknown): error is FatalConnectError {
  return error instanceof FatalConnectError;
}


/** Close a client: QUIT politely when connected, otherwise drop the socket. Never throws. */
export async function closeClient(client: Redis): Promise<void> {
  try {
    if (client.status === 'ready') await client.quit();
    else client.disconnect();
  } catch {
    client.disconnect();
  }
}

/** Error replies that mean "try again later", not "this command is wrong". */
const TRANSIENT_REPLY = /^(LOADING|BUSY|TRYAGAIN|MASTERDOWN|READONLY|CLUSTERDOWN)\b/;

/** True when `error` is a lost/refused connection or a transient server state, worth retrying. */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'ReplyError') return TRANSIENT_REPLY.test(error.message);
  if (isAuthError(error) || isTlsError(error)) return false;
  return true;
}

/**
 * Run `attempt` until it succeeds; retry retryable errors until `deadline` (epoch ms), then throw a
 * {@link TransportError} naming `what`. Non-retryable errors are rethrown as TransportErrors at once.
 */
export async function retryUntil<T>(deadline: number, what: string, attempt: () => Promise<T>): Promise<T> {
  let delay = 20;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!isRetryable(error)) throw new TransportError(`${what} failed: ${message}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new TransportError(`${what} failed: Redis unreachable until the deadline (${message})`);
      await sleep(Math.min(delay, left));
      delay = Math.min(delay * 2, 500);
    }
  }
}

/** Resolve after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
