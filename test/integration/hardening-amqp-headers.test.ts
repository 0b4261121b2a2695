/**
 * Issue 12 item 1: headers nested thousands deep on RabbitMQ. At 4,000 levels the header decoder
 * overflowed the stack outside any try (the worker died, and every restarted worker with it); at
 * 10,000 amqplib's own parser overflowed and the connection reconnected forever. Now both are
 * dead-lettered with the reason, the worker keeps serving, and the connection never drops.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Celeriac } from '../../src/app.js';
import type { Broker } from '../../src/broker/broker.js';
import { guardContentHeaderPayload, scanFieldTable } from '../../src/broker/amqp/header-guard.js';
import { decodeHeaders } from '../../src/broker/amqp/field-table.js';
import { MessageDecodeError } from '../../src/errors.js';
import type { Worker } from '../../src/worker/worker.js';
import { AMQP_TEST_URL, deleteTestQueues, holdRabbitMqShared, requireRabbitMq, testQueueName, waitFor } from '../helpers/amqp.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'hardening', 'publish-deep.cjs');

/** A field table `{deep: [[[…]]]}` nested `depth` arrays deep, written without recursion. */
function deepTable(depth: number): Buffer {
  const key = Buffer.from('deep');
  const inner = Buffer.from([0x74, 1]); // 't' true
  let size = inner.length;
  for (let i = 0; i < depth; i++) size += 5;
  const out = Buffer.alloc(1 + key.length + size);
  out[0] = key.length;
  key.copy(out, 1);
  let at = 1 + key.length;
  for (let i = 0; i < depth; i++) {
    out[at] = 0x41; // 'A'
    out.writeUInt32BE(size - 5 * (i + 1), at + 1);
    at += 5;
  }
  inner.copy(out, at);
  return out;
}

function publishDeep(queue: string, depth: number, id: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--stack-size=60000', FIXTURE, AMQP_TEST_URL, queue, String(depth), id], { timeout: 30_000 }, (error, stdout, stderr) =>
      error || !stdout.includes('SENT') ? reject(new Error(`publish-deep failed: ${error?.message ?? ''}\n${stderr}`)) : resolve(),
    );
  });
}

describe('header depth guard (no network)', () => {
  it('scans 100,000 levels without recursion and calls them too deep', () => {
    const table = deepTable(100_000);
    expect(scanFieldTable(table, 0, table.length, 64)).toBe('too-deep');
    const shallow = deepTable(64);
    expect(scanFieldTable(shallow, 0, shallow.length, 64)).toBe('ok');
    expect(scanFieldTable(deepTable(65), 0, deepTable(65).length, 64)).toBe('too-deep');
  });

  it('calls an unknown tag or a value running past its table malformed', () => {
    const table = Buffer.from([1, 0x61, 0x3f]); // key 'a', tag '?'
    expect(scanFieldTable(table, 0, table.length, 64)).toBe('malformed');
    const truncated = Buffer.from([1, 0x61, 0x53, 0, 0, 0, 9, 0x61]); // 'S' of 9 bytes, 1 present
    expect(scanFieldTable(truncated, 0, truncated.length, 64)).toBe('malformed');
  });

  it('replaces an unreadable headers table by the marker and keeps the other properties', () => {
    const table = deepTable(500);
    const head = Buffer.alloc(14);
    head.writeUInt16BE(0x2000 | 0x1000, 12); // headers + delivery-mode
    const length = Buffer.alloc(4);
    length.writeUInt32BE(table.length);
    const payload = Buffer.concat([head, length, table, Buffer.from([2])]);
    const guarded = guardContentHeaderPayload(payload, 64);
    expect(guarded).not.toBe(payload);
    const size = guarded.readUInt32BE(14);
    expect(guarded.subarray(18, 18 + size).toString()).toContain('nested deeper than 64 levels');
    expect(guarded[guarded.length - 1]).toBe(2); // delivery mode kept
  });

  it('decodeHeaders refuses nesting past the bound with a typed error', () => {
    let value: unknown = 1;
    for (let i = 0; i < 5_000; i++) value = [value];
    expect(() => decodeHeaders({ deep: value })).toThrow(MessageDecodeError);
  });
});

describe('deep headers on RabbitMQ', () => {
  const queue = testQueueName('deep');
  let app: Celeriac;
  let worker: Worker;
  let release: () => void = () => undefined;
  const events: string[] = [];

  beforeAll(async () => {
    await requireRabbitMq();
    release = await holdRabbitMqShared();
    app = new Celeriac({ broker: AMQP_TEST_URL, backend: `memory://${randomUUID()}`, defaultQueue: queue, logLevel: 'silent', brokerOptions: { onEvent: (event: { type: string }) => events.push(event.type) } });
    app.task('hardening.echo', (value: number) => value);
    worker = await app.worker({ queues: [queue], concurrency: 4, handleSignals: false, remoteControl: false }).start();
  }, 30_000);

  afterAll(async () => {
    await worker?.stop({ timeoutMs: 5_000 }).catch(() => undefined);
    await app?.close().catch(() => undefined);
    await deleteTestQueues([queue]).finally(release);
  }, 30_000);

  it('dead-letters headers nested 4,000 and 10,000 deep with the reason; the worker keeps serving', async () => {
    await publishDeep(queue, 4_000, 'deep-4000');
    await publishDeep(queue, 10_000, 'deep-10000');
    const { broker } = (await app.connect()) as { broker: Broker };
    const dead = await waitFor(async () => {
      const letters = await broker.deadLetters(queue);
      return letters.length >= 2 && letters;
    }, 20_000, 'two dead letters');
    expect(dead).toHaveLength(2);
    for (const letter of dead) expect(letter.reason).toMatch(/bad-headers: headers nested deeper than 64 levels/);
    const results = await Promise.all([1, 2, 3].map((n) => app.sendTask('hardening.echo', [n]).then((result) => result.get({ timeout: 10_000 }))));
    expect(results).toEqual([1, 2, 3]);
    expect(events.filter((type) => type === 'disconnected')).toEqual([]);
  }, 60_000);

  it('replays dead letters onto the queue (dead-lettered again here) and purges them', async () => {
    const { broker } = (await app.connect()) as { broker: Broker };
    expect(await broker.replayDeadLetters(queue)).toBe(2);
    const again = await waitFor(async () => {
      const letters = await broker.deadLetters(queue);
      return letters.length >= 2 && letters;
    }, 20_000, 'the replayed letters dead-lettered again');
    // Their unreadable headers were dropped when they were dead-lettered: now they lack `task`.
    for (const letter of again) expect(letter.reason).toMatch(/missing-header/);
    expect(await broker.purgeDeadLetters(queue)).toBe(2);
    expect(await broker.deadLetters(queue)).toEqual([]);
  }, 60_000);
});
