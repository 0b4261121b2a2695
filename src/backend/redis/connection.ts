/**
 * ioredis connections for the Redis result backend and the retry rule for operations that must
 * survive a Redis restart (retry connection errors until a deadline, then `TransportError`).
 * Kept separate from the broker's equivalent: backend/ may not import broker/.
 * @module
 */
import { Redis } from 'ioredis';
import { TransportError } from '../../errors.js';

/** Open a lazily connecting ioredis client for `role` (`cmd`: commands, auto-pipelined; `sub`: pub/sub). */
export function createBackendClient(url: string, name: string, role: 'cmd' | 'sub', onError: (error: Error) => void): Redis {
  const client = new Redis(url, {
    protocol: 2,
    lazyConnect: true,
    connectionName: `${name}:${role}`,
    enableAutoPipelining: role === 'cmd',
    enableOfflineQueue: true,
    maxRetriesPerRequest: 1,
    autoResubscribe: false,
    retryStrategy: (times) => Math.min(25 * 2 ** Math.min(times, 6), 1_000),
  });
  client.on('error', (error: Error) => onError(error));
  return client;
}

/** Close a client: QUIT when connected, otherwise drop the socket. Never throws. */
export async function closeBackendClient(client: Redis): Promise<void> {
  try {
    if (client.status === 'ready') await client.quit();
    else client.disconnect();
  } catch {
    client.disconnect();
  }
}

const TRANSIENT_REPLY = /^(LOADING|BUSY|TRYAGAIN|MASTERDOWN|READONLY|CLUSTERDOWN)\b/;

/**
 * Run `attempt` until it succeeds; retry connection errors and transient server replies until
 * `deadline` (epoch ms), then throw a {@link TransportError} naming `what`.
 */
export async function retryUntil<T>(deadline: number, what: string, attempt: () => Promise<T>): Promise<T> {
  let delay = 20;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const retryable = error instanceof Error && (error.name !== 'ReplyError' || TRANSIENT_REPLY.test(message));
      if (!retryable) throw new TransportError(`${what} failed: ${message}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new TransportError(`${what} failed: Redis unreachable until the deadline (${message})`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
      delay = Math.min(delay * 2, 500);
    }
  }
}
