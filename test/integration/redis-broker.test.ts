/**
 * Redis broker against a real Redis (test DB 2): kombu wire compatibility with the captured
 * Celery 5.2.6 vectors, the ack-emulation bookkeeping, settlement records, malformed entries,
 * service order and the visibility sweep.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Delivery, MalformedMessage } from '../../src/broker/broker.js';
import { RedisBroker, type RedisBrokerOptions } from '../../src/broker/redis.js';
import { FLUSH_AT_MESSAGES } from '../../src/broker/redis/publisher.js';
import { loadVector, vectorFiles, type RedisEnvelope } from '../fixtures/vectors.js';
import { flushTestDb, pause, rawRedis, redisTestUrl, requireRedis, testMessage, TEST_DBS, waitUntil } from '../helpers/redis.js';

const db = TEST_DBS.broker;
const redis = rawRedis(db);
const opened: RedisBroker[] = [];
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function open(options: RedisBrokerOptions = {}): RedisBroker {
  const broker = new RedisBroker({ url: redisTestUrl(db), ...options });
  opened.push(broker);
  return broker;
}

/** Collects deliveries. */
function inbox() {
  const items: Delivery[] = [];
  return {
    items,
    push: (delivery: Delivery) => void items.push(delivery),
    until: (count: number, timeoutMs = 10_000) =>
      waitUntil(() => items.length >= count, { timeoutMs, what: `${count} deliveries (got ${items.length})` }).then(() => items),
  };
}

beforeAll(async () => {
  await requireRedis(db);
  await flushTestDb(db);
});
afterEach(async () => {
  for (const broker of opened.splice(0)) await broker.close();
  await flushTestDb(db);
});
afterAll(() => redis.disconnect());

interface BrokerVectorFile {
  redis_keys_after_publish: Record<string, { type: string; value: unknown }>;
}

/** Every list of every captured broker vector: its key and raw entries (LRANGE order, newest first). */
function capturedLists(): Array<{ file: string; key: string; entries: string[] }> {
  return vectorFiles('broker_redis_').flatMap((file) =>
    Object.entries(loadVector<BrokerVectorFile>(file).redis_keys_after_publish)
      .filter(([, value]) => value.type === 'list')
      .map(([key, value]) => ({ file, key, entries: value.value as string[] })),
  );
}

describe('Python-produced messages (captured Celery 5.2.6 envelopes)', () => {
  it('consumes every captured envelope with headers, properties and body bytes intact', async () => {
    const lists = capturedLists();
    expect(lists.length).toBeGreaterThanOrEqual(30);
    const broker = open({ keyPrefix: 'vec:' });
    for (const list of lists) {
      await redis.del(`vec:${list.key}`);
      await redis.rpush(`vec:${list.key}`, ...list.entries);
      const queue = list.key.split('\x06\x16')[0]!;
      const box = inbox();
      const consumer = await broker.consume([queue], { prefetch: 100, onMessage: box.push });
      const got = await box.until(list.entries.length);
      await consumer.cancel();
      // Delivered oldest first: the highest LRANGE index first.
      const expected = [...list.entries].reverse().map((raw) => JSON.parse(raw) as RedisEnvelope);
      got.forEach((delivery, index) => {
        const envelope = expected[index]!;
        const label = `${list.file} ${JSON.stringify(list.key)}[${index}]`;
        expect(delivery.message.headers, label).toEqual(envelope.headers);
        expect(Buffer.from(delivery.message.body).equals(Buffer.from(envelope.body, 'base64')), label).toBe(true);
        expect(delivery.message.contentType, label).toBe(envelope['content-type']);
        expect(delivery.message.contentEncoding, label).toBe(envelope['content-encoding']);
        const { delivery_info: _info, body_encoding: _encoding, delivery_tag: _tag, ...properties } = envelope.properties;
        expect(delivery.message.properties, label).toEqual(properties);
        expect(delivery.queue, label).toBe(queue);
        expect(delivery.redelivered, label).toBe(false);
      });
      await Promise.all(got.map((delivery) => delivery.ack()));
    }
    expect(await redis.hlen('vec:unacked')).toBe(0);
    expect(await redis.zcard('vec:unacked_index')).toBe(0);
  });

  it('publishes exactly the envelope kombu publishes for the same message (but a fresh delivery tag)', async () => {
    const broker = open();
    for (const list of capturedLists()) {
      const python = JSON.parse(list.entries[0]!) as RedisEnvelope;
      const queue = String((python.properties['delivery_info'] as { routing_key: string }).routing_key);
      const wire = {
        body: new Uint8Array(Buffer.from(python.body, 'base64')),
        contentType: python['content-type'],
        contentEncoding: python['content-encoding'],
        headers: python.headers,
        properties: python.properties,
      };
      await broker.publish({ queue, priority: Number(python.properties['priority']) }, wire);
      const [raw] = await redis.lrange(list.key, 0, 0);
      const ours = JSON.parse(raw!) as RedisEnvelope;
      await redis.del(list.key);
      const label = `${list.file} ${JSON.stringify(list.key)}`;
      expect(Object.keys(ours), label).toEqual(Object.keys(python));
      const { celeriac_expires_at: expiresAt, ...ourProperties } = ours.properties;
      expect(expiresAt === undefined, label).toBe(python.properties['expiration'] === undefined);
      expect(Object.keys(ourProperties), label).toEqual(Object.keys(python.properties));
      expect({ ...ours, properties: { ...ourProperties, delivery_tag: 'x' } }, label).toEqual({
        ...python,
        properties: { ...python.properties, delivery_tag: 'x' },
      });
      expect(String(ours.properties['delivery_tag'])).toMatch(UUID4);
      expect(ours.properties['delivery_tag']).not.toBe(python.properties['delivery_tag']);
    }
  });

  it('declares the kombu binding and uses the priority sub-lists', async () => {
    const broker = open();
    await broker.publish({ queue: 'wire_other' }, testMessage('a'));
    await broker.publish({ queue: 'wire_other', priority: 5 }, testMessage('b'));
    await broker.publish({ queue: 'wire_other', priority: 42 }, testMessage('c'));
    expect(await redis.smembers('_kombu.binding.wire_other')).toEqual(['wire_other\x06\x16\x06\x16wire_other']);
    expect(await redis.llen('wire_other')).toBe(1);
    expect(await redis.llen('wire_other\x06\x163')).toBe(1);
    expect(await redis.llen('wire_other\x06\x169')).toBe(1);
    const [raw] = await redis.lrange('wire_other\x06\x169', 0, 0);
    expect((JSON.parse(raw!) as RedisEnvelope).properties['priority']).toBe(9);
    expect(await broker.queueLength('wire_other')).toBe(3);
  });
});

describe('ack emulation and settlement', () => {
  it("registers a delivery in kombu's unacked hash and index, and ack removes both", async () => {
    const broker = open();
    await broker.publish({ queue: 'q' }, testMessage('m1'));
    const [listed] = await redis.lrange('q', 0, 0);
    const box = inbox();
    await broker.consume(['q'], { prefetch: 5, onMessage: box.push });
    const [delivery] = await box.until(1);
    const tag = String((JSON.parse(listed!) as RedisEnvelope).properties['delivery_tag']);
    const stored = await redis.hget('unacked', tag);
    // kombu's shape: [envelope, exchange, routing_key] (see results_redis_json_chord3 → unacked).
    expect(JSON.parse(stored!)).toEqual([JSON.parse(listed!), '', 'q']);
    const [serverSeconds] = await redis.time();
    const score = Number(await redis.zscore('unacked_index', tag));
    expect(Math.abs(score - Number(serverSeconds))).toBeLessThan(5);
    await delivery!.ack();
    expect(await redis.hexists('unacked', tag)).toBe(0);
    expect(await redis.zscore('unacked_index', tag)).toBeNull();
    expect(await redis.llen('q')).toBe(0);
  });

  it('dead-letters with a {reason, queue, at, raw} record holding the raw envelope', async () => {
    const broker = open();
    await broker.publish({ queue: 'q' }, testMessage('m2'));
    const [listed] = await redis.lrange('q', 0, 0);
    const box = inbox();
    await broker.consume(['q'], { prefetch: 5, onMessage: box.push });
    const [delivery] = await box.until(1);
    await delivery!.reject({ requeue: false, reason: 'task raised Reject' });
    const [record] = await redis.lrange('q.celeriac.dead', 0, -1);
    const parsed = JSON.parse(record!) as { reason: string; queue: string; at: string; raw: string };
    expect(parsed).toMatchObject({ reason: 'task raised Reject', queue: 'q', raw: listed });
    expect(Number.isNaN(Date.parse(parsed.at))).toBe(false);
    expect(await broker.deadLetters('q')).toEqual([{ queue: 'q', reason: 'task raised Reject', raw: listed }]);
    expect(await redis.hlen('unacked')).toBe(0);
    // Settling twice is a no-op.
    await delivery!.ack();
    expect(await redis.llen('q.celeriac.dead')).toBe(1);
  });

  it('defer parks the envelope in the delayed zset (not unacked) and delivers it when due', async () => {
    const broker = open();
    await broker.publish({ queue: 'q', priority: 3 }, testMessage('m3'));
    const [listed] = await redis.lrange('q\x06\x163', 0, 0);
    const box = inbox();
    await broker.consume(['q'], { prefetch: 5, onMessage: box.push });
    const [first] = await box.until(1);
    const deliverAt = Date.now() + 400;
    await first!.defer(deliverAt);
    expect(await redis.hlen('unacked')).toBe(0);
    expect(await redis.zrange('celeriac.delayed', '0', '-1', 'WITHSCORES')).toEqual([`${listed}\0q\x06\x163`, String(deliverAt)]);
    const [, again] = await box.until(2);
    expect(again!.redelivered).toBe(false);
    expect(again!.message.headers['id']).toBe('m3');
    expect(await redis.zcard('celeriac.delayed')).toBe(0);
    await again!.ack();
  });

  it('publishBatch sends mixed queues, priorities and delayed messages in one call', async () => {
    const broker = open();
    await broker.publishBatch([
      { target: { queue: 'a' }, message: testMessage('a1') },
      { target: { queue: 'b', priority: 6 }, message: testMessage('b1') },
      { target: { queue: 'a' }, message: testMessage('a2') },
      { target: { queue: 'a', deliverAt: Date.now() + 60_000 }, message: testMessage('later') },
    ]);
    const ids = async (key: string) => (await redis.lrange(key, 0, -1)).map((raw) => (JSON.parse(raw) as RedisEnvelope).headers['id']);
    expect(await ids('a')).toEqual(['a2', 'a1']);
    expect(await ids('b\x06\x166')).toEqual(['b1']);
    expect(await redis.zcard('celeriac.delayed')).toBe(1);
    expect(await broker.queueLength('a')).toBe(2);
  });
});

describe('bursts', () => {
  it('a burst sent in one turn goes out in LPUSHes of FLUSH_AT_MESSAGES while the loop runs, in publish order', async () => {
    const broker = open();
    await broker.publish({ queue: 'burst' }, testMessage('warm-up'));
    await redis.del('burst');
    const monitor = await rawRedis(db).monitor();
    const lpushSizes: number[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[0]?.toLowerCase() === 'lpush' && args[1] === 'burst') lpushSizes.push(args.length - 2);
    });
    const count = FLUSH_AT_MESSAGES * 2 + 44;
    const sends: Array<Promise<void>> = [];
    for (let i = 0; i < count; i += 1) sends.push(broker.publish({ queue: 'burst' }, testMessage(`m${i}`)));
    await Promise.all(sends);
    await waitUntil(() => lpushSizes.reduce((a, b) => a + b, 0) >= count, { what: 'every LPUSH in MONITOR' });
    monitor.disconnect();
    // Two full pipelines were written during the loop; the rest at the end of the turn.
    expect(lpushSizes).toEqual([FLUSH_AT_MESSAGES, FLUSH_AT_MESSAGES, 44]);
    const ids = (await redis.lrange('burst', 0, -1)).map((raw) => (JSON.parse(raw) as RedisEnvelope).headers['id']).reverse();
    expect(ids).toEqual(Array.from({ length: count }, (_, i) => `m${i}`));
  });
});

describe('publishing to a queue this broker consumes (push and claim in one script)', () => {
  it('claims at most the free prefetch slots, oldest first, registered in unacked; the rest stay queued in order', async () => {
    const broker = open({ blockTimeoutMs: 60_000 });
    await broker.publish({ queue: 'own' }, testMessage('old'));
    const box = inbox();
    const consumer = await broker.consume(['own'], { prefetch: 3, onMessage: box.push });
    await box.until(1);
    await broker.publishBatch(['n1', 'n2', 'n3', 'n4'].map((id) => ({ target: { queue: 'own' }, message: testMessage(id) })));
    // The claim happened inside the publish: two slots were free, so exactly two messages came in its reply.
    expect(box.items.map((d) => d.message.headers['id'])).toEqual(['old', 'n1', 'n2']);
    expect(await redis.hlen('unacked')).toBe(3);
    expect(await redis.zcard('unacked_index')).toBe(3);
    const left = async () => (await redis.lrange('own', 0, -1)).map((raw) => (JSON.parse(raw) as RedisEnvelope).headers['id']);
    expect(await left()).toEqual(['n4', 'n3']);
    for (const delivery of box.items.slice()) await delivery.ack();
    await box.until(5);
    expect(box.items.map((d) => d.message.headers['id'])).toEqual(['old', 'n1', 'n2', 'n3', 'n4']);
    for (const delivery of box.items.slice(3)) await delivery.ack();
    expect(await redis.hlen('unacked')).toBe(0);
    await consumer.cancel();
  });

  it('a consumer of another broker instance is woken as usual (nothing is claimed across processes)', async () => {
    const consuming = open();
    const publishing = open();
    const box = inbox();
    await consuming.consume(['shared'], { prefetch: 5, onMessage: box.push });
    await pause(50);
    await publishing.publish({ queue: 'shared' }, testMessage('m1'));
    const [delivery] = await box.until(1);
    expect(delivery!.message.headers['id']).toBe('m1');
    await delivery!.ack();
  });
});

describe('malformed entries and service order', () => {
  it('dead-letters malformed entries with a reason while valid ones flow', async () => {
    const broker = open();
    await broker.publish({ queue: 'q' }, testMessage('valid-1'));
    const good = JSON.parse((await redis.lrange('q', 0, 0))[0]!) as RedisEnvelope;
    const badEntries = [
      'not json at all',
      JSON.stringify({ body: 'e30=', 'content-type': 'application/json', properties: {} }),
      JSON.stringify({ ...good, body: '@@not base64@@', properties: { ...good.properties, delivery_tag: 'bad-b64' } }),
      '[1, 2, 3]',
    ];
    await redis.lpush('q', ...badEntries);
    await broker.publish({ queue: 'q' }, testMessage('valid-2'));
    const box = inbox();
    const malformed: MalformedMessage[] = [];
    await broker.consume(['q'], { prefetch: 10, onMessage: (d) => { box.push(d); void d.ack(); }, onMalformed: (m) => void malformed.push(m) });
    await box.until(2);
    await waitUntil(async () => (await redis.llen('q.celeriac.dead')) === 4, { what: 'four dead letters' });
    expect(box.items.map((d) => d.message.headers['id'])).toEqual(['valid-1', 'valid-2']);
    expect(malformed.map((m) => m.reason.split(':')[0])).toEqual(['envelope-not-json', 'missing-headers', 'bad-base64', 'envelope-not-object']);
    expect(malformed.every((m) => m.queue === 'q' && m.error instanceof Error)).toBe(true);
    const dead = await broker.deadLetters('q');
    expect(dead.map((d) => d.raw)).toEqual(badEntries);
    expect(dead.every((d) => d.reason.startsWith('malformed: '))).toBe(true);
    await waitUntil(async () => (await redis.hlen('unacked')) === 0, { what: 'unacked to drain' });
  });

  it("serves several queues in kombu's order: by priority step, then by queue order", async () => {
    const broker = open();
    await broker.publish({ queue: 'first', priority: 9 }, testMessage('first-9'));
    await broker.publish({ queue: 'second', priority: 9 }, testMessage('second-9'));
    await broker.publish({ queue: 'second' }, testMessage('second-0'));
    await broker.publish({ queue: 'first' }, testMessage('first-0'));
    await broker.publish({ queue: 'first', priority: 4 }, testMessage('first-4'));
    const box = inbox();
    await broker.consume(['first', 'second'], { prefetch: 1, onMessage: (d) => { box.push(d); void d.ack(); } });
    const got = await box.until(5);
    expect(got.map((d) => d.message.headers['id'])).toEqual(['first-0', 'second-0', 'first-4', 'first-9', 'second-9']);
  });
});

describe('visibility sweep', () => {
  it("restores a dead consumer's kombu entry to the front of its queue, marked redelivered", async () => {
    const chord = loadVector<{ db_while_last_header_task_running: { unacked: { value: Record<string, unknown> } } }>(
      'results_redis_json_chord3.json',
    );
    const entries = Object.entries(chord.db_while_last_header_task_running.unacked.value) as Array<[string, [RedisEnvelope, string, string]]>;
    expect(entries).toHaveLength(1);
    const [tag, entry] = entries[0]!;
    await redis.hset('unacked', tag, JSON.stringify(entry));
    const [seconds] = await redis.time();
    await redis.zadd('unacked_index', Number(seconds) - 120, tag);
    await redis.zadd('unacked_index', Number(seconds) - 120, 'orphan-tag');
    await redis.lpush('celery', JSON.stringify({ ...entry[0], headers: { ...entry[0].headers, id: 'waiting' } }));

    const broker = open({ visibilityTimeoutMs: 60_000 });
    expect(await broker.restoreExpired()).toBe(1);
    expect(await redis.hlen('unacked')).toBe(0);
    expect(await redis.zcard('unacked_index')).toBe(0);
    expect(await redis.get('unacked_mutex')).toBeNull();
    const front = JSON.parse((await redis.lrange('celery', -1, -1))[0]!) as RedisEnvelope;
    expect(front.headers).toEqual({ ...entry[0].headers, redelivered: true });
    expect(front.properties['delivery_info']).toEqual({ exchange: '', routing_key: 'celery', redelivered: true });

    const box = inbox();
    await broker.consume(['celery'], { prefetch: 1, onMessage: (d) => { box.push(d); void d.ack(); } });
    const [restored, waiting] = await box.until(2);
    expect(restored!.message.headers['id']).toBe(entry[0].headers['id']);
    expect(restored!.redelivered).toBe(true);
    expect(waiting!.message.headers['id']).toBe('waiting');
  });

  it('does not restore deliveries a live consumer still holds past the visibility timeout', async () => {
    const holder = open({ visibilityTimeoutMs: 600 });
    const sweeper = open({ visibilityTimeoutMs: 600 });
    await holder.publish({ queue: 'long' }, testMessage('long-task'));
    const box = inbox();
    await holder.consume(['long'], { prefetch: 1, onMessage: box.push });
    const [held] = await box.until(1);
    for (let round = 0; round < 4; round += 1) {
      await pause(400);
      expect(await sweeper.restoreExpired()).toBe(0);
    }
    expect(box.items).toHaveLength(1);
    expect(await redis.llen('long')).toBe(0);
    expect(await redis.hlen('unacked')).toBe(1);
    await held!.ack();
    expect(await redis.hlen('unacked')).toBe(0);
  });

  it('a sweep is skipped while another process holds unacked_mutex', async () => {
    await redis.set('unacked_mutex', 'someone-else', 'PX', 60_000);
    await redis.hset('unacked', 't', JSON.stringify([{ headers: {}, properties: {} }, '', 'q']));
    await redis.zadd('unacked_index', 1, 't');
    const broker = open({ visibilityTimeoutMs: 1_000 });
    expect(await broker.restoreExpired()).toBe(0);
    expect(await redis.hlen('unacked')).toBe(1);
    expect(await redis.get('unacked_mutex')).toBe('someone-else');
  });
});
