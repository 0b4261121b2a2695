/**
 * Delayed delivery without holding messages in consumer memory.
 *
 * A message due in `r` ms goes to the delay queue of the largest power-of-two bucket `b ≤ r`
 * (16 ms … 2^31 ms ≈ 24.8 days). The bucket queue has `x-message-ttl: b` and dead-letters into the
 * task queue, so after `b` ms the message is back on its queue carrying its due time in a header.
 * A consumer that receives it early sends it on to the next bucket; each hop at least halves the
 * remaining delay, so a delay of `r` takes at most log2(r) hops. The last < 16 ms are waited out in
 * memory. Precision: never early (by the clocks of the processes involved); usually late by a few
 * ms to a few tens of ms (RabbitMQ expires queue heads on a timer, plus one publish per hop).
 * @module
 */

/** Smallest delay bucket (ms). Delays shorter than this are waited out in memory. */
export const MIN_DELAY_BUCKET_MS = 16;
/** Largest delay bucket (ms): 2^31, about 24.8 days. Longer delays take several hops. */
export const MAX_DELAY_BUCKET_MS = 2 ** 31;

/**
 * The delay bucket (ms) to park a message in, `remainingMs` before it is due; `undefined` when it is
 * due within {@link MIN_DELAY_BUCKET_MS} and should go straight to its queue.
 */
export function delayBucketFor(remainingMs: number): number | undefined {
  if (!(remainingMs >= MIN_DELAY_BUCKET_MS)) return undefined;
  if (remainingMs >= MAX_DELAY_BUCKET_MS) return MAX_DELAY_BUCKET_MS;
  const bucket = 2 ** Math.floor(Math.log2(remainingMs));
  return bucket > remainingMs ? bucket / 2 : bucket; // guards log2 rounding up just below a power of two
}

/** Reads a due time (epoch ms) from a header value; `undefined` when absent or not a number. */
export function parseDeliverAt(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}
