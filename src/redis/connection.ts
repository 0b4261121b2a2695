/**
 * ioredis connections shared by the Redis broker and the Redis result backend, and the retry rule
 * for operations that must survive a Redis restart: retry on connection errors until a deadline,
 * then throw a `TransportError`. The only module both adapters import.
 * @module
 */
import { Redis } from 'ioredis';
import { TransportError } from '../errors.js';

/** What a connection is used for; shown in `CLIENT LIST` as the name suffix. */
export type ConnectionRole = 'cmd' | 'wait' | 'sub';

/**
 * Open an ioredis client (lazily; call `connect()`). RESP2, reconnecting forever with a short
 * backoff; commands queued while disconnected fail after one reconnect attempt so that callers
 * retry them with {@link retryUntil} under their own deadline. `sub` connections do not resubscribe
 * by themselves: their owner subscribes again explicitly, then re-reads what it may have missed.
 */
export function createRedisClient(url: string, name: string, role: ConnectionRole, onError: (error: Error) => void): Redis {
  const client = new Redis(url, {
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

/** Connect a lazily created client; resolves at once when it is already connecting or ready. */
export async function ensureConnected(client: Redis): Promise<void> {
  if (client.status === 'wait') await client.connect();
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
