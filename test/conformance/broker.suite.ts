/**
 * The broker conformance suite: one set of behaviours every Broker adapter must show. Each adapter's
 * test file calls {@link brokerConformance} with a factory (five lines).
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Broker, Delivery, WireMessage } from '../../src/broker/broker.js';

/** What an adapter declares about itself. */
export interface BrokerTraits {
  /** Which priority is served first. */
  priorityOrder: 'higher-first' | 'lower-first';
  /** Queue name prefix (tests create unique queues under it). */
  queuePrefix: string;
  /** Remove a queue and its companions after a test. */
  dropQueue?: (broker: Broker, queue: string) => Promise<void>;
}

function message(n: number, extra: Partial<WireMessage> = {}): WireMessage {
  return {
    body: new TextEncoder().encode(JSON.stringify([[n], {}, { callbacks: null, errbacks: null, chain: null, chord: null }])),
    contentType: 'application/json',
    contentEncoding: 'utf-8',
    headers: { task: 'conformance.task', id: `id-${n}`, retries: 0, nested: { a: [1, 2] }, nothing: null },
    properties: { correlation_id: `id-${n}`, reply_to: 'r', delivery_mode: 2 },
    ...extra,
  };
}

function idOf(delivery: Delivery): string {
  return String(delivery.message.headers['id']);
}

/** Collects deliveries and lets a test wait for a count. */
class Inbox {
  readonly items: Delivery[] = [];
  private waiters: Array<() => void> = [];
  push = (delivery: Delivery): void => {
    this.items.push(delivery);
    for (const wake of this.waiters.splice(0)) wake();
  };
  async waitFor(count: number, timeoutMs = 5000): Promise<Delivery[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.items.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} deliveries, got ${this.items.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.items.slice(0, count);
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Register the broker conformance tests for one adapter. `make` opens a new handle each call. */
export function brokerConformance(name: string, make: () => Promise<Broker>, traits: BrokerTraits): void {
  describe(`Broker conformance: ${name}`, () => {
    const opened: Broker[] = [];
    const queues: string[] = [];
    const open = async () => {
      const broker = await make();
      await broker.connect();
      opened.push(broker);
      return broker;
    };
    const queue = () => {
      const q = `${traits.queuePrefix}${randomUUID().slice(0, 8)}`;
      queues.push(q);
      return q;
    };

    afterEach(async () => {
      const cleaner = opened[0];
      if (cleaner && traits.dropQueue) for (const q of queues) await traits.dropQueue(cleaner, q).catch(() => undefined);
      for (const broker of opened.splice(0)) await broker.close().catch(() => undefined);
      queues.length = 0;
    });

    it('delivers a published message unchanged', async () => {
      const broker = await open();
      const q = queue();
      const sent = message(1);
      await broker.publish({ queue: q }, sent);
      const inbox = new Inbox();
      await broker.consume([q], { prefetch: 10, onMessage: inbox.push });
      const [got] = await inbox.waitFor(1);
      expect(Buffer.from(got!.message.body).toString()).toBe(Buffer.from(sent.body).toString());
      expect(got!.message.contentType).toBe('application/json');
      expect(got!.message.contentEncoding).toBe('utf-8');
      expect(got!.message.headers).toMatchObject({ task: 'conformance.task', id: 'id-1', retries: 0, nested: { a: [1, 2] }, nothing: null });
      expect(got!.message.properties['correlation_id']).toBe('id-1');
      expect(got!.queue).toBe(q);
      expect(got!.redelivered).toBe(false);
      await got!.ack();
    });

    it('keeps FIFO order within a queue, for single and batched publishes', async () => {
      const broker = await open();
      const q = queue();
      await broker.publish({ queue: q }, message(0));
      await broker.publishBatch([1, 2, 3, 4].map((n) => ({ target: { queue: q }, message: message(n) })));
      const inbox = new Inbox();
      await broker.consume([q], { prefetch: 1, onMessage: (d) => { inbox.push(d); void d.ack(); } });
      const got = await inbox.waitFor(5);
      expect(got.map(idOf)).toEqual(['id-0', 'id-1', 'id-2', 'id-3', 'id-4']);
    });

    it('acknowledged messages are gone for good', async () => {
      const broker = await open();
      const q = queue();
      await broker.publish({ queue: q }, message(1));
      const inbox = new Inbox();
      const consumer = await broker.consume([q], { prefetch: 5, onMessage: inbox.push });
      const [got] = await inbox.waitFor(1);
      await got!.ack();
      await consumer.cancel();
      await broker.close();
      const again = await open();
      const second = new Inbox();
      await again.consume([q], { prefetch: 5, onMessage: second.push });
      await pause(300);
      expect(second.items).toHaveLength(0);
      expect(await again.queueLength(q)).toBe(0);
    });

    it('respects prefetch: no more unsettled deliveries than allowed', async () => {
      const broker = await open();
      const q = queue();
      await broker.publishBatch([1, 2, 3, 4, 5].map((n) => ({ target: { queue: q }, message: message(n) })));
      const inbox = new Inbox();
      await broker.consume([q], { prefetch: 2, onMessage: inbox.push });
      await inbox.waitFor(2);
      await pause(200);
      expect(inbox.items).toHaveLength(2);
      await inbox.items[0]!.ack();
      await inbox.waitFor(3);
      await pause(100);
      expect(inbox.items).toHaveLength(3);
    });

    it('reject with requeue delivers the message again, marked redelivered', async () => {
      const broker = await open();
      const q = queue();
      await broker.publish({ queue: q }, message(7));
      const inbox = new Inbox();
      await broker.consume([q], { prefetch: 1, onMessage: inbox.push });
      const [first] = await inbox.waitFor(1);
      await first!.reject({ requeue: true });
      const [, second] = await inbox.waitFor(2);
      expect(idOf(second!)).toBe('id-7');
      expect(second!.redelivered).toBe(true);
      await second!.ack();
    });

    it('reject without requeue dead-letters the message with its reason', async () => {
      const broker = await open();
      const q = queue();
      await broker.publish({ queue: q }, message(9));
      const inbox = new Inbox();
      await broker.consume([q], { prefetch: 1, onMessage: inbox.push });
      const [got] = await inbox.waitFor(1);
      await got!.reject({ requeue: false, reason: 'bad-json: test reason' });
      await pause(100);
      const dead = await broker.deadLetters(q);
      expect(dead).toHaveLength(1);
      expect(dead[0]!.reason).toContain('bad-json: test reason');
      expect(dead[0]!.queue).toBe(q);
      expect(inbox.items).toHaveLength(1);
    });

    it('returns unsettled deliveries when a handle closes, to another consumer', async () => {
      const first = await open();
      const q = queue();
      await first.publish({ queue: q }, message(3));
      const inbox = new Inbox();
      await first.consume([q], { prefetch: 1, onMessage: inbox.push });
      await inbox.waitFor(1);
      await first.close();
      const second = await open();
      const other = new Inbox();
      await second.consume([q], { prefetch: 1, onMessage: other.push });
      const [again] = await other.waitFor(1, 10_000);
      expect(idOf(again!)).toBe('id-3');
      expect(again!.redelivered).toBe(true);
      await again!.ack();
    });

    it('defer settles now and delivers again no earlier than asked', async () => {
      const broker = await open();
      const q = queue();
      await broker.publish({ queue: q }, message(4));
      const inbox = new Inbox();
      await broker.consume([q], { prefetch: 5, onMessage: inbox.push });
      const [first] = await inbox.waitFor(1);
      const deliverAt = Date.now() + 600;
      await first!.defer(deliverAt);
      const [, again] = await inbox.waitFor(2, 10_000);
      expect(Date.now()).toBeGreaterThanOrEqual(deliverAt - 50);
      expect(idOf(again!)).toBe('id-4');
      await again!.ack();
    });

    it('publish with deliverAt holds the message back until then', async () => {
      const broker = await open();
      const q = queue();
      const deliverAt = Date.now() + 500;
      await broker.publish({ queue: q, deliverAt }, message(5));
      const inbox = new Inbox();
      await broker.consume([q], { prefetch: 5, onMessage: inbox.push });
      const [got] = await inbox.waitFor(1, 10_000);
      expect(Date.now()).toBeGreaterThanOrEqual(deliverAt - 50);
      await got!.ack();
    });

    it('purge also removes the messages parked until a later time, and only its own queue’s', async () => {
      const broker = await open();
      const q = queue();
      const other = queue();
      const deliverAt = Date.now() + 400;
      await broker.publish({ queue: q, deliverAt }, message(6));
      await broker.publish({ queue: other, deliverAt }, message(7));
      await broker.publish({ queue: q }, message(8));
      expect(await broker.purge(q)).toBe(2);
      const inbox = new Inbox();
      await broker.consume([q, other], { prefetch: 5, onMessage: (d) => { inbox.push(d); void d.ack(); } });
      await inbox.waitFor(1, 10_000);
      await pause(800);
      expect(inbox.items.map(idOf)).toEqual(['id-7']);
    });

    it('serves priorities in the adapter’s order', async () => {
      const broker = await open();
      const q = queue();
      await broker.publish({ queue: q, priority: 0 }, message(0));
      await broker.publish({ queue: q, priority: 9 }, message(9));
      await broker.publish({ queue: q, priority: 5 }, message(5));
      const inbox = new Inbox();
      await broker.consume([q], { prefetch: 1, onMessage: (d) => { inbox.push(d); void d.ack(); } });
      const got = (await inbox.waitFor(3)).map(idOf);
      expect(got).toEqual(traits.priorityOrder === 'higher-first' ? ['id-9', 'id-5', 'id-0'] : ['id-0', 'id-5', 'id-9']);
    });

    it('serves several queues, and counts and purges waiting messages', async () => {
      const broker = await open();
      const a = queue();
      const b = queue();
      await broker.publishBatch([1, 2, 3].map((n) => ({ target: { queue: a }, message: message(n) })));
      await broker.publish({ queue: b }, message(10));
      expect(await broker.queueLength(a)).toBe(3);
      expect(await broker.purge(a)).toBe(3);
      expect(await broker.queueLength(a)).toBe(0);
      await broker.publish({ queue: a }, message(11));
      const inbox = new Inbox();
      await broker.consume([a, b], { prefetch: 10, onMessage: (d) => { inbox.push(d); void d.ack(); } });
      const got = (await inbox.waitFor(2)).map(idOf).sort();
      expect(got).toEqual(['id-10', 'id-11']);
    });

    it('does not deliver a message whose expiration passed', async () => {
      const broker = await open();
      const q = queue();
      await broker.publish({ queue: q }, message(1, { properties: { correlation_id: 'id-1', reply_to: 'r', delivery_mode: 2, expiration: '50' } }));
      await broker.publish({ queue: q }, message(2));
      await pause(300);
      const inbox = new Inbox();
      await broker.consume([q], { prefetch: 5, onMessage: (d) => { inbox.push(d); void d.ack(); } });
      const got = await inbox.waitFor(1);
      await pause(200);
      expect(got.map(idOf)).toEqual(['id-2']);
      expect(inbox.items).toHaveLength(1);
    });
  });
}
