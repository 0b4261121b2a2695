/**
 * Issue 12 fuzz test, on Redis and on RabbitMQ: malformed messages of more than 30 kinds
 * (`test/fixtures/hardening/fuzz-kinds.ts`: broken envelopes and bodies, refused serializers,
 * bad headers, deep nesting, compression bombs, prototype keys, a poison callback, …) interleaved
 * with valid tasks. Asserts: every valid task completes exactly once; every malformed message is
 * dead-lettered with its reason or failed; none loops (executions bounded by the poison cap, no
 * message left in the queue); none is lost; the worker never dies and keeps serving;
 * `Object.prototype` is untouched. Prints the figures. Results: test Redis DB 13 (flushed).
 */
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Celeriac } from '../../src/app.js';
import type { Broker, DeadLetter } from '../../src/broker/broker.js';
import type { Logger } from '../../src/logger.js';
import type { Worker } from '../../src/worker/worker.js';
import { AMQP_ONLY_KINDS, envelopeOf, redisOnlyKinds, SHARED_KINDS, type FuzzKind, type FuzzMessage } from '../fixtures/hardening/fuzz-kinds.js';
import { AMQP_TEST_URL, deleteTestQueues, holdRabbitMqShared, requireRabbitMq, testQueueName } from '../helpers/amqp.js';
import { waitFor } from '../helpers/crash.js';
import { ExecutionCounter, flushHardeningDb, HARDENING_DBS, hardeningRedis, hardeningRedisUrl } from '../helpers/hardening.js';
import { requireRedis } from '../helpers/redis.js';

const DB = HARDENING_DBS.fuzz;
const PER_KIND = 4;
const VALID = 300;
const CAP = 3;
const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

interface Sent {
  kind: FuzzKind<unknown>;
  marker: string;
  id: string | undefined;
}

interface Transport {
  name: string;
  url: () => string;
  amqp: boolean;
  /** Opens a raw sender; `send` returns the id of the message when it has one. */
  open(queue: string): Promise<{ kinds: ReadonlyArray<FuzzKind<unknown>>; send: (kind: FuzzKind<unknown>, marker: string) => Promise<string | undefined>; close: () => Promise<void> }>;
}

const redisTransport: Transport = {
  name: 'Redis',
  url: () => hardeningRedisUrl(DB),
  amqp: false,
  open: async (queue) => {
    const client = hardeningRedis(DB);
    const only = redisOnlyKinds(queue);
    return {
      kinds: [...SHARED_KINDS, ...only],
      send: async (kind, marker) => {
        const made = kind.make(marker) as FuzzMessage | string;
        if (typeof made === 'string') {
          await client.lpush(queue, made);
          return undefined;
        }
        await client.lpush(queue, envelopeOf(queue, made));
        return made.id;
      },
      close: async () => client.disconnect(),
    };
  },
};

const amqpTransport: Transport = {
  name: 'RabbitMQ',
  url: () => AMQP_TEST_URL,
  amqp: true,
  open: async (queue) => {
    const connection = await amqp.connect(AMQP_TEST_URL);
    const channel = await connection.createConfirmChannel();
    return {
      kinds: [...SHARED_KINDS, ...AMQP_ONLY_KINDS],
      send: async (kind, marker) => {
        const made = kind.make(marker) as FuzzMessage;
        channel.sendToQueue(queue, made.body, {
          headers: made.headers,
          deliveryMode: 2,
          ...(made.contentType !== null ? { contentType: made.contentType, contentEncoding: made.contentType === 'application/json' ? 'utf-8' : 'binary' } : {}),
        });
        return made.id;
      },
      close: async () => {
        await channel.waitForConfirms();
        await connection.close();
      },
    };
  },
};

/** The marker of a dead letter: in its headers or body (raw envelope), or in the base64 body. */
function markerIn(letter: DeadLetter, marker: string): boolean {
  if (letter.raw.includes(marker)) return true;
  try {
    const parsed = JSON.parse(letter.raw) as { body?: unknown };
    return typeof parsed.body === 'string' && Buffer.from(parsed.body, 'base64').toString('latin1').includes(marker);
  } catch {
    return false;
  }
}

const figures: string[] = [];

beforeAll(async () => {
  await requireRedis(DB);
  await flushHardeningDb(DB);
});

afterAll(async () => {
  await flushHardeningDb(DB);
  for (const line of figures) console.log(line);
});

describe.each([redisTransport, amqpTransport])('fuzz: malformed messages among valid tasks on $name', (transport) => {
  const queue = testQueueName('fuzz');
  const counter = new ExecutionCounter();
  let app: Celeriac;
  let worker: Worker;
  let release: () => void = () => undefined;
  const fatal: unknown[] = [];
  const onFatal = (error: unknown): void => void fatal.push(error);

  beforeAll(async () => {
    if (transport.amqp) {
      await requireRabbitMq();
      release = await holdRabbitMqShared();
    }
    process.on('uncaughtException', onFatal);
    process.on('unhandledRejection', onFatal);
    app = new Celeriac({ broker: transport.url(), backend: hardeningRedisUrl(DB), logger: silent, defaultQueue: queue, resultExpires: 600 });
    app.task('fuzz.ok', (value: unknown) => {
      counter.hit(String(value));
      return value;
    });
    worker = await app.worker({ queues: [queue], concurrency: 16, maxBodyBytes: 4_096, maxHandlingFailures: CAP, handleSignals: false, remoteControl: false }).start();
  }, 30_000);

  afterAll(async () => {
    process.off('uncaughtException', onFatal);
    process.off('unhandledRejection', onFatal);
    await worker?.stop({ timeoutMs: 5_000 }).catch(() => undefined);
    await app?.close().catch(() => undefined);
    if (transport.amqp) await deleteTestQueues([queue]).finally(release);
  }, 30_000);

  it('dead-letters or fails every malformed message, completes every valid task once, never dies or loops', async () => {
    const sender = await transport.open(queue);
    const { kinds } = sender;
    expect(kinds.length).toBeGreaterThanOrEqual(30);
    const sent: Sent[] = [];
    const valid: Array<Promise<{ id: string; n: number }>> = [];
    const total = kinds.length * PER_KIND;
    try {
      for (let i = 0; i < Math.max(VALID, total); i++) {
        if (i < VALID) valid.push(app.sendTask('fuzz.ok', [i], {}, { queue }).then((result) => ({ id: result.id, n: i })));
        if (i < total) {
          const kind = kinds[i % kinds.length]!;
          const marker = `fuzzmark-${kind.name}-${i}`;
          sent.push({ kind, marker, id: await sender.send(kind, marker) });
        }
      }
    } finally {
      await sender.close();
    }
    const validSent = await Promise.all(valid);
    const values = await Promise.all(validSent.map(({ id }) => app.asyncResult(id).get({ timeout: 60_000 })));
    expect(values).toEqual(validSent.map(({ n }) => n));

    const { broker, backend } = (await app.connect()) as { broker: Broker; backend: import('../../src/backend/backend.js').ResultBackend };
    const settled = async () => {
      const letters = await broker.deadLetters(queue);
      const outcome = await Promise.all(
        sent.map(async (message) => {
          const letter = letters.find((candidate) => markerIn(candidate, message.marker));
          const meta = message.id ? await backend.getMeta(message.id) : undefined;
          return { message, letter, failed: meta?.status === 'FAILURE', succeeded: meta?.status === 'SUCCESS' };
        }),
      );
      return outcome;
    };
    const outcome = await waitFor(async () => {
      const now = await settled();
      return now.every((entry) => entry.letter || entry.failed) && now;
    }, 60_000, 'every malformed message dead-lettered or failed').catch(async () => settled());

    const deadLettered = outcome.filter((entry) => entry.letter).length;
    const failed = outcome.filter((entry) => !entry.letter && entry.failed).length;
    const lost = outcome.filter((entry) => !entry.letter && !entry.failed).length;
    const looped = sent.filter((message) => counter.get(message.marker) > CAP).length + (await broker.queueLength(queue));
    const exits = fatal.length + (worker.state === 'running' ? 0 : 1);
    figures.push(
      `[fuzz figures] ${transport.name}: kinds ${kinds.length}, tried ${sent.length + validSent.length} (${sent.length} malformed, ${validSent.length} valid), ` +
        `dead-lettered ${deadLettered}, failed ${failed}, looped ${looped}, lost ${lost}, worker exits ${exits}, ` +
        `valid completed ${values.length} (max executions of one valid task ${Math.max(...validSent.map(({ n }) => counter.get(String(n))))}), ` +
        `max executions of one malformed message ${Math.max(0, ...sent.map((message) => counter.get(message.marker)))}`,
    );

    for (const entry of outcome) {
      const what = `${entry.message.kind.name} (${entry.message.marker})`;
      expect(entry.letter || entry.failed, `${what} was neither dead-lettered nor failed`).toBeTruthy();
      expect(entry.succeeded, `${what} succeeded`).toBe(false);
      if (entry.message.kind.expect === 'dead') expect(entry.letter?.reason, what).toContain(entry.message.kind.reason);
      if (entry.message.kind.expect === 'failed') expect(entry.failed, what).toBe(true);
    }
    for (const { n } of validSent) expect(counter.get(String(n))).toBe(1);
    expect(lost).toBe(0);
    expect(looped).toBe(0);
    expect(exits).toBe(0);
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(Object.prototype).not.toHaveProperty('id');
    expect(({} as { queue?: unknown }).queue).toBeUndefined();
    // Still serving.
    expect(await app.sendTask('fuzz.ok', ['after'], {}, { queue }).then((result) => result.get({ timeout: 10_000 }))).toBe('after');
  }, 180_000);
});
