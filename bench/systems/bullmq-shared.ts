/**
 * What the BullMQ producer and its worker child share: connection, queue options and the
 * processor that implements `noop`, `inc` and `xsum` the way BullMQ users write them (flows pass
 * values from children to parents through `getChildrenValues()`).
 * @module
 */
import type { ConnectionOptions, Job, QueueOptions } from 'bullmq';
import { PEER_DB, REDIS_PORT } from '../lib/config.js';

/** BullMQ talks to the peers' Redis DB. */
export const BULLMQ_CONNECTION: ConnectionOptions = { host: '127.0.0.1', port: REDIS_PORT, db: PEER_DB };

/** Queue options: an events stream long enough that a waiting producer never misses an event. */
export const BULLMQ_QUEUE_OPTIONS: QueueOptions = {
  connection: BULLMQ_CONNECTION,
  streams: { events: { maxLen: 1_000_000 } },
};

/** Job data: `inc` leaves carry `x`; a parent without `x` takes its child's value. */
export interface BenchJobData {
  x?: number;
}

/** The processor of every bench job. */
export async function processBenchJob(job: Job<BenchJobData>): Promise<number | null> {
  switch (job.name) {
    case 'noop':
      return null;
    case 'inc': {
      if (typeof job.data.x === 'number') return job.data.x + 1;
      const [value] = Object.values(await job.getChildrenValues<number>());
      return Number(value) + 1;
    }
    case 'xsum':
      return Object.values(await job.getChildrenValues<number>()).reduce((sum, value) => sum + Number(value), 0);
    default:
      throw new Error(`unknown bench job ${job.name}`);
  }
}
