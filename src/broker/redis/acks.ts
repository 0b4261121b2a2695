/**
 * Batched acknowledgements. kombu's ack is `HDEL unacked <tag>` + `ZREM unacked_index <tag>`; acks
 * made in the same tick are sent together as one multi-field HDEL and one multi-member ZREM in a
 * single pipeline, so a busy consumer pays two commands per batch instead of two per message.
 * @module
 */
import type { Redis } from 'ioredis';
import { retryUntil } from '../../redis/connection.js';
import { sharedBatch, type SharedBatch } from './shared-batch.js';

/** The most tags sent in one HDEL/ZREM pair. */
const MAX_BATCH = 2_000;

/** Collects acks and flushes them once per event-loop turn; the acks of one batch share a promise. */
export class AckBatcher {
  private batches: Array<SharedBatch<string>> = [];
  private scheduled = false;

  constructor(
    private readonly client: () => Redis,
    private readonly unackedKey: string,
    private readonly indexKey: string,
    private readonly operationTimeoutMs: number,
  ) {}

  /** Acknowledge `tag`; resolves once Redis removed it from both indexes. */
  ack(tag: string): Promise<void> {
    let batch = this.batches[this.batches.length - 1];
    if (!batch || batch.items.length >= MAX_BATCH) this.batches.push((batch = sharedBatch<string>()));
    batch.items.push(tag);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return batch.done;
  }

  private flush(): void {
    this.scheduled = false;
    const batches = this.batches;
    this.batches = [];
    for (const batch of batches) void this.send(batch);
  }

  private async send(batch: SharedBatch<string>): Promise<void> {
    const tags = batch.items;
    try {
      await retryUntil(Date.now() + this.operationTimeoutMs, 'ack', async () => {
        const results = await this.client()
          .pipeline()
          .hdel(this.unackedKey, ...tags)
          .zrem(this.indexKey, ...tags)
          .exec();
        const failed = results?.find(([error]) => error);
        if (failed?.[0]) throw failed[0];
      });
      batch.resolve();
    } catch (error) {
      batch.reject(error as Error);
    }
  }
}
