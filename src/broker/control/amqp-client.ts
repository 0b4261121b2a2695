/**
 * The remote-control client on RabbitMQ, declared as kombu declares it: requests on the fanout
 * exchange `celery.pidbox`; replies on the direct exchange `reply.celery.pidbox`, into an
 * auto-delete queue `<oid>.reply.celery.pidbox` bound with routing key = oid.
 * @module
 */
import { connect } from 'amqplib';
import type { ChannelModel } from 'amqplib';
import { decodeHeaders, encodeHeaders } from '../amqp/field-table.js';
import type { ClientTransport } from './client.js';
import { CONTROL_QUEUE_ARGUMENTS } from './amqp-pidbox.js';

/** A client transport for the RabbitMQ broker at `url`. */
export function amqpClientTransport(url: string): ClientTransport {
  let model: ChannelModel | undefined;
  const open = async (): Promise<ChannelModel> => (model ??= await connect(url));
  return {
    async listen(replyExchange, oid, onReply) {
      const channel = await (await open()).createChannel();
      await channel.assertExchange(replyExchange, 'direct', { durable: false, autoDelete: false });
      const queue = `${oid}.${replyExchange}`;
      await channel.assertQueue(queue, { durable: false, autoDelete: true, arguments: { ...CONTROL_QUEUE_ARGUMENTS } });
      await channel.bindQueue(queue, replyExchange, oid);
      await channel.consume(queue, (message) => {
        if (!message) return;
        const p = message.properties;
        onReply({
          body: new Uint8Array(message.content),
          contentType: typeof p.contentType === 'string' ? p.contentType : 'application/json',
          contentEncoding: typeof p.contentEncoding === 'string' ? p.contentEncoding : 'utf-8',
          headers: decodeHeaders((p.headers ?? {}) as Record<string, unknown>),
        });
      }, { noAck: true });
    },
    async publish(exchange, message) {
      const channel = await (await open()).createConfirmChannel();
      await channel.assertExchange(exchange, 'fanout', { durable: false, autoDelete: false });
      channel.publish(exchange, '', Buffer.from(message.body), { contentType: message.contentType, contentEncoding: message.contentEncoding, headers: encodeHeaders(message.headers), deliveryMode: 1 });
      await channel.waitForConfirms();
    },
    async close() {
      await model?.close().catch(() => undefined);
      model = undefined;
    },
  };
}
