/**
 * A batch of items whose senders all wait on one promise: a producer or consumer with thousands of
 * items in flight keeps one small record per item until Redis answers, not a promise and its
 * callbacks each. Used by the publish and ack batchers.
 * @module
 */

/** Items collected in one turn and the one promise their senders wait on. */
export interface SharedBatch<Item> {
  readonly items: Item[];
  /** Settles once the batch was written (or gave up). */
  readonly done: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** An empty batch. */
export function sharedBatch<Item>(): SharedBatch<Item> {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const done = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  // Senders that stopped listening must not turn a failed batch into an unhandled rejection.
  done.catch(() => undefined);
  return { items: [], done, resolve, reject };
}
