/**
 * Broker URL → remote-control client transport (Redis or RabbitMQ), loaded on demand.
 * @module
 */
import { ConfigError } from '../../errors.js';
import type { ClientTransport } from './client.js';

export { broadcast, type BroadcastOptions, type ControlReply } from './client.js';

/** A client transport for the broker at `url`; throws ConfigError for brokers without remote control. */
export async function controlClientFor(url: string, brokerOptions: Readonly<Record<string, unknown>> = {}): Promise<ClientTransport> {
  const scheme = url.split(':', 1)[0]?.toLowerCase() ?? '';
  if (scheme === 'redis' || scheme === 'rediss') {
    const { redisClientTransport } = await import('./redis-client.js');
    const keyPrefix = brokerOptions['keyPrefix'];
    return redisClientTransport(url, typeof keyPrefix === 'string' ? keyPrefix : '');
  }
  if (['amqp', 'amqps', 'pyamqp'].includes(scheme)) {
    const { amqpClientTransport } = await import('./amqp-client.js');
    return amqpClientTransport(url);
  }
  throw new ConfigError(`remote control needs a Redis or RabbitMQ broker (got ${scheme}://)`);
}
