/**
 * A Celery event receiver (what `celery events` and Flower read): every event on the `celeryev`
 * exchange, from celeriac and Python nodes. Redis: PSUBSCRIBE `/{db}.celeryev/*` (kombu envelopes);
 * RabbitMQ: an exclusive auto-delete queue bound to the topic exchange with `#`.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { ConfigError } from '../../errors.js';
import { EVENT_EXCHANGE } from './dispatcher.js';

/** A running receiver. */
export interface EventReceiver {
  close(): Promise<void>;
}

/** Start receiving events from the broker at `url`; `onEvent` gets each event dict. */
export async function receiveEvents(url: string, onEvent: (event: Record<string, unknown>) => void, options: { keyPrefix?: string } = {}): Promise<EventReceiver> {
  const scheme = url.split(':', 1)[0]?.toLowerCase() ?? '';
  const parse = (body: Buffer) => {
    try {
      const event = JSON.parse(body.toString('utf8')) as unknown;
      for (const one of Array.isArray(event) ? event : [event]) if (one && typeof one === 'object') onEvent(one as Record<string, unknown>);
    } catch {
      // not an event we can read
    }
  };
  if (scheme === 'redis' || scheme === 'rediss') {
    const { Redis } = await import('ioredis');
    const { redisDbOf } = await import('../control/redis-pidbox.js');
    const { parseControlEnvelope } = await import('../control/redis-envelope.js');
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    client.on('error', () => undefined);
    client.on('pmessage', (_pattern: string, _channel: string, data: string) => {
      try {
        parse(Buffer.from(parseControlEnvelope(data).body));
      } catch {
        // malformed envelope
      }
    });
    await client.connect();
    await client.psubscribe(`${options.keyPrefix ?? ''}/${redisDbOf(url)}.${EVENT_EXCHANGE}/*`);
    return { close: async () => void client.disconnect() };
  }
  if (['amqp', 'amqps', 'pyamqp'].includes(scheme)) {
    const { connect } = await import('amqplib');
    const model = await connect(url);
    const channel = await model.createChannel();
    await channel.assertExchange(EVENT_EXCHANGE, 'topic', { durable: true, autoDelete: false });
    const queue = `celeriac-events.${randomUUID()}`;
    await channel.assertQueue(queue, { exclusive: true, autoDelete: true, durable: false });
    await channel.bindQueue(queue, EVENT_EXCHANGE, '#');
    await channel.consume(queue, (message) => message && parse(message.content), { noAck: true });
    return { close: async () => void (await model.close().catch(() => undefined)) };
  }
  throw new ConfigError(`events need a Redis or RabbitMQ broker (got ${scheme}://)`);
}
