/**
 * The remote-control client on Redis, as kombu does it: the reply queue `<oid>.reply.celery.pidbox`
 * is bound in `_kombu.binding.reply.celery.pidbox` (routing key = oid) and popped; requests are
 * PUBLISHed as kombu envelopes on `/{db}.celery.pidbox`.
 * @module
 */
import { Redis } from 'ioredis';
import type { ClientTransport } from './client.js';
import { BINDING_SEPARATOR, buildReplyEnvelope, parseControlEnvelope } from './redis-envelope.js';
import { redisDbOf } from './redis-pidbox.js';

/** A client transport for the Redis broker at `url` (kombu's `global_keyprefix` as `keyPrefix`). */
export function redisClientTransport(url: string, keyPrefix = ''): ClientTransport {
  const commands = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  const popper = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  for (const client of [commands, popper]) client.on('error', () => undefined);
  let binding: { key: string; member: string; queue: string } | undefined;
  let closed = false;
  return {
    async listen(replyExchange, oid, onReply) {
      await Promise.all([commands.connect(), popper.connect()]);
      const queue = `${oid}.${replyExchange}`;
      binding = { key: `${keyPrefix}_kombu.binding.${replyExchange}`, member: `${oid}${BINDING_SEPARATOR}${BINDING_SEPARATOR}${queue}`, queue: `${keyPrefix}${queue}` };
      await commands.sadd(binding.key, binding.member);
      const list = binding.queue;
      void (async () => {
        while (!closed) {
          const popped = await popper.brpop(list, 0.2).catch(() => null);
          if (popped) {
            try {
              onReply(parseControlEnvelope(popped[1]));
            } catch {
              // not a reply we can read
            }
          }
        }
      })();
    },
    async publish(exchange, message) {
      if (commands.status === 'wait') await commands.connect();
      await commands.publish(`${keyPrefix}/${redisDbOf(url)}.${exchange}`, buildReplyEnvelope(message, exchange, ''));
    },
    async close() {
      closed = true;
      if (binding && commands.status === 'ready') {
        await commands.srem(binding.key, binding.member).catch(() => undefined);
        await commands.del(binding.queue).catch(() => undefined);
      }
      commands.disconnect();
      popper.disconnect();
    },
  };
}
