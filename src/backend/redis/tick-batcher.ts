/**
 * Per-tick batching of backend writes: calls made in the same tick (the tasks of one popped batch
 * finishing together) go to Redis as one script call instead of one each. That per-call cost (a
 * command, its promise and its share of a socket write) is most of what a busy worker spends on
 * the backend per task. Used for result stores (`store-meta.lua`) and chord counting
 * (`chord-part.lua`), whose scripts take many items and answer one reply per item, in order.
 * @module
 */

interface Pending<Item, Reply> {
  readonly item: Item;
  readonly resolve: (reply: Reply) => void;
  readonly reject: (error: Error) => void;
}

/** Sends a batch; resolves with one reply per item, in order. */
export type SendBatch<Item, Reply> = (items: readonly Item[]) => Promise<readonly Reply[]>;

/** Collects calls and sends them once per tick, at most `maxBatch` per script call. */
export class TickBatcher<Item, Reply> {
  private pending: Array<Pending<Item, Reply>> = [];
  private scheduled = false;

  constructor(
    private readonly sendBatch: SendBatch<Item, Reply>,
    /** The most items in one call (bounds the time Redis spends in one script). */
    private readonly maxBatch = 500,
  ) {}

  /** Queue `item`; resolves with its reply once its batch was sent. */
  add(item: Item): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      // After the current run of promise callbacks, like ioredis's auto-pipelining.
      process.nextTick(() => this.flush());
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.pending.length > 0) void this.send(this.pending.splice(0, this.maxBatch));
  }

  private async send(batch: Array<Pending<Item, Reply>>): Promise<void> {
    try {
      const replies = await this.sendBatch(batch.map((entry) => entry.item));
      if (replies.length !== batch.length) throw new Error(`a batch of ${batch.length} got ${replies.length} replies`);
      batch.forEach((entry, index) => entry.resolve(replies[index]!));
    } catch (error) {
      for (const entry of batch) entry.reject(error as Error);
    }
  }
}
