/**
 * Redis broker hardening (issue 12).
 *
 * Item 3: on Redis, a message without a delivery tag (or with one already in flight) got
 * a fallback tag `<tag|celeriac>:<nonce>:<n>` with `n` restarting at 1 on every pop and a nonce per
 * consumer, written with HSET over another in-flight entry: two deliveries shared one `unacked`
 * entry, and after a crash one of them was lost for good. Now every in-flight message has its own
 * entry, whatever its tag, and all of them come back when the consumer goes away unsettled.
 *
 * Item 6: headers nested 6,000 deep made every JSON.stringify of the envelope overflow (a retry's
 * publish, the requeue, the visibility sweep): the message stayed in `unacked` for good. Headers
 * deeper than `maxHeaderDepth` (64) are now dead-lettered on arrival, and a requeue or sweep of
 * an envelope that cannot be written back moves it unmarked instead of throwing.
 *
 * Item 7: the dead-letter list had no cap and stored whole messages (98 MB after a fuzz run). It
 * now keeps the newest `deadLetterMaxCount` records, each cut to `deadLetterMaxBytes` (marked
 * truncated), and `celeriac dead list | show | replay | purge` works on it.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Delivery } from '../../src/broker/broker.js';
import { RedisBroker } from '../../src/broker/redis.js';
import { markRedelivered } from '../../src/broker/redis/envelope.js';
import { Celeriac } from '../../src/app.js';
import { kombuEnvelope, jsonBody } from '../fixtures/crash/bad-messages.js';
import { flushHardeningDb, HARDENING_DBS, hardeningRedis, hardeningRedisUrl } from '../helpers/hardening.js';
import { requireRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/crash.js';

const DB = HARDENING_DBS.tags;

function envelope(queue: string, tag: string | null): string {
  const parsed = JSON.parse(kombuEnvelope(queue, { body: jsonBody([1]), contentType: 'application/json', headers: { task: 't', id: randomUUID() } })) as {
    properties: Record<string, unknown>;
  };
  if (tag === null) delete parsed.properties['delivery_tag'];
  else parsed.properties['delivery_tag'] = tag;
  return JSON.stringify(parsed);
}

beforeAll(async () => {
  await requireRedis(DB);
  await flushHardeningDb(DB);
});

afterAll(async () => {
  await flushHardeningDb(DB);
});

describe('Redis fallback delivery tags', () => {
  it('gives every in-flight message its own unacked entry, across pops, and loses none on close', async () => {
    const queue = 'hardening_tags';
    const raw = hardeningRedis(DB);
    const broker = new RedisBroker({ url: hardeningRedisUrl(DB) });
    const held: Delivery[] = [];
    try {
      await broker.consume([queue], { prefetch: 20, onMessage: (delivery) => held.push(delivery) });
      // One message per pop: untagged ones, then two carrying the same tag, then one reusing a built tag.
      const entries = [envelope(queue, null), envelope(queue, null), envelope(queue, null), envelope(queue, 'dup'), envelope(queue, 'dup')];
      for (const [index, entry] of entries.entries()) {
        await raw.lpush(queue, entry);
        await waitFor(() => held.length === index + 1, 10_000, `delivery ${index + 1}`);
      }
      const unacked = await raw.hkeys('unacked');
      expect(unacked).toHaveLength(entries.length);
      expect(new Set(unacked).size).toBe(entries.length);
      await broker.close(); // unsettled deliveries go back to the queue
      expect(await raw.llen(queue)).toBe(entries.length);
      expect(await raw.hlen('unacked')).toBe(0);
    } finally {
      await broker.close().catch(() => undefined);
      raw.disconnect();
    }
  }, 30_000);
});

function deepEnvelope(queue: string, depth: number, id: string): string {
  let deep = '"bottom"';
  for (let i = 0; i < depth; i++) deep = `[${deep}]`;
  const text = kombuEnvelope(queue, { body: jsonBody([1]), contentType: 'application/json', headers: { task: 'deep.retry', id, deep: 'PLACEHOLDER' } });
  return text.replace('"PLACEHOLDER"', deep);
}

describe('Redis headers nested 6,000 deep', () => {
  it('markRedelivered never throws on an envelope it cannot write back', () => {
    const raw = deepEnvelope('q', 6_000, 'x');
    expect(markRedelivered(raw)).toBe(raw);
  });

  it('are dead-lettered with the reason, nothing stays unacked, and the worker keeps serving', async () => {
    const queue = 'hardening_deep';
    const raw = hardeningRedis(DB);
    const app = new Celeriac({ broker: hardeningRedisUrl(DB), backend: hardeningRedisUrl(DB), defaultQueue: queue, logLevel: 'silent' });
    let runs = 0;
    app.task('deep.retry', async (value: number) => {
      runs += 1;
      return value;
    });
    const worker = await app.worker({ queues: [queue], concurrency: 2, handleSignals: false, remoteControl: false }).start();
    try {
      await raw.lpush(queue, deepEnvelope(queue, 6_000, randomUUID()));
      const { broker } = await app.connect();
      const dead = await waitFor(async () => {
        const letters = await broker.deadLetters(queue);
        return letters.length >= 1 && letters;
      }, 10_000, 'the deep message dead-lettered');
      expect(dead[0]!.reason).toMatch(/headers-too-deep/);
      expect(await raw.hlen('unacked')).toBe(0);
      expect(runs).toBe(0);
      expect(await app.sendTask('deep.retry', [5]).then((result) => result.get({ timeout: 10_000 }))).toBe(5);
    } finally {
      await worker.stop({ timeoutMs: 5_000 });
      await app.close();
      raw.disconnect();
    }
  }, 30_000);
});

const cli = (...args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { timeout: 30_000 });

describe('Redis dead letters are bounded and can be handled with the CLI', () => {
  it('keeps the newest deadLetterMaxCount records, cuts large ones, and celeriac dead lists, shows, replays and purges', async () => {
    const queue = 'hardening_dead';
    const url = hardeningRedisUrl(DB);
    const raw = hardeningRedis(DB);
    const broker = new RedisBroker({ url, deadLetterMaxCount: 3, deadLetterMaxBytes: 1_024 });
    try {
      await broker.consume([queue], { prefetch: 10, onMessage: (delivery) => void delivery.reject({ requeue: false, reason: `rejected ${String(delivery.message.headers['n'])}` }) });
      for (let n = 0; n < 5; n++) {
        const body = n === 4 ? jsonBody(['x'.repeat(5_000)]) : jsonBody([n]);
        await raw.lpush(queue, kombuEnvelope(queue, { body, contentType: 'application/json', headers: { task: 't', id: randomUUID(), n } }));
      }
      const letters = await waitFor(async () => {
        const all = await broker.deadLetters(queue);
        return all.some((letter) => letter.reason === 'rejected 4') && all;
      }, 10_000, 'five dead letters');
      expect(letters.map((letter) => letter.reason)).toEqual(['rejected 2', 'rejected 3', 'rejected 4']);
      expect(letters.map((letter) => letter.truncated === true)).toEqual([false, false, true]);
      expect(Buffer.byteLength(letters[2]!.raw)).toBeLessThanOrEqual(1_024);
      await broker.close();

      const common = ['--broker', url, '--backend', url, '-Q', queue];
      const listed = await cli('dead', 'list', ...common);
      expect(listed.stdout).toContain('0\trejected 2\n');
      expect(listed.stdout).toContain('2\trejected 4\t[truncated]\n');
      expect(listed.stdout).toContain('3 dead letter(s)');
      const shown = JSON.parse((await cli('dead', 'show', '1', ...common)).stdout) as { reason: string; raw: string };
      expect(shown.reason).toBe('rejected 3');
      expect(JSON.parse(shown.raw)).toMatchObject({ headers: { n: 3 } });
      expect((await cli('dead', 'replay', ...common)).stdout).toContain('replayed 2 dead letter(s)');
      expect(await raw.llen(queue)).toBe(2); // the truncated one cannot be replayed and stays
      expect((await cli('dead', 'purge', ...common)).stdout).toContain('purged 1 dead letter(s)');
      expect(await raw.llen(`${queue}.celeriac.dead`)).toBe(0);
      await expect(cli('dead', 'show', '9', ...common)).rejects.toThrow(/no dead letter #9/);
    } finally {
      await broker.close().catch(() => undefined);
      raw.disconnect();
    }
  }, 60_000);
});
