/**
 * Celery's remote control on Redis, as kombu's Redis transport does it:
 * - requests are PUBLISHed on `/{db}.<namespace>.pidbox` (kombu's fanout prefix); this node
 *   PSUBSCRIBEs to it and records its binding `\x06\x16\x06\x16<node>.<namespace>.pidbox` in the set
 *   `_kombu.binding.<namespace>.pidbox`, as a Python worker does;
 * - replies are LPUSHed, as kombu envelopes, onto every queue the set `_kombu.binding.reply.<namespace>.pidbox`
 *   binds to the client's routing key (its `<oid>.reply.<namespace>.pidbox` list).
 *
 * Both connections reconnect by themselves (the subscription and the binding come back after a
 * Redis restart). With `keyPrefix` (kombu's `global_keyprefix`), keys and the channel are prefixed.
 * @module
 */
import { Redis } from 'ioredis';
import { ConfigError, redactUrl } from '../../errors.js';
import { openClient } from '../../redis/connection.js';
import { redisTarget, type RedisTarget, type RedisTlsOptions } from '../../redis/tls.js';
import { ControlNode } from './node.js';
import { BINDING_SEPARATOR, buildReplyEnvelope, directRoute, parseControlEnvelope } from './redis-envelope.js';
import {
  pidboxExchangeName,
  pidboxQueueName,
  silentControlLogger,
  type ControlTarget,
  type RawControlMessage,
  type RemoteControl,
  type RemoteControlOptions,
  type ReplyAddress,
} from './types.js';

/** Options of {@link startRedisRemoteControl}. */
export interface RedisRemoteControlOptions extends RemoteControlOptions {
  /** The broker URL, `redis://host:port/db` (the db selects the channel `/{db}.…`). */
  url: string;
  /** kombu's `global_keyprefix`, put in front of keys and the channel. Default: `''`. */
  keyPrefix?: string;
  /** Shown in `CLIENT LIST` (suffixed `:pidbox`). Default: `'celeriac'`. */
  connectionName?: string;
  /** TLS settings for `rediss://` (the broker's `tls` option; the URL's `ssl_*` parameters also apply). */
  tls?: RedisTlsOptions;
}

/** The database number of a Redis URL (its path), 0 when absent. */
export function redisDbOf(url: string): number {
  let path: string;
  try {
    path = new URL(url).pathname.replace(/^\//, '');
  } catch {
    throw new ConfigError(`Not a Redis URL: ${redactUrl(url)}`);
  }
  if (path === '') return 0;
  const db = Number(path);
  if (!Number.isInteger(db) || db < 0) throw new ConfigError(`The Redis URL ${redactUrl(url)} names no database number`);
  return db;
}

function client(target: RedisTarget, name: string): Redis {
  return new Redis(target.url, {
    ...(target.tls ? { tls: target.tls } : {}),
    protocol: 2,
    lazyConnect: true,
    connectionName: `${name}:pidbox`,
    maxRetriesPerRequest: 2,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1_000),
  });
}

/** QUIT when connected, otherwise drop the socket (stops reconnecting). Never throws. */
async function closeConnection(connection: Redis): Promise<void> {
  try {
    if (connection.status === 'ready') await connection.quit();
    else connection.disconnect();
  } catch {
    connection.disconnect();
  }
}

/** Start listening; resolves once subscribed and bound. Throws when Redis cannot be reached. */
export async function startRedisRemoteControl(target: ControlTarget, options: RedisRemoteControlOptions): Promise<RemoteControl> {
  const namespace = options.namespace ?? 'celery';
  const prefix = options.keyPrefix ?? '';
  const logger = options.logger ?? silentControlLogger;
  const channel = `${prefix}/${redisDbOf(options.url)}.${pidboxExchangeName(namespace)}`;
  const queueName = pidboxQueueName(target.hostname, namespace);
  const bindingKey = `${prefix}_kombu.binding.${pidboxExchangeName(namespace)}`;
  const bindingMember = `${BINDING_SEPARATOR}${BINDING_SEPARATOR}${queueName}`;
  const name = options.connectionName ?? 'celeriac';
  const connectTo = redisTarget(options.url, options.tls);
  const subscriber = client(connectTo, name);
  const commands = client(connectTo, name);
  const node = new ControlNode(target, logger);
  let closed = false;

  const onError = (error: Error): void => logger.debug({ error: error.message }, 'remote control: Redis connection error');
  subscriber.on('error', onError);
  commands.on('error', onError);

  const sendReply = async (address: ReplyAddress, message: RawControlMessage): Promise<void> => {
    const members = await commands.smembers(`${prefix}_kombu.binding.${address.exchange}`);
    const queues = directRoute(members, address.routingKey);
    if (queues.length === 0) {
      logger.warn({ exchange: address.exchange, routingKey: address.routingKey }, 'remote control: no reply queue is bound; reply dropped');
      return;
    }
    const envelope = buildReplyEnvelope(message, address.exchange, address.routingKey);
    await Promise.all(queues.map((queue) => commands.lpush(`${prefix}${queue}`, envelope)));
  };

  subscriber.on('pmessage', (_pattern: string, from: string, data: string) => {
    if (closed || from !== channel) return;
    let raw: RawControlMessage;
    try {
      raw = parseControlEnvelope(data);
    } catch (error) {
      logger.error({ error: String(error) }, 'remote control: ignored a malformed pidbox message');
      return;
    }
    void node.receive(raw, sendReply);
  });

  const bind = (): Promise<unknown> => commands.sadd(bindingKey, bindingMember);
  // After a reconnect (e.g. a Redis restart without persistence) the binding is recorded again.
  commands.on('ready', () => void bind().catch(onError));
  try {
    await Promise.all([openClient(subscriber, options.url), openClient(commands, options.url)]);
    await subscriber.psubscribe(channel);
  } catch (error) {
    subscriber.disconnect();
    commands.disconnect();
    throw error;
  }
  logger.debug({ channel, queue: queueName }, 'remote control listening');

  return {
    queueName,
    close: async () => {
      if (closed) return;
      closed = true;
      if (commands.status === 'ready') await commands.srem(bindingKey, bindingMember).catch(() => undefined);
      for (const connection of [subscriber, commands]) await closeConnection(connection);
    },
  };
}
