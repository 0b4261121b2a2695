/**
 * Helpers for the RabbitMQ tests: a loud service check, test queue names (`celeriac_test_amqp_*`),
 * cleanup, the captured Celery AMQP vector, and an AMQP field-table tag walker.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import amqp, { type Channel } from 'amqplib';
import { randomUUID } from 'node:crypto';
import type { Delivery, WireMessage } from '../../src/broker/broker.js';
import { deadQueueName, delayQueueName } from '../../src/broker/amqp/names.js';
import { MAX_DELAY_BUCKET_MS, MIN_DELAY_BUCKET_MS } from '../../src/broker/amqp/delay.js';
import { loadVector } from '../fixtures/vectors.js';

/** The RabbitMQ the tests use. */
export const AMQP_TEST_URL = process.env['CELERIAC_TEST_AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672//';
/** Every queue and exchange a test creates starts with this. */
export const AMQP_TEST_PREFIX = 'celeriac_test_amqp_';

/** Throws (never skips) when RabbitMQ is not reachable, saying how to start it. */
export async function requireRabbitMq(): Promise<void> {
  try {
    const connection = await amqp.connect(AMQP_TEST_URL, { timeout: 3_000 });
    await connection.close();
  } catch (error) {
    throw new Error(
      `RabbitMQ is not reachable at ${AMQP_TEST_URL} (${(error as Error).message}). ` +
        'Start it with `rabbitmq-server -detached` (or `systemctl start rabbitmq-server`), ' +
        'or point CELERIAC_TEST_AMQP_URL at a running broker.',
    );
  }
}

/** A fresh test queue name. */
export function testQueueName(label: string): string {
  return `${AMQP_TEST_PREFIX}${label}_${randomUUID().slice(0, 8)}`;
}

/** Runs `operation` on a raw amqplib channel of its own (for assertions outside the broker). */
export async function withRawChannel<T>(operation: (channel: Channel) => Promise<T>): Promise<T> {
  const connection = await amqp.connect(AMQP_TEST_URL);
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    return await operation(channel);
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** Deletes test queues with their exchange, dead-letter queue and every delay queue. */
export async function deleteTestQueues(queues: readonly string[]): Promise<void> {
  for (const queue of queues) {
    if (!queue.startsWith(AMQP_TEST_PREFIX)) throw new Error(`refusing to delete non-test queue ${queue}`);
  }
  await withRawChannel(async (channel) => {
    for (const queue of queues) {
      await channel.deleteQueue(queue);
      await channel.deleteExchange(queue);
      await channel.deleteQueue(deadQueueName(queue));
      for (let bucket = MIN_DELAY_BUCKET_MS; bucket <= MAX_DELAY_BUCKET_MS; bucket *= 2) {
        await channel.deleteQueue(delayQueueName(queue, bucket));
      }
    }
  });
}

/** Polls until `check` returns a value other than `undefined`/`false`, or throws after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resume) => setTimeout(resume, 20));
  }
}

/** One message of the captured Celery → RabbitMQ vector. */
export interface AmqpVectorMessage {
  properties: Record<string, unknown> & { application_headers: Record<string, unknown>; content_type: string; content_encoding: string };
  body: { text?: string; base64?: string };
  application_headers_amqp_type_tags: Record<string, string>;
  python_types_of_application_headers: Record<string, string>;
}

/** The captured vector `amqp_rabbitmq_messages.json` (Celery 5.2.6 → RabbitMQ → py-amqp). */
export interface AmqpVector {
  queue_declaration_by_celery: { queue: string; durable: boolean; auto_delete: boolean; exclusive: boolean; queue_arguments: unknown; exchange: string; exchange_type: string; exchange_durable: boolean; routing_key: string };
  messages_in_queue_order: AmqpVectorMessage[];
}

/** Loads the AMQP vector (`test/fixtures/celery-5.2.6/amqp_rabbitmq_messages.json`). */
export function loadAmqpVector(): AmqpVector {
  return loadVector<AmqpVector>('amqp_rabbitmq_messages.json');
}

/** The vector message as a {@link WireMessage} (what a TS producer would hand the broker). */
export function wireMessageFromVector(entry: AmqpVectorMessage): WireMessage {
  const { application_headers: headers, content_type, content_encoding, ...properties } = entry.properties;
  const body = entry.body.text !== undefined ? Buffer.from(entry.body.text, 'utf8') : Buffer.from(entry.body.base64 ?? '', 'base64');
  return { body: new Uint8Array(body), contentType: content_type, contentEncoding: content_encoding, headers: { ...headers }, properties };
}

/** amqplib's own field-table encoder (internal module, loaded by path for the tag test). */
export function amqplibEncodeTable(table: Record<string, unknown>): Buffer {
  const require = createRequire(import.meta.url);
  const codec = require(join(dirname(require.resolve('amqplib')), 'lib', 'codec.js')) as {
    encodeTable(buffer: Buffer, value: unknown, offset: number): number;
  };
  const buffer = Buffer.alloc(65_536);
  const size = codec.encodeTable(buffer, table, 0);
  return buffer.subarray(0, size);
}

const FIXED_SIZES: Record<string, number> = { t: 1, b: 1, B: 1, s: 2, u: 2, U: 2, I: 4, i: 4, L: 8, l: 8, f: 4, d: 8, D: 5, T: 8, V: 0 };

/**
 * The type tag of every entry of an encoded field table (length-prefixed), in the vector's notation:
 * `S`, `I`, `V`, `t`, …, arrays as `A[I,I]`, nested tables as `F`.
 */
export function fieldTableTags(encoded: Buffer): Record<string, string> {
  const tags: Record<string, string> = {};
  const end = 4 + encoded.readUInt32BE(0);
  let offset = 4;
  const skip = (at: number): { next: number; tag: string } => {
    const tag = String.fromCharCode(encoded[at] ?? 0);
    const start = at + 1;
    if ('SxAF'.includes(tag)) {
      const length = encoded.readUInt32BE(start);
      if (tag !== 'A') return { next: start + 4 + length, tag };
      const inner: string[] = [];
      let cursor = start + 4;
      while (cursor < start + 4 + length) {
        const item = skip(cursor);
        inner.push(item.tag);
        cursor = item.next;
      }
      return { next: start + 4 + length, tag: `A[${inner.join(',')}]` };
    }
    const size = FIXED_SIZES[tag];
    if (size === undefined) throw new Error(`unknown field type tag ${tag}`);
    return { next: start + size, tag };
  };
  while (offset < end) {
    const keyLength = encoded[offset] ?? 0;
    const key = encoded.toString('utf8', offset + 1, offset + 1 + keyLength);
    const { next, tag } = skip(offset + 1 + keyLength);
    tags[key] = tag;
    offset = next;
  }
  return tags;
}

/** Collects deliveries handed to a consumer. */
export class DeliveryCollector {
  readonly deliveries: Delivery[] = [];
  readonly onMessage = (delivery: Delivery): void => {
    this.deliveries.push(delivery);
  };

  /** Waits until at least `count` deliveries arrived; returns them. */
  async atLeast(count: number, timeoutMs = 10_000): Promise<Delivery[]> {
    await waitFor(() => this.deliveries.length >= count, timeoutMs, `${count} deliveries (got ${this.deliveries.length})`);
    return this.deliveries;
  }
}

/** A simple JSON task-like message. */
export function jsonMessage(id: string, headers: Record<string, unknown> = {}): WireMessage {
  return {
    body: new Uint8Array(Buffer.from(JSON.stringify([[1, 2], {}, { callbacks: null, errbacks: null, chain: null, chord: null }]))),
    contentType: 'application/json',
    contentEncoding: 'utf-8',
    headers: { lang: 'py', task: 'tests.add', id, retries: 0, timelimit: [null, null], ...headers },
    properties: { correlation_id: id, reply_to: 'reply-here', delivery_mode: 2 },
  };
}

/*
 * A cross-process readers/writer lock so that the test that stops RabbitMQ (`rabbitmqctl stop_app`)
 * never runs while another celeriac AMQP test file talks to it (vitest runs files in parallel).
 */
const LOCK_DIR = join(tmpdir(), 'celeriac_test_amqp_locks');
const EXCLUSIVE = join(LOCK_DIR, 'exclusive.lock');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function exclusiveHeld(): boolean {
  try {
    const pid = Number(readFileSync(EXCLUSIVE, 'utf8'));
    if (pid && alive(pid)) return true;
    rmSync(EXCLUSIVE, { force: true }); // left behind by a dead process
    return false;
  } catch {
    return false;
  }
}

function sharedHolders(): number {
  let count = 0;
  for (const name of readdirSync(LOCK_DIR)) {
    const pid = Number(/^shared-(\d+)-/.exec(name)?.[1]);
    if (!pid) continue;
    if (alive(pid)) count += 1;
    else rmSync(join(LOCK_DIR, name), { force: true });
  }
  return count;
}

const sleep = (ms: number): Promise<void> => new Promise((resume) => setTimeout(resume, ms));

/** Shared hold on RabbitMQ for a test file (release in afterAll). Waits while RabbitMQ is being stopped. */
export async function holdRabbitMqShared(): Promise<() => void> {
  mkdirSync(LOCK_DIR, { recursive: true });
  const mine = join(LOCK_DIR, `shared-${process.pid}-${randomUUID()}`);
  for (;;) {
    if (!exclusiveHeld()) {
      writeFileSync(mine, '');
      if (!exclusiveHeld()) return () => rmSync(mine, { force: true });
      rmSync(mine, { force: true });
    }
    await sleep(50);
  }
}

/** Exclusive hold (for stop_app/start_app): waits until no other celeriac AMQP test file runs. */
export async function holdRabbitMqExclusive(timeoutMs = 50_000): Promise<() => void> {
  mkdirSync(LOCK_DIR, { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      writeFileSync(EXCLUSIVE, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      if (Date.now() > deadline) throw new Error('Timed out waiting for the exclusive RabbitMQ test lock');
      exclusiveHeld();
      await sleep(50);
    }
  }
  const release = (): void => rmSync(EXCLUSIVE, { force: true });
  while (sharedHolders() > 0) {
    if (Date.now() > deadline) {
      release();
      throw new Error('Timed out waiting for other RabbitMQ test files to finish');
    }
    await sleep(50);
  }
  return release;
}
