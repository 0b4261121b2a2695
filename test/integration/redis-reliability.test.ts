/**
 * Redis failure behaviour: a SIGKILLed consumer's messages come back after the visibility timeout;
 * a deferred (ETA) message runs once and is never redelivered by the timeout; broker and backend
 * survive a redis-server restart without losing what was published or stored. Uses test DB 4 and
 * a private redis-server on a port the OS picked, started and stopped by PID.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisBackend } from '../../src/backend/redis.js';
import type { Delivery } from '../../src/broker/broker.js';
import { RedisBroker } from '../../src/broker/redis.js';
import { TransportError } from '../../src/errors.js';
import {
  flushTestDb,
  pause,
  rawRedis,
  redisTestUrl,
  requireRedis,
  startOwnRedisServer,
  testMessage,
  TEST_DBS,
  waitUntil,
  type OwnRedisServer,
} from '../helpers/redis.js';
import { freePort } from '../helpers/ports.js';

const db = TEST_DBS.reliability;
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const redis = rawRedis(db);
const closers: Array<() => Promise<void>> = [];
let ownServer: OwnRedisServer | undefined;

function track<T extends { close(): Promise<void> }>(handle: T): T {
  closers.push(() => handle.close());
  return handle;
}

beforeAll(async () => {
  await requireRedis(db);
  await flushTestDb(db);
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  await ownServer?.stop();
  ownServer = undefined;
  await flushTestDb(db);
});
afterAll(() => redis.disconnect());

describe('visibility timeout', () => {
  it('redelivers the messages of a consumer killed with SIGKILL, after the visibility timeout', async () => {
    const visibilityMs = 1_500;
    const broker = track(new RedisBroker({ url: redisTestUrl(db), visibilityTimeoutMs: visibilityMs }));
    await broker.publish({ queue: 'killed' }, testMessage('held-by-child'));

    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/redis-child-consumer.ts', redisTestUrl(db), 'killed', String(visibilityMs)], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitUntil(
        () => {
          if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the child consumer exited early: ${output}`);
          return output.includes('got held-by-child');
        },
        { timeoutMs: 30_000, what: 'the child consumer to receive the message' },
      );
      expect(await redis.hlen('unacked')).toBe(1);
      expect(await redis.llen('killed')).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }

    const deliveries: Delivery[] = [];
    await broker.consume(['killed'], { prefetch: 5, onMessage: (delivery) => void deliveries.push(delivery) });
    await waitUntil(() => deliveries.length === 1, { timeoutMs: 15_000, what: 'the redelivery' });
    expect(deliveries[0]!.message.headers['id']).toBe('held-by-child');
    expect(deliveries[0]!.redelivered).toBe(true);
    await deliveries[0]!.ack();
    await pause(visibilityMs);
    expect(deliveries).toHaveLength(1);
    expect(await redis.hlen('unacked')).toBe(0);
  }, 60_000);

  it('runs a deferred far-future ETA message once, never redelivered by the visibility timeout', async () => {
    const visibilityMs = 600;
    const broker = track(new RedisBroker({ url: redisTestUrl(db), visibilityTimeoutMs: visibilityMs }));
    const sweeper = track(new RedisBroker({ url: redisTestUrl(db), visibilityTimeoutMs: visibilityMs }));
    await broker.publish({ queue: 'eta' }, testMessage('eta-task'));
    const deliveries: Delivery[] = [];
    await broker.consume(['eta'], { prefetch: 5, onMessage: (delivery) => void deliveries.push(delivery) });
    await waitUntil(() => deliveries.length === 1, { what: 'the first delivery' });
    const deliverAt = Date.now() + 4 * visibilityMs;
    await deliveries[0]!.defer(deliverAt);
    while (Date.now() < deliverAt - 300) {
      await pause(250);
      expect(await sweeper.restoreExpired()).toBe(0);
      const countBeforeDue = deliveries.length;
      if (Date.now() < deliverAt) expect(countBeforeDue).toBe(1);
    }
    await waitUntil(() => deliveries.length === 2, { what: 'the due delivery' });
    expect(Date.now()).toBeGreaterThanOrEqual(deliverAt);
    expect(deliveries[1]!.redelivered).toBe(false);
    await deliveries[1]!.ack();
    await pause(2 * visibilityMs);
    expect(await sweeper.restoreExpired()).toBe(0);
    expect(deliveries).toHaveLength(2);
  });
});

describe('redis-server restart', () => {
  it('keeps publishing and consuming across a restart; no published message is lost', async () => {
    ownServer = await startOwnRedisServer();
    const { port } = ownServer;
    const url = redisTestUrl(db, port);
    const producer = track(new RedisBroker({ url, operationTimeoutMs: 20_000 }));
    const consumer = track(new RedisBroker({ url, operationTimeoutMs: 20_000 }));
    const received = new Set<string>();
    await consumer.consume(['restart'], {
      prefetch: 20,
      onMessage: (delivery) => {
        received.add(String(delivery.message.headers['id']));
        delivery.ack().catch(() => undefined);
      },
    });
    for (let i = 0; i < 10; i += 1) await producer.publish({ queue: 'restart' }, testMessage(`before-${i}`));
    await waitUntil(() => received.size === 10, { what: 'messages published before the restart' });

    await ownServer.stop();
    const publishing = Array.from({ length: 10 }, (_, i) => producer.publish({ queue: 'restart' }, testMessage(`during-${i}`)));
    await pause(300);
    ownServer = await startOwnRedisServer(port);
    await Promise.all(publishing);
    for (let i = 0; i < 10; i += 1) await producer.publish({ queue: 'restart' }, testMessage(`after-${i}`));

    await waitUntil(() => received.size === 30, { timeoutMs: 20_000, what: `all 30 messages (got ${received.size})` });
    for (const phase of ['before', 'during', 'after']) {
      for (let i = 0; i < 10; i += 1) expect(received.has(`${phase}-${i}`)).toBe(true);
    }
  });

  it('stores results written while Redis is down and wakes a waiter subscribed across the restart', async () => {
    ownServer = await startOwnRedisServer();
    const { port } = ownServer;
    const url = redisTestUrl(db, port);
    const reader = track(new RedisBackend({ url, operationTimeoutMs: 20_000 }));
    const writer = track(new RedisBackend({ url, operationTimeoutMs: 20_000 }));
    const id = 'task-across-restart';
    const waiting = reader.waitFor(id, { timeoutMs: 20_000 });
    await pause(100);

    await ownServer.stop();
    const storing = writer.storeMeta({ status: 'SUCCESS', result: 99, traceback: null, children: [], date_done: '2026-11-22T12:00:00.000001', task_id: id });
    await pause(300);
    ownServer = await startOwnRedisServer(port);

    expect(await storing).toBe(true);
    expect((await waiting)?.result).toBe(99);
    expect((await reader.getMeta(id))?.status).toBe('SUCCESS');
  });

  it('waitFor rejects with a TransportError once Redis stayed unreachable past operationTimeoutMs', async () => {
    const backend = track(new RedisBackend({ url: redisTestUrl(db, await freePort()), operationTimeoutMs: 300 }));
    const started = Date.now();
    await expect(backend.waitFor('never', { timeoutMs: 20_000 })).rejects.toBeInstanceOf(TransportError);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('publish throws a TransportError once Redis stayed unreachable past operationTimeoutMs', async () => {
    const broker = track(new RedisBroker({ url: redisTestUrl(db, await freePort()), operationTimeoutMs: 300 }));
    await expect(broker.publish({ queue: 'nowhere' }, testMessage('lost'))).rejects.toBeInstanceOf(TransportError);
  });
});
