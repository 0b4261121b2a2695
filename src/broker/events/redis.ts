/**
 * Events on Redis as kombu's Redis transport sends them: `celeryev` is a fanout exchange there, so
 * an event is PUBLISHed as a kombu envelope on the channel `/{db}.celeryev/<routing key>` (kombu's
 * fanout prefix with `fanout_patterns`); Celery's receiver PSUBSCRIBEs `/{db}.celeryev/*`.
 * The connection has no offline queue: while Redis is away, events are dropped at once.
 * @module
 */
import { Redis } from 'ioredis';
import { buildReplyEnvelope } from '../control/redis-envelope.js';
import { redisDbOf } from '../control/redis-pidbox.js';
import { EVENT_EXCHANGE, type EventTransport } from './dispatcher.js';

/** A Redis event transport for the broker at `url` (kombu's `global_keyprefix` as `keyPrefix`). */
export function redisEventTransport(url: string, options: { keyPrefix?: string; connectionName?: string } = {}): EventTransport {
  const prefix = options.keyPrefix ?? '';
  const channelPrefix = `${prefix}/${redisDbOf(url)}.${EVENT_EXCHANGE}/`;
  const client = new Redis(url, {
    protocol: 2,
    lazyConnect: true,
    connectionName: `${options.connectionName ?? 'celeriac'}:events`,
    enableOfflineQueue: false,
    // Events of one tick (a task's received/started/succeeded, many tasks' at load) go in one write.
    enableAutoPipelining: true,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 4), 2_000),
  });
  client.on('error', () => undefined);
  let connecting: Promise<void> | undefined;
  const connect = (): Promise<void> => {
    if (client.status === 'wait') connecting = client.connect().finally(() => (connecting = undefined));
    return connecting ?? Promise.resolve();
  };
  return {
    async publish(routingKey, body, headers) {
      if (client.status === 'wait' || connecting) await connect();
      const envelope = buildReplyEnvelope({ body, contentType: 'application/json', contentEncoding: 'utf-8', headers }, EVENT_EXCHANGE, routingKey);
      await client.publish(`${channelPrefix}${routingKey}`, envelope);
    },
    async close() {
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    },
  };
}
