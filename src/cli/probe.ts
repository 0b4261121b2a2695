/**
 * Before a command works, check that its Redis URLs answer (one PING, no retries): the Redis
 * adapters reconnect forever by design, so without this a wrong port or password would leave a CLI
 * command waiting in silence. AMQP connections already fail fast on their own.
 * @module
 */
import { Redis } from 'ioredis';
import { checkRedisUrl } from '../redis/url.js';
import { TransportError } from '../errors.js';
import { maskUrl } from '../mask-url.js';

/** PING `url` once within `timeoutMs`; throws a TransportError naming `role` and the masked URL. */
export async function probeRedis(role: string, url: string, timeoutMs: number): Promise<void> {
  checkRedisUrl(url);
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: timeoutMs, retryStrategy: () => null });
  let cause: Error | undefined;
  client.on('error', (error: Error) => (cause ??= error));
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const reason = cause && (error as Error).message === 'Connection is closed.' ? cause.message : (error as Error).message;
    throw new TransportError(`cannot connect to ${role} ${maskUrl(url)}: ${maskUrl(reason)}`);
  } finally {
    client.disconnect();
  }
}

/** Probe every distinct Redis URL among the app's broker and backend. */
export async function probeConnections(urls: { broker?: unknown; backend?: unknown }, timeoutMs: number): Promise<void> {
  const seen = new Set<string>();
  for (const [role, url] of [['broker', urls.broker], ['result backend', urls.backend]] as const) {
    if (typeof url !== 'string' || !/^rediss?:\/\//i.test(url) || seen.has(url)) continue;
    seen.add(url);
    await probeRedis(role, url, timeoutMs);
  }
}
