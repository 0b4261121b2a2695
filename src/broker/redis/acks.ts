/**
 * Batched acknowledgements. kombu's ack is `HDEL unacked <tag>` + `ZREM unacked_index <tag>`; acks
 * made in the same tick are sent together as one multi-field HDEL and one multi-member ZREM in a
 * single pipeline, so a busy consumer pays two commands per batch instead of two per message.
 * @module
 */
import type { Redis } from 'ioredis';
import { retryUntil } from '../../redis/connection.js';

interface PendingAck {
  readonly tag: string;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** The most tags sent in one HDEL/ZREM pair. */
const MAX_BATCH = 2_000;

/** Collects acks and flushes them once per event-loop turn. */
export class AckBatcher {
  private pending: PendingAck[] = [];
  private scheduled = false;

  constructor(
    private readonly client: () => Redis,
    private readonly unackedKey: string,
    private readonly indexKey: string,
    private readonly operationTimeoutMs: number,
  ) {}

  /** Acknowledge `tag`; resolves once Redis removed it from both indexes. */
  ack(tag: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ tag, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, MAX_BATCH);
      void this.send(batch);
    }
  }

  private async send(batch: PendingAck[]): Promise<void> {
    const tags = batch.map((entry) => entry.tag);
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
      for (const entry of batch) entry.resolve();
    } catch (error) {
      for (const entry of batch) entry.reject(error as Error);
    }
  }
}
