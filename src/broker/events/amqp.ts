/**
 * Events on RabbitMQ as kombu declares and sends them: the topic exchange `celeryev` (durable, as
 * Celery's `Exchange('celeryev', type='topic')`), transient JSON messages with headers
 * `{hostname}` and routing key `task.succeeded`… Uses its own self-healing connection; while it
 * is down, events are dropped at once.
 * @module
 */
import type { Channel } from 'amqplib';
import { AmqpConnection } from '../amqp/connection.js';
import { encodeHeaders } from '../amqp/field-table.js';
import { resolveAmqpOptions } from '../amqp/options.js';
import { EVENT_EXCHANGE, type EventTransport } from './dispatcher.js';

/** An AMQP event transport for the broker at `url`. */
export function amqpEventTransport(url: string): EventTransport {
  const connection = new AmqpConnection(resolveAmqpOptions({ url }));
  let channel: Promise<Channel> | undefined;
  const open = (): Promise<Channel> => {
    channel ??= (async () => {
      await connection.connect();
      const model = connection.current;
      if (!model) throw new Error('RabbitMQ connection not open');
      const created = await model.createChannel();
      created.on('error', () => undefined);
      created.on('close', () => (channel = undefined));
      await created.assertExchange(EVENT_EXCHANGE, 'topic', { durable: true, autoDelete: false });
      return created;
    })().catch((error: unknown) => {
      channel = undefined;
      throw error;
    });
    return channel;
  };
  return {
    async publish(routingKey, body, headers) {
      if (connection.isDead) throw new Error('RabbitMQ connection is down');
      const ch = await open();
      ch.publish(EVENT_EXCHANGE, routingKey, Buffer.from(body.buffer, body.byteOffset, body.byteLength), {
        contentType: 'application/json',
        contentEncoding: 'utf-8',
        headers: encodeHeaders(headers),
        deliveryMode: 1,
      });
    },
    async close() {
      const ch = channel;
      channel = undefined;
      if (ch) await ch.then((c) => c.close()).catch(() => undefined);
      await connection.close();
    },
  };
}
