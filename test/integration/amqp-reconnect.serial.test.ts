/**
 * Reconnection across a RabbitMQ outage (`rabbitmqctl stop_app` / `start_app` on the shared local
 * node, kept short; start_app always runs in a finally). Publishes made while RabbitMQ is down are
 * buffered and confirmed after the reconnect, or fail loudly after publishTimeoutMs; the consumer
 * comes back by itself.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmqpBroker, type AmqpBrokerEvent } from '../../src/broker/amqp.js';
import { TransportError } from '../../src/errors.js';
import {
  AMQP_TEST_URL,
  DeliveryCollector,
  deleteTestQueues,
  holdRabbitMqExclusive,
  jsonMessage,
  requireRabbitMq,
  testQueueName,
  waitFor,
} from '../helpers/amqp.js';

const run = promisify(execFile);
const name = testQueueName('reconnect');
const events: AmqpBrokerEvent[] = [];
let broker: AmqpBroker;
let impatient: AmqpBroker;
let fragile: AmqpBroker;
const fragileEvents: AmqpBrokerEvent[] = [];
let release: () => void = () => undefined;

async function rabbitmqctl(...args: string[]): Promise<void> {
  try {
    await run('rabbitmqctl', ['-q', ...args], { timeout: 60_000 });
  } catch (error) {
    throw new Error(`rabbitmqctl ${args.join(' ')} failed (is rabbitmqctl on PATH and allowed?): ${(error as Error).message}`);
  }
}

beforeAll(async () => {
  await requireRabbitMq();
  release = await holdRabbitMqExclusive();
  broker = new AmqpBroker({
    url: AMQP_TEST_URL,
    publishTimeoutMs: 45_000,
    reconnect: { initialDelayMs: 100, maxDelayMs: 400 },
    onEvent: (event) => events.push(event),
  });
  impatient = new AmqpBroker({ url: AMQP_TEST_URL, publishTimeoutMs: 300, reconnect: { maxDelayMs: 400 } });
  fragile = new AmqpBroker({
    url: AMQP_TEST_URL,
    reconnect: { maxAttempts: 2, initialDelayMs: 50, maxDelayMs: 50 },
    onEvent: (event) => fragileEvents.push(event),
  });
}, 90_000);

afterAll(async () => {
  try {
    await rabbitmqctl('start_app'); // idempotent: make sure the shared node is up whatever happened
    await rabbitmqctl('await_startup');
    await broker?.close();
    await impatient?.close();
    await fragile?.close();
    await deleteTestQueues([name]);
  } finally {
    release();
  }
}, 90_000);

describe('AmqpBroker reconnect', () => {
  it('buffers publishes during an outage, confirms them after it, and resumes consuming', async () => {
    const collector = new DeliveryCollector();
    await broker.consume([name], { prefetch: 10, onMessage: (d) => void d.ack().then(() => collector.onMessage(d)) });
    await impatient.publish({ queue: name }, jsonMessage('warmup')); // connects the impatient broker
    await fragile.connect();
    await broker.publish({ queue: name }, jsonMessage('before'));
    await collector.atLeast(2);

    const sentDuringOutage: Array<Promise<void>> = [];
    let confirmed = 0;
    let impatientFailure: Promise<void> | undefined;
    try {
      await rabbitmqctl('stop_app');
      await waitFor(() => events.some((e) => e.type === 'disconnected'), 15_000, 'the disconnected event');
      for (let i = 0; i < 5; i++) {
        const publish = broker.publish({ queue: name }, jsonMessage(`during-${i}`));
        void publish.then(() => (confirmed += 1), () => undefined);
        sentDuringOutage.push(publish);
      }
      impatientFailure = impatient.publish({ queue: name }, jsonMessage('impatient'));
      await expect(impatientFailure).rejects.toBeInstanceOf(TransportError);
      await expect(impatientFailure).rejects.toThrow(/not confirmed by RabbitMQ within 300 ms while disconnected/);
      expect(confirmed).toBe(0); // nothing was confirmed while RabbitMQ was down
      // With reconnect.maxAttempts, the broker gives up and says so; later publishes fail at once.
      await waitFor(() => fragileEvents.some((e) => e.type === 'reconnect-failed'), 15_000, 'reconnect-failed');
      await expect(fragile.publish({ queue: name }, jsonMessage('fragile'))).rejects.toThrow(/gave up reconnecting/);
    } finally {
      await rabbitmqctl('start_app');
    }

    await Promise.all(sentDuringOutage);
    expect(events.filter((e) => e.type === 'connected' && e.reconnect).length).toBeGreaterThanOrEqual(1);
    const received = await waitFor(() => {
      const ids = new Set(collector.deliveries.map((d) => String(d.message.headers['id'])));
      return [0, 1, 2, 3, 4].every((i) => ids.has(`during-${i}`)) && ids;
    }, 20_000, 'the messages published during the outage');
    expect(received.has('impatient')).toBe(false);
    expect(received.has('fragile')).toBe(false);
  });
});
