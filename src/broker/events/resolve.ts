/**
 * Broker URL → Celery event dispatcher (Redis and RabbitMQ; none on memory). Transports load on
 * demand, so an app without events never loads this code.
 * @module
 */
import { EventDispatcher } from './dispatcher.js';

export { EventDispatcher, EVENT_EXCHANGE } from './dispatcher.js';

/** An event dispatcher for node `hostname` on the broker at `url`, or undefined (memory). */
export async function openEventDispatcher(
  url: string,
  hostname: string,
  options: { brokerOptions?: Readonly<Record<string, unknown>>; onDrop?: (error: unknown) => void } = {},
): Promise<EventDispatcher | undefined> {
  const scheme = url.split(':', 1)[0]?.toLowerCase() ?? '';
  const brokerOptions = options.brokerOptions ?? {};
  if (scheme === 'redis' || scheme === 'rediss') {
    const { redisEventTransport } = await import('./redis.js');
    const keyPrefix = brokerOptions['keyPrefix'];
    return new EventDispatcher(redisEventTransport(url, typeof keyPrefix === 'string' ? { keyPrefix } : {}), hostname, options.onDrop);
  }
  if (['amqp', 'amqps', 'pyamqp'].includes(scheme)) {
    const { amqpEventTransport } = await import('./amqp.js');
    return new EventDispatcher(amqpEventTransport(url), hostname, options.onDrop);
  }
  return undefined;
}
