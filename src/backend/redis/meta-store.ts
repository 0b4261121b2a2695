/**
 * Batched result stores: metas stored in the same tick (the tasks of one popped batch finishing
 * together) go to Redis in one `store-meta.lua` call instead of one script call each, which is
 * most of what a busy worker spends on the backend per task. Each caller learns whether its meta
 * was stored (false: a SUCCESS was already there).
 * @module
 */

interface PendingStore {
  readonly key: string;
  readonly value: string | Buffer;
  readonly resolve: (stored: boolean) => void;
  readonly reject: (error: Error) => void;
}

/** The most metas in one script call (bounds the time Redis spends in it). */
const MAX_BATCH = 500;

/** Runs the store script for some keys and values; resolves with one 0/1 per key. */
export type StoreMany = (keys: readonly string[], values: ReadonlyArray<string | Buffer>) => Promise<readonly number[]>;

/** Collects `store` calls and sends them once per tick. */
export class MetaStoreBatcher {
  private pending: PendingStore[] = [];
  private scheduled = false;

  constructor(private readonly storeMany: StoreMany) {}

  /** Store `value` under `key` unless a SUCCESS is there; resolves true when stored. */
  store(key: string, value: string | Buffer): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pending.push({ key, value, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      // After the current run of promise callbacks, like ioredis's auto-pipelining.
      process.nextTick(() => this.flush());
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.pending.length > 0) void this.send(this.pending.splice(0, MAX_BATCH));
  }

  private async send(batch: PendingStore[]): Promise<void> {
    try {
      const stored = await this.storeMany(
        batch.map((entry) => entry.key),
        batch.map((entry) => entry.value),
      );
      batch.forEach((entry, index) => entry.resolve(stored[index] === 1));
    } catch (error) {
      for (const entry of batch) entry.reject(error as Error);
    }
  }
}
