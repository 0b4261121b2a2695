/**
 * Which systems run on which transport. Peers: BullMQ on Redis only; Python Celery on Redis and
 * RabbitMQ; the transport-only raw loop on both; the result-storing ceiling on Redis. On memory:// only celeriac runs (no peer has an in-process mode).
 * @module
 */
import type { Transport } from '../lib/config.js';
import type { BenchSystem } from '../lib/types.js';
import { BullmqSystem } from './bullmq.js';
import { CeleriacSystem } from './celeriac.js';
import { CelerySystem } from './celery.js';
import { RawAmqpSystem } from './raw-amqp.js';
import { RawRedisSystem } from './raw-redis.js';
import { ResultCeilingSystem } from './raw-results.js';

/** What is installed / implemented on this machine. */
export interface Availability {
  /** celeriac's Redis broker and backend exist (the RabbitMQ runs need the Redis backend too). */
  celeriacRedis: boolean;
  /** Python Celery imports. */
  celery: boolean;
}

/** A system that cannot run, and why. */
export interface Unavailable {
  readonly transport: Transport;
  readonly system: string;
  readonly reason: string;
}

/** The systems of a transport, plus those left out with the reason. */
export function systemsFor(transport: Transport, peers: boolean, available: Availability): { systems: BenchSystem[]; unavailable: Unavailable[] } {
  const systems: BenchSystem[] = [];
  const unavailable: Unavailable[] = [];
  if (transport === 'memory' || available.celeriacRedis) systems.push(new CeleriacSystem(transport));
  else unavailable.push({ transport, system: 'celeriac', reason: 'src/broker/redis.ts or src/backend/redis.ts does not exist yet' });
  if (!peers || transport === 'memory') return { systems, unavailable };
  if (transport === 'redis') systems.push(new BullmqSystem());
  if (available.celery) systems.push(new CelerySystem(transport));
  else unavailable.push({ transport, system: 'celery', reason: 'Python Celery is not installed' });
  systems.push(transport === 'redis' ? new RawRedisSystem() : new RawAmqpSystem());
  if (transport === 'redis') systems.push(new ResultCeilingSystem());
  return { systems, unavailable };
}
