/**
 * At-least-once across a crash: a consumer process killed with SIGKILL while holding unacked
 * deliveries gets them redelivered by RabbitMQ to the next consumer, marked redelivered.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmqpBroker } from '../../src/broker/amqp.js';
import {
  AMQP_TEST_URL,
  DeliveryCollector,
  deleteTestQueues,
  holdRabbitMqShared,
  jsonMessage,
  requireRabbitMq,
  testQueueName,
  waitFor,
} from '../helpers/amqp.js';

const name = testQueueName('sigkill');
let broker: AmqpBroker;
let child: ChildProcess | undefined;
let release: () => void = () => undefined;

beforeAll(async () => {
  release = await holdRabbitMqShared();
  await requireRabbitMq();
  broker = new AmqpBroker({ url: AMQP_TEST_URL });
});

afterAll(async () => {
  if (child?.pid && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await broker?.close();
  await deleteTestQueues([name]).finally(release);
});

/** Starts a consumer in a child process that never settles; resolves with the ids it received. */
function startHoardingConsumer(expected: number): Promise<{ process: ChildProcess; ids: string[] }> {
  const brokerModule = fileURLToPath(new URL('../../src/broker/amqp.ts', import.meta.url));
  const code = `
    import { AmqpBroker } from ${JSON.stringify(brokerModule)};
    const broker = new AmqpBroker({ url: ${JSON.stringify(AMQP_TEST_URL)} });
    await broker.consume([${JSON.stringify(name)}], { prefetch: 10, onMessage: (d) => console.log('GOT ' + d.message.headers.id) });
  `;
  const process = spawn(globalThis.process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  child = process;
  const ids: string[] = [];
  let stderr = '';
  return new Promise((resolve, reject) => {
    process.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line.startsWith('GOT ')) ids.push(line.slice(4));
      if (ids.length >= expected) resolve({ process, ids });
    });
    process.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    process.on('exit', (code) => reject(new Error(`consumer child exited (${code}) before receiving: ${stderr}`)));
  });
}

describe('AmqpBroker crash redelivery', () => {
  it('redelivers the unacked messages of a consumer killed with SIGKILL', async () => {
    await broker.publishBatch([1, 2, 3].map((i) => ({ target: { queue: name }, message: jsonMessage(`k-${i}`) })));
    const { process, ids } = await startHoardingConsumer(3);
    expect(ids.sort()).toEqual(['k-1', 'k-2', 'k-3']);
    expect(await broker.queueLength(name)).toBe(0); // all three held unacked by the child

    const exited = new Promise((resolve) => process.once('exit', resolve));
    process.kill('SIGKILL');
    await exited;

    const collector = new DeliveryCollector();
    const consumer = await broker.consume([name], { prefetch: 10, onMessage: collector.onMessage });
    const deliveries = await waitFor(() => collector.deliveries.length >= 3 && collector.deliveries, 15_000, 'redelivery');
    expect(deliveries.map((d) => String(d.message.headers['id'])).sort()).toEqual(['k-1', 'k-2', 'k-3']);
    expect(deliveries.every((d) => d.redelivered)).toBe(true);
    for (const delivery of deliveries) await delivery.ack();
    await consumer.cancel();
  });
});
