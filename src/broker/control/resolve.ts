/**
 * Broker URL → remote-control listener. Celery's remote control (pidbox) exists on Redis and
 * RabbitMQ; the memory broker has none. Transports are loaded on demand.
 *
 * @example
 * ```ts
 * const control = await startRemoteControl('redis://127.0.0.1:6379/0', {
 *   hostname: 'celeriac@host',
 *   revokeLocally: (ids, { terminate }) => worker.revokeLocally(ids, { terminate }),
 * });
 * // Python: app.control.revoke(task_id, terminate=True); app.control.ping()
 * await control?.close();
 * ```
 * @module
 */
import type { ControlTarget, RemoteControl, RemoteControlOptions } from './types.js';
import type { ConnectionOptions } from 'node:tls';
import type { RedisTlsOptions } from '../../redis/tls.js';

export type { ControlLogger, ControlTarget, RemoteControl, RemoteControlOptions } from './types.js';

/** Options of {@link startRemoteControl}: the common ones plus the broker adapter's relevant options. */
export interface StartRemoteControlOptions extends RemoteControlOptions {
  /** The broker adapter's options (`keyPrefix`, `connectionName` on Redis; `reconnect` on AMQP). */
  brokerOptions?: Readonly<Record<string, unknown>>;
}

/** True when `url`'s transport has a remote control (Redis and RabbitMQ). */
export function supportsRemoteControl(url: string): boolean {
  const scheme = url.split(':', 1)[0]?.toLowerCase();
  return ['redis', 'rediss', 'amqp', 'amqps', 'pyamqp', 'librabbitmq'].includes(scheme ?? '');
}

/**
 * Start listening for Celery remote-control requests on the broker at `url`. Resolves once
 * listening; `undefined` for transports without remote control (memory). Throws when the broker
 * cannot be reached.
 */
export async function startRemoteControl(url: string, target: ControlTarget, options: StartRemoteControlOptions = {}): Promise<RemoteControl | undefined> {
  if (!supportsRemoteControl(url)) return undefined;
  const { brokerOptions = {}, ...common } = options;
  if (url.toLowerCase().startsWith('redis')) {
    const { startRedisRemoteControl } = await import('./redis-pidbox.js');
    const keyPrefix = brokerOptions['keyPrefix'];
    const connectionName = brokerOptions['connectionName'];
    const tls = brokerOptions['tls'];
    return startRedisRemoteControl(target, {
      ...common,
      url,
      ...(typeof tls === 'object' && tls !== null ? { tls: tls as RedisTlsOptions } : {}),
      ...(typeof keyPrefix === 'string' ? { keyPrefix } : {}),
      ...(typeof connectionName === 'string' ? { connectionName } : {}),
    });
  }
  const { startAmqpRemoteControl } = await import('./amqp-pidbox.js');
  const reconnect = brokerOptions['reconnect'];
  const tls = brokerOptions['tls'];
  return startAmqpRemoteControl(target, {
    ...common,
    url,
    ...(typeof tls === 'object' && tls !== null ? { tls: tls as ConnectionOptions } : {}),
    ...(typeof reconnect === 'object' && reconnect !== null ? { reconnect } : {}),
  });
}
