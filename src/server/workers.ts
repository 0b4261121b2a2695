/**
 * `GET /api/workers` on a Redis broker: Celery's remote-control `ping` broadcast, as kombu's Redis
 * transport sends it (a PUBLISH on `/{db}.celery.pidbox`; replies LPUSHed onto this client's bound
 * reply queue), collecting the nodes that answer within the timeout. Python Celery workers and
 * celeriac workers both answer.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { parseControlEnvelope } from '../broker/control/redis-envelope.js';
import { redisDbOf } from '../broker/control/redis-pidbox.js';
import { BINDING_SEPARATOR } from '../broker/control/redis-envelope.js';
import type { WorkerInfo } from './routes/extras.js';

/** Options of {@link redisWorkers}. */
export interface RedisWorkersOptions {
  /** How long to collect replies. Default 1000 ms. */
  timeoutMs?: number;
  /** Celery's `control_exchange`. Default `celery`. */
  namespace?: string;
  /** kombu's `global_keyprefix`. Default `''`. */
  keyPrefix?: string;
}

function envelope(body: Record<string, unknown>, exchange: string, expires: number): string {
  return JSON.stringify({
    body: Buffer.from(JSON.stringify(body)).toString('base64'),
    'content-encoding': 'utf-8',
    'content-type': 'application/json',
    headers: { clock: 1, expires },
    properties: { delivery_mode: 1, delivery_info: { exchange, routing_key: '' }, priority: 0, body_encoding: 'base64', delivery_tag: randomUUID() },
  });
}

/** A provider for `serve({ workers })`: ping every worker on the Redis broker at `url`. */
export function redisWorkers(url: string, options: RedisWorkersOptions = {}): () => Promise<WorkerInfo[]> {
  const namespace = options.namespace ?? 'celery';
  const prefix = options.keyPrefix ?? '';
  const timeoutMs = options.timeoutMs ?? 1000;
  return async () => {
    const redis = new Redis(url, { protocol: 2, lazyConnect: true, maxRetriesPerRequest: 1, connectionName: 'celeriac:serve-ping' });
    redis.on('error', () => undefined);
    const oid = randomUUID();
    const replyExchange = `reply.${namespace}.pidbox`;
    const replyQueue = `${oid}.${replyExchange}`;
    const bindingKey = `${prefix}_kombu.binding.${replyExchange}`;
    const member = `${oid}${BINDING_SEPARATOR}${BINDING_SEPARATOR}${replyQueue}`;
    const workers: WorkerInfo[] = [];
    try {
      await redis.connect();
      await redis.sadd(bindingKey, member);
      const request = { method: 'ping', arguments: {}, destination: null, pattern: null, matcher: null, ticket: randomUUID(), reply_to: { exchange: replyExchange, routing_key: oid } };
      await redis.publish(`${prefix}/${redisDbOf(url)}.${namespace}.pidbox`, envelope(request, `${namespace}.pidbox`, Date.now() / 1000 + timeoutMs / 1000));
      const deadline = Date.now() + timeoutMs;
      for (let left = timeoutMs; left > 0; left = deadline - Date.now()) {
        const popped = await redis.brpop(`${prefix}${replyQueue}`, Math.max(0.05, left / 1000));
        if (!popped) break;
        try {
          const raw = parseControlEnvelope(popped[1]);
          const reply = JSON.parse(Buffer.from(raw.body).toString('utf8')) as Record<string, unknown>;
          for (const [hostname, answer] of Object.entries(reply)) workers.push({ hostname, ping: answer });
        } catch {
          // A malformed reply is not a worker.
        }
      }
    } finally {
      await redis.srem(bindingKey, member).catch(() => undefined);
      await redis.del(`${prefix}${replyQueue}`).catch(() => undefined);
      redis.disconnect();
    }
    return workers.sort((a, b) => a.hostname.localeCompare(b.hostname));
  };
}
