/**
 * Redis result backend against a real Redis (test DB 3): Celery 5.2.6 formats from the captured
 * vectors (metas, saved groups, chord counters), PUBLISH on every write, chord interop and
 * idempotency, one shared subscriber for thousands of waiters, and pushed revocations.
 */
import { randomUUID } from 'node:crypto';
import { Packr } from 'msgpackr';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisBackend, type RedisBackendOptions } from '../../src/backend/redis.js';
import type { TaskMeta } from '../../src/protocol/result-meta.js';
import { loadVector, vectorFiles } from '../fixtures/vectors.js';
import { flushTestDb, pause, rawRedis, redisTestUrl, requireRedis, TEST_DBS, waitUntil } from '../helpers/redis.js';

const db = TEST_DBS.backend;
const redis = rawRedis(db);
const opened: RedisBackend[] = [];
const unpack = (bytes: Uint8Array) => new Packr({ useRecords: false, mapsAsObjects: true }).unpack(bytes) as unknown;

function open(options: RedisBackendOptions = {}): RedisBackend {
  const backend = new RedisBackend({ url: redisTestUrl(db), ...options });
  opened.push(backend);
  return backend;
}

beforeAll(async () => {
  await requireRedis(db);
  await flushTestDb(db);
});
afterEach(async () => {
  for (const backend of opened.splice(0)) await backend.close();
  await flushTestDb(db);
});
afterAll(() => redis.disconnect());

interface StoredVectorValue {
  type: string;
  ttl: number;
  value: unknown;
}

/** Every stored string value of `results_redis_<serializer>_*` vectors whose key starts with `keyPrefix`, raw bytes and decode. */
function capturedStrings(serializer: 'json' | 'msgpack', keyPrefix: string): Array<{ label: string; key: string; raw: Buffer; decoded: unknown }> {
  const found: Array<{ label: string; key: string; raw: Buffer; decoded: unknown }> = [];
  const visit = (node: unknown, path: string): void => {
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      const stored = value as StoredVectorValue | null;
      if (key.startsWith(keyPrefix) && stored?.type === 'string' && typeof stored.value === 'object' && stored.value !== null) {
        const { raw, raw_base64: rawBase64, decoded } = stored.value as { raw?: string; raw_base64?: string; decoded: unknown };
        if (decoded === null || typeof decoded !== 'object' || '_decode_error' in decoded) continue;
        const bytes = rawBase64 !== undefined ? Buffer.from(rawBase64, 'base64') : Buffer.from(raw ?? '', 'utf8');
        found.push({ label: `${path}/${key}`, key, raw: bytes, decoded });
      } else {
        visit(value, `${path}/${key}`);
      }
    }
  };
  for (const file of vectorFiles(`results_redis_${serializer}_`)) visit(loadVector(file), file);
  return found;
}

describe('Celery 5.2.6 formats', () => {
  it('writes JSON metas with the structure and key order Python writes, and reads Python metas back', async () => {
    const metas = capturedStrings('json', 'celery-task-meta-');
    expect(metas.length).toBeGreaterThan(20);
    const backend = open();
    for (const { label, key, raw, decoded } of metas) {
      const meta = decoded as TaskMeta;
      await redis.del(key);
      expect(await backend.storeMeta(meta), label).toBe(true);
      const ours = (await redis.get(key))!;
      expect(JSON.parse(ours), label).toEqual(decoded);
      expect(Object.keys(JSON.parse(ours) as object), label).toEqual(Object.keys(JSON.parse(raw.toString()) as object));
      expect(await redis.ttl(key), label).toBeGreaterThan(86_000);
      await redis.set(key, raw);
      expect(await backend.getMeta(meta.task_id), label).toEqual(decoded);
    }
  });

  it('writes msgpack metas byte-for-byte as Python does, and reads them with either serializer setting', async () => {
    const metas = capturedStrings('msgpack', 'celery-task-meta-');
    expect(metas.length).toBeGreaterThan(15);
    const packed = open({ serializer: 'msgpack' });
    const json = open();
    for (const { label, key, raw, decoded } of metas) {
      const meta = decoded as TaskMeta;
      await redis.del(key);
      await packed.storeMeta(meta);
      expect((await redis.getBuffer(key))!.equals(raw), label).toBe(true);
      expect(await json.getMeta(meta.task_id), label).toEqual(decoded);
      expect(await packed.getMeta(meta.task_id), label).toEqual(decoded);
    }
  });

  it('saves groups as {"result": tuple} like GroupResult.save()', async () => {
    for (const serializer of ['json', 'msgpack'] as const) {
      const groups = capturedStrings(serializer, 'celery-taskset-meta-').filter(({ key }) => !/\.[jst]$/.test(key));
      expect(groups.length, serializer).toBeGreaterThan(0);
      const backend = open({ serializer });
      for (const { label, key, raw, decoded } of groups) {
        const gid = key.slice('celery-taskset-meta-'.length);
        const tuple = (decoded as { result: Parameters<RedisBackend['saveGroup']>[1] }).result;
        await backend.saveGroup(gid, tuple);
        const ours = (await redis.getBuffer(key))!;
        if (serializer === 'msgpack') expect(ours.equals(raw), label).toBe(true);
        else expect(JSON.parse(ours.toString()), label).toEqual(decoded);
        await redis.set(key, raw);
        expect(await backend.restoreGroup(gid), label).toEqual(tuple);
      }
    }
  });

  it('treats any stored SUCCESS as final, whoever wrote it and in either format', async () => {
    const backend = open();
    for (const serializer of ['json', 'msgpack'] as const) {
      const success = capturedStrings(serializer, 'celery-task-meta-').find(({ decoded }) => (decoded as TaskMeta).status === 'SUCCESS')!;
      await redis.set(success.key, success.raw);
      const id = (success.decoded as TaskMeta).task_id;
      expect(await backend.storeMeta({ status: 'FAILURE', result: null, traceback: null, children: [], date_done: null, task_id: id })).toBe(false);
      expect((await redis.getBuffer(success.key))!.equals(success.raw)).toBe(true);
    }
  });

  it('honours expiresSeconds (0 disables expiry) and keyPrefix', async () => {
    const forever = open({ expiresSeconds: 0, keyPrefix: 'app1:' });
    const id = randomUUID();
    await forever.storeMeta({ status: 'SUCCESS', result: 1, traceback: null, children: [], date_done: null, task_id: id });
    expect(await redis.ttl(`app1:celery-task-meta-${id}`)).toBe(-1);
    expect(await redis.exists(`celery-task-meta-${id}`)).toBe(0);
    await forever.setChordSize('g', 2);
    expect(await redis.ttl('app1:celery-taskset-meta-g.s')).toBe(-1);
  });
});

describe('PUBLISH on writes', () => {
  it('publishes every meta, saved group and chord size on the key name, with the stored bytes', async () => {
    const backend = open({ serializer: 'msgpack' });
    const subscriber = rawRedis(db);
    const seen: Array<[string, Buffer]> = [];
    subscriber.on('messageBuffer', (channel: Buffer, payload: Buffer) => void seen.push([channel.toString(), payload]));
    const id = randomUUID();
    const gid = randomUUID();
    try {
      await subscriber.subscribe(`celery-task-meta-${id}`, `celery-taskset-meta-${gid}`, `celery-taskset-meta-${gid}.s`);
      await backend.storeMeta({ status: 'STARTED', result: { pid: 1, hostname: 'h' }, traceback: null, children: [], date_done: null, task_id: id });
      await backend.storeMeta({ status: 'SUCCESS', result: 5, traceback: null, children: [], date_done: '2026-11-22T12:00:00.123456', task_id: id });
      await backend.saveGroup(gid, [[gid, null], [[[id, null], null]]]);
      await backend.setChordSize(gid, 3);
      await waitUntil(() => seen.length === 4, { what: 'four publishes' });
    } finally {
      subscriber.disconnect();
    }
    expect(seen.map(([channel]) => channel)).toEqual([
      `celery-task-meta-${id}`,
      `celery-task-meta-${id}`,
      `celery-taskset-meta-${gid}`,
      `celery-taskset-meta-${gid}.s`,
    ]);
    expect(seen[1]![1].equals((await redis.getBuffer(`celery-task-meta-${id}`))!)).toBe(true);
    expect((unpack(seen[0]![1]) as TaskMeta).status).toBe('STARTED');
    expect(seen[3]![1].toString()).toBe('3');
    expect(await redis.get(`celery-taskset-meta-${gid}.s`)).toBe('3');
    expect(await redis.ttl(`celery-taskset-meta-${gid}.s`)).toBeGreaterThan(86_000);
  });
});

describe('chords', () => {
  it('completes a chord whose first parts were counted by a Python worker, and writes parts Python can read', async () => {
    for (const serializer of ['json', 'msgpack'] as const) {
      const vector = loadVector<{ header_ids: string[]; db_while_last_header_task_running: Record<string, StoredVectorValue> }>(
        `results_redis_${serializer}_chord3.json`,
      );
      const snapshot = vector.db_while_last_header_task_running;
      const partsKey = Object.keys(snapshot).find((key) => key.endsWith('.j'))!;
      const gid = partsKey.slice('celery-taskset-meta-'.length, -2);
      const members = snapshot[partsKey]!.value as Array<{ member: { raw?: string; raw_base64?: string }; score: number }>;
      for (const { member, score } of members) {
        await redis.zadd(partsKey, score, member.raw_base64 !== undefined ? Buffer.from(member.raw_base64, 'base64') : member.raw!);
      }
      await redis.set(`celery-taskset-meta-${gid}.s`, '3');

      const backend = open({ serializer });
      const lastId = vector.header_ids[2]!;
      const progress = await backend.addChordPart(gid, { taskId: lastId, index: 2, state: 'SUCCESS', result: 300 });
      expect(progress.complete, serializer).toBe(true);
      if (!progress.complete) continue;
      expect(progress.parts.map((part) => [part.taskId, part.index, part.result])).toEqual([
        [vector.header_ids[0], 0, 2],
        [vector.header_ids[1], 1, 4],
        [lastId, 2, 300],
      ]);
      // Our member is what Python writes: encode([1, task_id, state, result]), scored by group_index.
      const [ourMember, ourScore] = await redis.zrangebyscoreBuffer(partsKey, 2, 2, 'WITHSCORES');
      expect(ourScore!.toString()).toBe('2');
      const decoded = serializer === 'json' ? JSON.parse(ourMember!.toString()) : unpack(ourMember!);
      expect(decoded).toEqual([1, lastId, 'SUCCESS', 300]);
      await backend.clearChord(gid);
      expect(await redis.exists(partsKey, `celery-taskset-meta-${gid}.s`, `celery-taskset-meta-${gid}.celeriac.ids`)).toBe(0);
    }
  });

  it('counts a redelivered part once, keeps parts without group_index last, and sums the .t extra count', async () => {
    const backend = open();
    const gid = randomUUID();
    await backend.setChordSize(gid, 2);
    await redis.incrby(`celery-taskset-meta-${gid}.t`, 1);
    expect(await backend.addChordPart(gid, { taskId: 'no-index', index: null, state: 'SUCCESS', result: 'z' })).toEqual({ complete: false, counted: true });
    expect(await backend.addChordPart(gid, { taskId: 'no-index', index: null, state: 'SUCCESS', result: 'z' })).toEqual({ complete: false, counted: false });
    expect(await redis.zcard(`celery-taskset-meta-${gid}.j`)).toBe(1);
    expect(await redis.zscore(`celery-taskset-meta-${gid}.j`, JSON.stringify([1, 'no-index', 'SUCCESS', 'z']))).toBe('inf');
    expect((await backend.addChordPart(gid, { taskId: 'b', index: 1, state: 'SUCCESS', result: 'b' })).complete).toBe(false);
    const done = await backend.addChordPart(gid, { taskId: 'a', index: 0, state: 'SUCCESS', result: 'a' });
    expect(done.complete && done.parts.map((part) => [part.taskId, part.index])).toEqual([
      ['a', 0],
      ['b', 1],
      ['no-index', null],
    ]);
    expect(await redis.ttl(`celery-taskset-meta-${gid}.j`)).toBeGreaterThan(86_000);
  });
});

describe('waiting and revocation', () => {
  it('serves 2,000 concurrent waitFor calls over one subscriber connection', async () => {
    const name = `celeriac-test-${randomUUID().slice(0, 8)}`;
    const backend = open({ connectionName: name, patternWaitThreshold: Infinity });
    const writer = open();
    const ids = Array.from({ length: 2_000 }, () => randomUUID());
    const waits = ids.map((id) => backend.waitFor(id, { timeoutMs: 20_000 }));
    const subscribers = async (): Promise<string[]> =>
      String(await redis.call('CLIENT', 'LIST'))
        .split('\n')
        .filter((line) => line.includes(` name=${name}:sub `));
    await waitUntil(async () => (await subscribers()).some((line) => line.includes(' sub=2000 ')), { what: 'all 2,000 channels subscribed' });
    expect(await subscribers()).toHaveLength(1);
    await Promise.all(ids.map((id, i) => writer.storeMeta({ status: 'SUCCESS', result: i, traceback: null, children: [], date_done: null, task_id: id })));
    expect((await Promise.all(waits)).map((meta) => meta?.result)).toEqual(ids.map((_, i) => i));
    await waitUntil(async () => (await subscribers()).some((line) => line.includes(' sub=0 ')), { what: 'the channels to be released' });
    expect(await subscribers()).toHaveLength(1);
  });

  it('many waits at once share one pattern subscription instead of a channel each, and drop it afterwards', async () => {
    const name = `celeriac-test-${randomUUID().slice(0, 8)}`;
    // A prefix with glob characters: the pattern must match it literally (unescaped, it would not match itself).
    const prefix = 'p*[x]?:';
    const backend = open({ connectionName: name, keyPrefix: prefix, patternWaitThreshold: 100 });
    const writer = open({ keyPrefix: prefix });
    const ids = Array.from({ length: 2_000 }, () => randomUUID());
    // Half stored before anyone waits (found by the read), half after (pushed).
    const early = ids.slice(0, 1_000);
    await Promise.all(early.map((id, i) => writer.storeMeta({ status: 'SUCCESS', result: i, traceback: null, children: [], date_done: null, task_id: id })));
    const waits = ids.map((id) => backend.waitFor(id, { timeoutMs: 20_000 }));
    const subscriber = async (): Promise<string> =>
      String(await redis.call('CLIENT', 'LIST'))
        .split('\n')
        .find((line) => line.includes(` name=${name}:sub `)) ?? '';
    await waitUntil(async () => (await subscriber()).includes(' psub=1 '), { what: 'the pattern subscribed' });
    expect(await subscriber()).toMatch(/ sub=\d{1,3} /);
    const late = ids.slice(1_000);
    await Promise.all(late.map((id, i) => writer.storeMeta({ status: 'SUCCESS', result: 1_000 + i, traceback: null, children: [], date_done: null, task_id: id })));
    expect((await Promise.all(waits)).map((meta) => meta?.result)).toEqual(ids.map((_, i) => i));
    await waitUntil(async () => (await subscriber()).includes(' psub=0 '), { what: 'the pattern to be dropped', timeoutMs: 10_000 });
    // A single wait afterwards subscribes its own channel again.
    const id = randomUUID();
    const single = backend.waitFor(id, { timeoutMs: 5_000 });
    await waitUntil(async () => (await subscriber()).includes(' sub=1 '), { what: 'one channel subscribed' });
    await writer.storeMeta({ status: 'FAILURE', result: null, traceback: null, children: [], date_done: null, task_id: id });
    expect((await single)?.status).toBe('FAILURE');
  });

  it('resolves pending waits with undefined when the backend closes, and works again afterwards', async () => {
    const backend = open();
    const waiting = backend.waitFor(randomUUID());
    await pause(50);
    await backend.close();
    expect(await waiting).toBeUndefined();
    const id = randomUUID();
    const again = backend.waitFor(id, { timeoutMs: 5_000 });
    await pause(50);
    await open().storeMeta({ status: 'REVOKED', result: null, traceback: null, children: [], date_done: null, task_id: id });
    expect((await again)?.status).toBe('REVOKED');
  });

  it('persists revocations with the result TTL, pushes them on a per-database channel, and answers locally', async () => {
    const revoker = open();
    const worker = open();
    expect(await worker.isRevoked('task-1', 'root-1')).toBe(false);
    const listener = rawRedis(db);
    const pushes: string[] = [];
    listener.on('message', (_channel: string, payload: string) => void pushes.push(payload));
    try {
      await listener.subscribe(`/${db}.celeriac.revoked`);
      await revoker.revoke({ taskIds: ['task-1'], rootIds: ['root-1'] });
      await waitUntil(() => pushes.length === 1, { what: 'the revocation push' });
    } finally {
      listener.disconnect();
    }
    expect(JSON.parse(pushes[0]!)).toMatchObject({ taskIds: ['task-1'], rootIds: ['root-1'] });
    await waitUntil(() => worker.isRevoked('task-1'), { what: 'the worker to see the revoked task' });
    expect(await worker.isRevoked('other', 'root-1')).toBe(true);
    expect(await worker.isRevoked('other', 'other-root')).toBe(false);
    expect(await redis.ttl('celeriac.revoked.tasks')).toBeGreaterThan(86_000);
    expect(Number(await redis.zscore('celeriac.revoked.roots', 'root-1'))).toBeGreaterThan(Date.now() + 86_000_000);
    const fresh = open();
    expect(await fresh.isRevoked('task-1')).toBe(true);
  });
});
