/**
 * Broker URL → adapter. `memory://[name]`, `redis://`, `rediss://`, `amqp://`, `amqps://`.
 * Network adapters are loaded on demand, so memory-only users never load ioredis or amqplib.
 * @module
 */
import { ConfigError, redactUrl } from '../errors.js';
import type { Broker } from './broker.js';
import { MemoryBroker } from './memory.js';

/** Open the broker adapter for `url`. `options` are passed to the adapter's constructor. */
export async function resolveBroker(url: string, options: Record<string, unknown> = {}): Promise<Broker> {
  const scheme = url.split(':', 1)[0]?.toLowerCase();
  switch (scheme) {
    case 'memory':
      return new MemoryBroker({ name: url.slice('memory://'.length) || 'default' });
    case 'redis':
    case 'rediss': {
      const { RedisBroker } = await import('./redis.js');
      return new RedisBroker({ ...options, url });
    }
    case 'amqp':
    case 'amqps': {
      const { AmqpBroker } = await import('./amqp.js');
      return new AmqpBroker({ ...options, url });
    }
    default:
      throw new ConfigError(`Unsupported broker URL '${redactUrl(url)}': use memory://, redis://, rediss://, amqp:// or amqps://`);
  }
}
