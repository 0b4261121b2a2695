/**
 * Bad input at volume, on Redis and on RabbitMQ: 1,000 malformed messages (10 kinds × 100: broken
 * envelopes, bad base64, broken JSON/msgpack, missing `task`/`id` headers, unknown task names,
 * unsupported content types, bodies over `maxBodyBytes`, …) mixed with 1,000 valid tasks. Every
 * valid task completes, every bad message is in the broker's dead letters with a reason naming its
 * kind, each was logged, and the worker still serves afterwards.
 * Redis DB 15 only (flushed before and after); RabbitMQ queues `celeriac_test_amqp_*`.
 */
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Celeriac } from '../../src/app.js';
import type { Broker } from '../../src/broker/broker.js';
import type { Logger } from '../../src/logger.js';
import type { Worker } from '../../src/worker/worker.js';
import { amqpKinds, redisKinds, type BadKind, type RawTaskMessage } from '../fixtures/crash/bad-messages.js';
import { deleteTestQueues, holdRabbitMqShared, requireRabbitMq, testQueueName } from '../helpers/amqp.js';
import { AMQP_URL, FAILURE_DBS, atMost, flushOwnDb, rawRedis, redisUrl, requireRedis, waitFor } from '../helpers/crash.js';

const DB = FAILURE_DBS.badInput;
const PER_KIND = 100;
const VALID = 1_000;
const MAX_BODY_BYTES = 4_096;

beforeAll(async () => {
  await requireRedis();
  await flushOwnDb(DB);
});

afterAll(async () => {
  await flushOwnDb(DB);
});

/** Pushes the bad messages raw onto the queue (interleaved with the valid ones by the caller). */
type BadSender = (queue: string, kindIndex: number, index: number) => Promise<void>;

interface Transport {
  name: string;
  url: () => string;
  kinds: (queue: string) => ReadonlyArray<BadKind<unknown>>;
  open: (queue: string) => Promise<{ send: BadSender; close: () => Promise<void> }>;
  amqp: boolean;
}

const redisTransport: Transport = {
  name: 'Redis',
  url: () => redisUrl(DB),
  kinds: (queue) => redisKinds(queue),
  amqp: false,
  open: async (queue) => {
    const client = rawRedis(DB);
    const kinds = redisKinds(queue);
    return {
      send: async (_queue, kindIndex, index) => void (await client.lpush(queue, kinds[kindIndex]!.make(index))),
      close: async () => client.disconnect(),
    };
  },
};

const amqpTransport: Transport = {
  name: 'RabbitMQ',
  url: () => AMQP_URL,
  kinds: () => amqpKinds(),
  amqp: true,
  open: async () => {
    const connection = await amqp.connect(AMQP_URL);
    const channel = await connection.createConfirmChannel();
    const kinds = amqpKinds();
    return {
      send: async (queue, kindIndex, index) => {
        const raw = kinds[kindIndex]!.make(index);
        channel.sendToQueue(queue, raw.body, {
          headers: raw.headers,
          deliveryMode: 2,
          ...(raw.contentType !== null ? { contentType: raw.contentType, contentEncoding: 'utf-8' } : {}),
        });
      },
      close: async () => {
        await channel.waitForConfirms();
        await channel.close();
        await connection.close();
      },
    };
  },
};

function countingLogger(): Logger & { errors: () => number } {
  let errors = 0;
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: () => void (errors += 1),
    errors: () => errors,
  };
}

describe.each([redisTransport, amqpTransport])('1,000 malformed among 1,000 valid messages on $name', (transport) => {
  const queue = testQueueName('bad');
  const logger = countingLogger();
  let app: Celeriac;
  let worker: Worker;
  let release: () => void = () => undefined;

  beforeAll(async () => {
    if (transport.amqp) {
      await requireRabbitMq();
      release = await holdRabbitMqShared();
    }
    app = new Celeriac({ broker: transport.url(), backend: redisUrl(DB), logger, defaultQueue: queue, resultExpires: 600 });
    app.task('bad.ok', (value: number) => value * 2);
    worker = await app.worker({ queues: [queue], concurrency: 32, maxBodyBytes: MAX_BODY_BYTES, handleSignals: false, remoteControl: false }).start();
  }, 30_000);

  afterAll(async () => {
    await atMost(worker?.stop({ timeoutMs: 5_000 }), 10_000);
    await atMost(app?.close(), 5_000);
    if (transport.amqp) await deleteTestQueues([queue]).finally(release);
  }, 30_000);

  it('completes every valid task, dead-letters every bad one with its reason, and keeps serving', async () => {
    const kinds = transport.kinds(queue);
    expect(kinds.length * PER_KIND).toBe(1_000);
    const bad = await transport.open(queue);
    const sent: Array<Promise<{ id: string; value: number }>> = [];
    try {
      for (let index = 0; index < VALID; index++) {
        const kindIndex = index % kinds.length;
        sent.push(app.sendTask('bad.ok', [index], {}, { queue }).then((result) => ({ id: result.id, value: index * 2 })));
        await bad.send(queue, kindIndex, index);
      }
    } finally {
      await bad.close();
    }
    const valid = await Promise.all(sent);

    const results = await Promise.all(valid.map(({ id }) => app.asyncResult<number>(id).get({ timeout: 60_000 })));
    expect(results).toEqual(valid.map(({ value }) => value));

    const { broker } = (await app.connect()) as { broker: Broker };
    const dead = await waitFor(async () => {
      const letters = await broker.deadLetters(queue);
      return letters.length >= 1_000 && letters;
    }, 30_000, '1,000 dead letters');
    expect(dead).toHaveLength(1_000);
    expect(await broker.deadLetters(queue)).toHaveLength(1_000); // reading leaves them in place
    const expected = new Map<string, number>();
    for (const kind of kinds) expected.set(kind.reason, (expected.get(kind.reason) ?? 0) + PER_KIND);
    const seen = new Map<string, number>();
    for (const letter of dead) {
      const kind = [...expected.keys()].find((reason) => letter.reason.includes(reason));
      if (!kind) throw new Error(`dead letter with an unexpected reason: ${letter.reason}`);
      seen.set(kind, (seen.get(kind) ?? 0) + 1);
    }
    expect(Object.fromEntries(seen)).toEqual(Object.fromEntries(expected));
    expect(logger.errors()).toBeGreaterThanOrEqual(1_000);

    expect(worker.state).toBe('running');
    const after = await app.sendTask('bad.ok', [21], {}, { queue });
    expect(await after.get({ timeout: 10_000 })).toBe(42);
    expect(await broker.queueLength(queue)).toBe(0);
  }, 120_000);
});
