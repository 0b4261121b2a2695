/**
 * Celery's remote control (pidbox) honoured by celeriac workers, driven by real Python Celery 5.2.6
 * (`app.control.revoke`, `app.control.ping`) on Redis and on RabbitMQ:
 * - revoke(id, terminate=True) of a running task → REVOKED, with Celery's reply text;
 * - revoke(id) of a task not started yet → it never runs, REVOKED; the worker keeps serving;
 * - ping includes the celeriac node; a `destination` naming another node is ignored;
 * - the pidbox queue/binding is declared as kombu declares it (Python re-declares it without error).
 * Redis DB 9 only (flushed before and after); RabbitMQ queues `celeriac_test_amqp_*`.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Celeriac } from '../../src/app.js';
import { decodeControlRequest, globToRegExp, isAddressedTo } from '../../src/broker/control/request.js';
import { parseControlEnvelope } from '../../src/broker/control/redis-envelope.js';
import { currentTask } from '../../src/worker/context.js';
import type { Worker } from '../../src/worker/worker.js';
import { loadVector } from '../fixtures/vectors.js';
import { deleteTestQueues, holdRabbitMqShared, requireRabbitMq, testQueueName } from '../helpers/amqp.js';
import { AMQP_URL, FAILURE_DBS, atMost, flushOwnDb, rawRedis, redisUrl, requireRedis, runPython, waitFor } from '../helpers/crash.js';

const DB = FAILURE_DBS.control;
const currentId = (): string => currentTask()?.id ?? 'outside-a-task';
type Replies = Array<Record<string, unknown>>;

beforeAll(async () => {
  await requireRedis();
  await flushOwnDb(DB);
});

afterAll(async () => {
  await flushOwnDb(DB);
});

describe('pidbox request decoding (Celery 5.2.6 vectors)', () => {
  const sample = loadVector<{ messages: Array<{ channel: string; data: unknown }> }>('results_redis_json_pubsub_sample.json');
  const pidbox = sample.messages.filter((message) => message.channel === '/9.celery.pidbox');

  it('reads the revoke and ping broadcasts Python published', () => {
    const [revoke, ping] = pidbox.map((message) => decodeControlRequest(parseControlEnvelope(JSON.stringify(message.data))));
    // The revoke is the one the same capture run's revoke_and_control scenario sent (ids differ per capture).
    const { revoked_task_id: revokedId } = loadVector<{ revoked_task_id: string }>('results_redis_json_revoke_and_control.json');
    const uuid = expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(revoke).toMatchObject({ method: 'revoke', arguments: { task_id: revokedId, terminate: false }, destination: null, replyTo: null, clock: 1 });
    expect(ping).toMatchObject({ method: 'ping', ticket: uuid, replyTo: { exchange: 'reply.celery.pidbox', routingKey: uuid } });
  });

  it('addresses nodes as kombu does: destination, then pattern+matcher, else everyone', () => {
    const base = decodeControlRequest({ body: Buffer.from('{"method":"ping"}'), contentType: 'application/json', contentEncoding: 'utf-8', headers: {} });
    expect(isAddressedTo(base, 'a@h')).toBe(true);
    expect(isAddressedTo({ ...base, destination: ['b@h'] }, 'a@h')).toBe(false);
    expect(isAddressedTo({ ...base, destination: ['a@h'] }, 'a@h')).toBe(true);
    expect(isAddressedTo({ ...base, pattern: 'celeriac*@*', matcher: 'glob' }, 'celeriac-1@h')).toBe(true);
    expect(isAddressedTo({ ...base, pattern: 'py*', matcher: 'glob' }, 'celeriac-1@h')).toBe(false);
    expect(isAddressedTo({ ...base, pattern: 'cel.*ac', matcher: 'pcre' }, 'celeriac@h')).toBe(true);
    expect(globToRegExp('w[!0-3]?.x').test('w4a.x')).toBe(true);
    expect(globToRegExp('w[!0-3]?.x').test('w2a.x')).toBe(false);
  });
});

const brokers = [
  { name: 'Redis', broker: () => redisUrl(DB), amqp: false },
  { name: 'RabbitMQ', broker: () => AMQP_URL, amqp: true },
];

describe.each(brokers)('Celery remote control on $name', ({ broker: brokerUrl, amqp }) => {
  const queue = testQueueName('rc');
  const hostname = `celeriac-rc-${randomUUID().slice(0, 8)}@test`;
  const redis = rawRedis(DB);
  let app: Celeriac;
  let worker: Worker;
  let release: () => void = () => undefined;
  const url = brokerUrl();

  beforeAll(async () => {
    if (amqp) {
      await requireRabbitMq();
      release = await holdRabbitMqShared();
    }
    app = new Celeriac({ broker: url, backend: redisUrl(DB), logLevel: 'warn', defaultQueue: queue, resultExpires: 600 });
    app.task('rc.block', async () => {
      await redis.set(`rc:started:${currentId()}`, '1');
      await new Promise((resolve) => setTimeout(resolve, 20_000).unref()); // ignores its abort signal
      return 'finished';
    });
    app.task('rc.record', async () => {
      await redis.incr(`rc:ran:${currentId()}`);
      return 'ran';
    });
    worker = await app.worker({ hostname, queues: [queue], concurrency: 1, prefetchMultiplier: 1, handleSignals: false }).start();
  }, 30_000);

  afterAll(async () => {
    await atMost(worker?.stop({ timeoutMs: 2_000 }), 8_000);
    await atMost(app?.close(), 5_000);
    redis.disconnect();
    if (amqp) await deleteTestQueues([queue]).finally(release);
  }, 30_000);

  const stateOf = async (id: string): Promise<string> => app.asyncResult(id).state();

  it('revoke(id, terminate=True) from Python ends a running task REVOKED and replies as Celery does', async () => {
    const running = await app.sendTask('rc.block', [], {}, { queue });
    await waitFor(() => redis.get(`rc:started:${running.id}`), 15_000, 'the task to start');
    const replies = await runPython<Replies>('control_client.py', [url, 'revoke', JSON.stringify([running.id]), '1', '1']);
    expect(replies).toContainEqual({ [hostname]: { ok: `terminate: ${running.id}` } });
    await waitFor(async () => (await stateOf(running.id)) === 'REVOKED', 10_000, 'REVOKED');
    const meta = await app.asyncResult(running.id).meta();
    expect(meta?.result).toMatchObject({ exc_type: 'TaskRevokedError', exc_message: ['revoked'] });
  }, 30_000);

  it('revoke(id) from Python of a task not started yet: it never runs, ends REVOKED, and the worker keeps serving', async () => {
    const blocker = await app.sendTask('rc.block', [], {}, { queue });
    await waitFor(() => redis.get(`rc:started:${blocker.id}`), 15_000, 'the blocker to start');
    const victim = await app.sendTask('rc.record', [], {}, { queue });
    const none = await runPython<null>('control_client.py', [url, 'revoke', JSON.stringify([victim.id]), '0', '0']);
    expect(none).toBeNull();
    await runPython<Replies>('control_client.py', [url, 'revoke', JSON.stringify([blocker.id]), '1', '1']);
    await waitFor(async () => (await stateOf(victim.id)) === 'REVOKED', 15_000, 'the victim to be REVOKED');
    expect(await redis.get(`rc:ran:${victim.id}`)).toBeNull();
    const after = await app.sendTask('rc.record', [], {}, { queue });
    expect(await after.get({ timeout: 10_000 })).toBe('ran');
    expect(await stateOf(blocker.id)).toBe('REVOKED');
  }, 40_000);

  it('ping from Python includes the node; requests for another destination are ignored', async () => {
    const replies = await runPython<Replies>('control_client.py', [url, 'ping', '1.5']);
    expect(replies).toContainEqual({ [hostname]: { ok: 'pong' } });
    const elsewhere = await runPython<Replies>('control_client.py', [url, 'ping', '1', JSON.stringify(['nobody@nowhere'])]);
    expect(elsewhere.some((reply) => hostname in reply)).toBe(false);
    const task = await app.sendTask('rc.record', [], {}, { queue, countdown: 0.5 });
    await runPython<Replies>('control_client.py', [url, 'revoke', JSON.stringify([task.id]), '0', '0', JSON.stringify(['nobody@nowhere'])]);
    expect(await task.get({ timeout: 10_000 })).toBe('ran');
  }, 30_000);

  it('declares its pidbox as kombu does', async () => {
    const queueName = `${hostname}.celery.pidbox`;
    if (amqp) {
      const declared = await runPython<{ declared: string }>('control_client.py', [url, 'declare', hostname]);
      expect(declared.declared).toBe(queueName);
    } else {
      expect(await redis.smembers('_kombu.binding.celery.pidbox')).toContain(`\x06\x16\x06\x16${queueName}`);
    }
  }, 30_000);
});
