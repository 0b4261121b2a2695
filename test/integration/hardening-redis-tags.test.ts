/**
 * Issue 12 item 3: on Redis, a message without a delivery tag (or with one already in flight) got
 * a fallback tag `<tag|celeriac>:<nonce>:<n>` with `n` restarting at 1 on every pop and a nonce per
 * consumer, written with HSET over another in-flight entry: two deliveries shared one `unacked`
 * entry, and after a crash one of them was lost for good. Now every in-flight message has its own
 * entry, whatever its tag, and all of them come back when the consumer goes away unsettled.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Delivery } from '../../src/broker/broker.js';
import { RedisBroker } from '../../src/broker/redis.js';
import { kombuEnvelope, jsonBody } from '../fixtures/crash/bad-messages.js';
import { flushHardeningDb, HARDENING_DBS, hardeningRedis, hardeningRedisUrl } from '../helpers/hardening.js';
import { requireRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/crash.js';

const DB = HARDENING_DBS.tags;

function envelope(queue: string, tag: string | null): string {
  const parsed = JSON.parse(kombuEnvelope(queue, { body: jsonBody([1]), contentType: 'application/json', headers: { task: 't', id: randomUUID() } })) as {
    properties: Record<string, unknown>;
  };
  if (tag === null) delete parsed.properties['delivery_tag'];
  else parsed.properties['delivery_tag'] = tag;
  return JSON.stringify(parsed);
}

beforeAll(async () => {
  await requireRedis(DB);
  await flushHardeningDb(DB);
});

afterAll(async () => {
  await flushHardeningDb(DB);
});

describe('Redis fallback delivery tags', () => {
  it('gives every in-flight message its own unacked entry, across pops, and loses none on close', async () => {
    const queue = 'hardening_tags';
    const raw = hardeningRedis(DB);
    const broker = new RedisBroker({ url: hardeningRedisUrl(DB) });
    const held: Delivery[] = [];
    try {
      await broker.consume([queue], { prefetch: 20, onMessage: (delivery) => held.push(delivery) });
      // One message per pop: untagged ones, then two carrying the same tag, then one reusing a built tag.
      const entries = [envelope(queue, null), envelope(queue, null), envelope(queue, null), envelope(queue, 'dup'), envelope(queue, 'dup')];
      for (const [index, entry] of entries.entries()) {
        await raw.lpush(queue, entry);
        await waitFor(() => held.length === index + 1, 10_000, `delivery ${index + 1}`);
      }
      const unacked = await raw.hkeys('unacked');
      expect(unacked).toHaveLength(entries.length);
      expect(new Set(unacked).size).toBe(entries.length);
      await broker.close(); // unsettled deliveries go back to the queue
      expect(await raw.llen(queue)).toBe(entries.length);
      expect(await raw.hlen('unacked')).toBe(0);
    } finally {
      await broker.close().catch(() => undefined);
      raw.disconnect();
    }
  }, 30_000);
});
