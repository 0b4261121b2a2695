/**
 * AmqpBroker against the local RabbitMQ: Celery's topology, message round trip with Celery's header
 * types, publisher confirms, unroutable messages, prefetch, requeue, cancel and close.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmqpBroker } from '../../src/broker/amqp.js';
import { TransportError } from '../../src/errors.js';
import {
  AMQP_TEST_URL,
  DeliveryCollector,
  deleteTestQueues,
  holdRabbitMqShared,
  jsonMessage,
  loadAmqpVector,
  requireRabbitMq,
  testQueueName,
  waitFor,
  wireMessageFromVector,
  withRawChannel,
} from '../helpers/amqp.js';

const queues: string[] = [];
const brokers: AmqpBroker[] = [];
let release: () => void = () => undefined;

function queue(label: string): string {
  const name = testQueueName(label);
  queues.push(name);
  return name;
}

function broker(): AmqpBroker {
  const instance = new AmqpBroker({ url: AMQP_TEST_URL, publishTimeoutMs: 10_000 });
  brokers.push(instance);
  return instance;
}

beforeAll(async () => {
  release = await holdRabbitMqShared();
  await requireRabbitMq();
});

afterAll(async () => {
  for (const instance of brokers) await instance.close();
  await deleteTestQueues(queues).finally(release);
});

describe('AmqpBroker topology', () => {
  it("declares exactly Celery's queue, exchange and binding", async () => {
    const celery = loadAmqpVector().queue_declaration_by_celery;
    const name = queue('topology');
    await broker().publish({ queue: name }, jsonMessage('t-1'));
    await withRawChannel(async (channel) => {
      // A declaration with Celery's exact parameters is accepted only if the existing queue is equivalent.
      const declared = await channel.assertQueue(name, { durable: celery.durable, autoDelete: celery.auto_delete, exclusive: celery.exclusive });
      expect(declared.messageCount).toBe(1);
      await channel.assertExchange(name, celery.exchange_type, { durable: celery.exchange_durable, autoDelete: false });
      // The binding routes `exchange Q, routing key Q` into Q, as Celery relies on.
      channel.publish(name, name, Buffer.from('via exchange'), { contentType: 'text/plain' });
      await waitFor(async () => (await channel.checkQueue(name)).messageCount === 2, 5_000, 'binding delivery');
    });
    // No extra arguments: declaring with any argument must be refused as inequivalent.
    await expect(withRawChannel((channel) => channel.assertQueue(name, { durable: true, maxPriority: 10 }))).rejects.toThrow(/PRECONDITION_FAILED/);
  });

  it('declares x-max-priority and x-queue-type when configured', async () => {
    const priorityQueue = queue('prio');
    const quorumQueue = queue('quorum');
    const prioBroker = new AmqpBroker({ url: AMQP_TEST_URL, maxPriority: 10 });
    const quorumBroker = new AmqpBroker({ url: AMQP_TEST_URL, queueType: 'quorum' });
    brokers.push(prioBroker, quorumBroker);
    await prioBroker.publish({ queue: priorityQueue }, jsonMessage('p-1'));
    await quorumBroker.publish({ queue: quorumQueue }, jsonMessage('q-1'));
    await withRawChannel(async (channel) => {
      await channel.assertQueue(priorityQueue, { durable: true, maxPriority: 10 });
      await channel.assertQueue(quorumQueue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    });
  });

  it('uses a queue that exists with other arguments as it is', async () => {
    const name = queue('existing');
    await withRawChannel((channel) => channel.assertQueue(name, { durable: true, maxPriority: 5 }));
    const events: string[] = [];
    const instance = new AmqpBroker({ url: AMQP_TEST_URL, onEvent: (event) => events.push(event.type) });
    brokers.push(instance);
    await instance.publish({ queue: name, priority: 3 }, jsonMessage('e-1'));
    expect(await instance.queueLength(name)).toBe(1);
    expect(events).toContain('topology-mismatch');
  });
});

describe('AmqpBroker messages', () => {
  it("round-trips a Celery message with Celery's header types and properties", async () => {
    const entry = loadAmqpVector().messages_in_queue_order[3]!; // countdown + expires + priority + time limits
    const message = wireMessageFromVector(entry);
    const name = queue('roundtrip');
    const instance = broker();
    await instance.publish({ queue: name }, message);
    const collector = new DeliveryCollector();
    const consumer = await instance.consume([name], { prefetch: 1, onMessage: collector.onMessage });
    const [delivery] = await collector.atLeast(1);
    expect(delivery!.queue).toBe(name);
    expect(delivery!.redelivered).toBe(false);
    expect(delivery!.message.headers).toEqual(entry.properties.application_headers);
    expect(delivery!.message.headers['timelimit']).toEqual([3600, 3000]);
    expect(delivery!.message.contentType).toBe('application/json');
    expect(delivery!.message.contentEncoding).toBe('utf-8');
    expect(delivery!.message.properties).toEqual({
      correlation_id: entry.properties['correlation_id'],
      reply_to: entry.properties['reply_to'],
      delivery_mode: 2,
      priority: 3,
      expiration: '120000',
    });
    expect(Buffer.from(delivery!.message.body).toString('utf8')).toBe(entry.body.text);
    await delivery!.ack();
    await consumer.cancel();
    expect(await instance.queueLength(name)).toBe(0);
  });

  it('resolves publish only once the message is in the queue (confirm), batch included', async () => {
    const name = queue('confirm');
    const instance = broker();
    await instance.publish({ queue: name }, jsonMessage('c-1'));
    expect(await instance.queueLength(name)).toBe(1);
    await instance.publishBatch(Array.from({ length: 50 }, (_, i) => ({ target: { queue: name }, message: jsonMessage(`c-b${i}`) })));
    expect(await instance.queueLength(name)).toBe(51);
    expect(await instance.purge(name)).toBe(51);
    expect(await instance.queueLength(name)).toBe(0);
  });

  it('fails an unroutable publish (queue deleted behind its back) with TransportError, then recovers', async () => {
    const name = queue('unroutable');
    const instance = broker();
    await instance.publish({ queue: name }, jsonMessage('u-1'));
    await withRawChannel((channel) => channel.deleteQueue(name));
    const failure = instance.publish({ queue: name }, jsonMessage('u-2'));
    await expect(failure).rejects.toBeInstanceOf(TransportError);
    await expect(failure).rejects.toThrow(/unroutable/);
    // The declaration cache was dropped: the next publish declares the queue again.
    await instance.publish({ queue: name }, jsonMessage('u-3'));
    expect(await instance.queueLength(name)).toBe(1);
  });

  it('limits unsettled deliveries to the prefetch, requeues with redelivered, and stops after cancel', async () => {
    const name = queue('prefetch');
    const instance = broker();
    await instance.publishBatch(Array.from({ length: 5 }, (_, i) => ({ target: { queue: name }, message: jsonMessage(`p-${i}`) })));
    const collector = new DeliveryCollector();
    const consumer = await instance.consume([name], { prefetch: 2, onMessage: collector.onMessage });
    await collector.atLeast(2);
    expect(await instance.queueLength(name)).toBe(3); // two held, three waiting
    const [first, second] = collector.deliveries;
    await first!.reject({ requeue: true });
    await second!.ack();
    await second!.ack(); // settling twice is a no-op, not a channel error
    const handled = new Set([first, second]);
    const again = await waitFor(async () => {
      for (const delivery of collector.deliveries) {
        if (handled.has(delivery)) continue;
        handled.add(delivery);
        if (delivery.message.headers['id'] === first!.message.headers['id']) return delivery;
        await delivery.ack();
      }
      return undefined;
    }, 10_000, 'the requeued message');
    expect(again.redelivered).toBe(true);
    await again.ack();
    await consumer.cancel();
    for (const delivery of collector.deliveries) if (!handled.has(delivery)) await delivery.ack();
    const seen = collector.deliveries.length;
    await instance.publish({ queue: name }, jsonMessage('p-after-cancel'));
    expect(collector.deliveries.length).toBe(seen);
    await waitFor(async () => (await instance.queueLength(name)) >= 1, 5_000, 'message left in queue after cancel');
    expect(collector.deliveries.length).toBe(seen);
  });

  it('returns unsettled deliveries to the queue on close, marked redelivered', async () => {
    const name = queue('close');
    const first = new AmqpBroker({ url: AMQP_TEST_URL });
    await first.publish({ queue: name }, jsonMessage('cl-1'));
    const collector = new DeliveryCollector();
    await first.consume([name], { prefetch: 1, onMessage: collector.onMessage });
    await collector.atLeast(1);
    await first.close();
    await collector.deliveries[0]!.ack(); // after close: a no-op, the message went back
    const second = broker();
    const again = new DeliveryCollector();
    await second.consume([name], { prefetch: 1, onMessage: again.onMessage });
    const [delivery] = await again.atLeast(1);
    expect(delivery!.message.headers['id']).toBe('cl-1');
    expect(delivery!.redelivered).toBe(true);
    await delivery!.ack();
  });

  it('consumes several queues with one consumer', async () => {
    const a = queue('multi_a');
    const b = queue('multi_b');
    const instance = broker();
    await instance.publish({ queue: a }, jsonMessage('m-a'));
    await instance.publish({ queue: b }, jsonMessage('m-b'));
    const collector = new DeliveryCollector();
    const consumer = await instance.consume([a, b], { prefetch: 4, onMessage: collector.onMessage });
    const deliveries = await collector.atLeast(2);
    expect(deliveries.map((d) => `${d.queue}:${String(d.message.headers['id'])}`).sort()).toEqual([`${a}:m-a`, `${b}:m-b`].sort());
    for (const delivery of deliveries) await delivery.ack();
    await consumer.cancel();
  });

  it('consumes again when RabbitMQ cancelled the consumer because its queue was deleted', async () => {
    const name = queue('recreated');
    const instance = broker();
    const collector = new DeliveryCollector();
    const consumer = await instance.consume([name], { prefetch: 1, onMessage: collector.onMessage });
    await withRawChannel((channel) => channel.deleteQueue(name));
    // The consumer declares the queue again and re-subscribes by itself.
    await waitFor(
      () => withRawChannel((channel) => channel.checkQueue(name)).then((ok) => ok.consumerCount === 1, () => false),
      10_000,
      'the consumer to come back',
    );
    await instance.publish({ queue: name }, jsonMessage('r-1'));
    const [delivery] = await collector.atLeast(1);
    expect(delivery!.message.headers['id']).toBe('r-1');
    await delivery!.ack();
    await consumer.cancel();
  });

  it('fails loudly when RabbitMQ cannot be reached', async () => {
    const unreachable = new AmqpBroker({ url: 'amqp://guest:secret@127.0.0.1:1//', connectTimeoutMs: 2_000 });
    const failure = unreachable.publish({ queue: 'celeriac_test_amqp_never' }, jsonMessage('x'));
    await expect(failure).rejects.toBeInstanceOf(TransportError);
    await expect(failure).rejects.toThrow(/guest:\*\*\*\*@127\.0\.0\.1:1/);
    await unreachable.close();
  });
});
