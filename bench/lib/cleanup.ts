/**
 * Leave nothing behind: FLUSHDB on the bench Redis DBs (13 and 14 only, never another one) and
 * delete the bench's RabbitMQ queues and exchanges (all named `celeriac_bench_*`).
 * @module
 */
import { connect } from 'amqplib';
import { Redis } from 'ioredis';
import { AMQP_URL, FLUSHABLE_DBS, QUEUE_PREFIX, queueName, REDIS_PORT } from './config.js';

/** FLUSHDB on each bench DB. */
export async function flushBenchDbs(): Promise<void> {
  for (const db of FLUSHABLE_DBS) {
    if (db !== 13 && db !== 14) throw new Error(`refusing to flush Redis DB ${db}`);
    const redis = new Redis({ host: '127.0.0.1', port: REDIS_PORT, db, lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      await redis.flushdb();
    } finally {
      redis.disconnect();
    }
  }
}

/** Every queue name the bench declares on RabbitMQ (plus celeriac's dead-letter companions). */
function benchQueues(): string[] {
  const base = ['celeriac', 'celery', 'raw'].flatMap((system) => [queueName(system, 'w1'), queueName(system, 'canvas')]);
  return [...base, ...base.map((q) => `${q}.celeriac.dead`)];
}

/** Delete the bench queues and same-named exchanges on RabbitMQ. Missing ones are fine. */
export async function deleteBenchQueues(): Promise<void> {
  const connection = await connect(AMQP_URL);
  try {
    const channel = await connection.createChannel();
    for (const name of benchQueues()) {
      if (!name.startsWith(QUEUE_PREFIX)) continue;
      await channel.deleteQueue(name);
      await channel.deleteExchange(name);
    }
    await channel.close();
  } finally {
    await connection.close();
  }
}
