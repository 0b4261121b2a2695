/**
 * Celery's `inspect` and `control` answered by a celeriac worker, driven by Python Celery 5.2.6's own
 * `app.control.inspect()` and `app.control.broadcast()`, on Redis (DB 12) and on RabbitMQ.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Celeriac, currentTask } from '../../src/index.js';
import type { Worker } from '../../src/worker/worker.js';
import { AMQP_TEST_URL, deleteTestQueues, requireRabbitMq, testQueueName } from '../helpers/amqp.js';
import { flushOpsDb, OPS_DBS, opsRedis, opsRedisUrl, until } from '../helpers/ops.js';

const exec = promisify(execFile);
const PYTHON = process.env['CELERIAC_INTEROP_PYTHON'] ?? '/usr/bin/python3';
type Replies = Record<string, unknown>;

const brokers = [
  { name: 'Redis', url: () => opsRedisUrl(OPS_DBS.inspect), amqp: false },
  { name: 'RabbitMQ', url: () => AMQP_TEST_URL, amqp: true },
];

beforeAll(async () => flushOpsDb(OPS_DBS.inspect));
afterAll(async () => flushOpsDb(OPS_DBS.inspect));

describe.each(brokers)('celery inspect / control on $name', ({ url: brokerUrl, amqp }) => {
  const queue = amqp ? testQueueName('insp') : `insp-${randomUUID().slice(0, 8)}`;
  const extra = amqp ? testQueueName('insp2') : `insp2-${randomUUID().slice(0, 8)}`;
  const hostname = `celeriac-insp-${randomUUID().slice(0, 8)}@test`;
  const redis = opsRedis(OPS_DBS.inspect);
  let app: Celeriac;
  let worker: Worker;
  let url: string;

  async function python(kind: 'inspect' | 'control', method: string, args?: Record<string, unknown>): Promise<Replies> {
    const argv = ['test/fixtures/ops/inspect_client.py', url, kind, method, hostname, ...(args ? [JSON.stringify(args)] : [])];
    const { stdout } = await exec(PYTHON, argv, { timeout: 30_000 }).catch((error: Error & { stderr?: string }) => {
      throw new Error(`inspect_client.py failed: ${error.message} ${error.stderr ?? ''} (needs python3-celery 5.2.6)`);
    });
    return JSON.parse(stdout) as Replies;
  }
  const mine = (replies: unknown): unknown => (Array.isArray(replies) ? replies.find((r) => hostname in (r as Replies)) : (replies as Replies))?.[hostname as never];

  beforeAll(async () => {
    if (amqp) await requireRabbitMq();
    url = brokerUrl();
    app = new Celeriac({ broker: url, backend: opsRedisUrl(OPS_DBS.inspect), logLevel: 'silent', defaultQueue: queue });
    app.task('insp.block', async (n: number) => {
      while (!(await redis.get(`gate:${currentTask()!.id}`))) await new Promise((resolve) => setTimeout(resolve, 25));
      return n;
    });
    app.task('insp.add', (x: number, y: number) => x + y);
    worker = await app.worker({ hostname, queues: [queue], concurrency: 1, prefetchMultiplier: 2 }).start();
  }, 30_000);

  afterAll(async () => {
    await worker?.stop({ timeoutMs: 2_000 });
    await app?.close();
    redis.disconnect();
    if (amqp) await deleteTestQueues([queue, extra]);
  }, 30_000);

  it('inspect active, reserved, registered, stats, query_task, conf, revoked, scheduled', async () => {
    const first = await app.sendTask('insp.block', [1], {}, { queue });
    const second = await app.sendTask('insp.block', [2], {}, { queue });
    await until(() => worker.activeCount === 1, 10_000, 'the first task to run');
    await until(async () => ((await python('inspect', 'reserved'))[hostname] as unknown[] | undefined)?.length === 1, 10_000, 'the second to be reserved');
    const all = await python('inspect', 'active,reserved,registered,stats,conf,revoked,scheduled');
    const of = (method: string) => mine(all[method]);
    expect(of('active')).toEqual([expect.objectContaining({ id: first.id, name: 'insp.block', args: [1], kwargs: {}, hostname, acknowledged: false, worker_pid: process.pid })]);
    expect(of('reserved')).toEqual([expect.objectContaining({ id: second.id, name: 'insp.block', args: [2], time_start: null })]);
    expect(of('registered')).toEqual(['insp.add', 'insp.block']);
    expect(of('stats')).toMatchObject({ total: { 'insp.block': 1 }, pid: process.pid, pool: { 'max-concurrency': 1 }, prefetch_count: 2, broker: { transport: amqp ? 'amqp' : 'redis' } });
    expect(of('conf')).toMatchObject({ task_default_queue: queue, task_serializer: 'json' });
    expect(of('revoked')).toEqual([]);
    expect(of('scheduled')).toEqual([]);
    const query = mine(await python('inspect', 'query_task', { ids: [first.id, second.id, 'unknown-id'] })) as Record<string, [string, Replies]>;
    expect(query[first.id]?.[0]).toBe('active');
    expect(query[second.id]?.[0]).toBe('reserved');
    expect(query['unknown-id']).toBeUndefined();

    expect(mine(await python('control', 'pool_grow', { n: 1 }))).toEqual({ ok: 'pool will grow' });
    await until(() => worker.activeCount === 2, 10_000, 'the second task to start after pool_grow');
    expect(mine(await python('control', 'pool_shrink', { n: 1 }))).toEqual({ ok: 'pool will shrink' });
    expect(mine(await python('control', 'pool_shrink', { n: 5 }))).toMatchObject({ error: expect.stringContaining('cannot shrink below 1') });
    await redis.set(`gate:${first.id}`, '1');
    await redis.set(`gate:${second.id}`, '1');
    expect(await first.get({ timeout: 10_000 })).toBe(1);
    expect(await second.get({ timeout: 10_000 })).toBe(2);
  }, 90_000);

  it('control time_limit, rate_limit, enable/disable_events, add/cancel_consumer, an unknown command, shutdown', async () => {
    expect(mine(await python('control', 'time_limit', { task_name: 'insp.add', soft: 5, hard: 10 }))).toEqual({ ok: 'time limits set successfully' });
    expect(app.registry.get('insp.add')?.settings).toMatchObject({ softTimeLimit: 5, timeLimit: 10 });
    expect(mine(await python('control', 'time_limit', { task_name: 'nope', soft: 1 }))).toEqual({ error: 'unknown task' });
    expect(mine(await python('control', 'rate_limit', { task_name: 'insp.add', rate_limit: '10/s' }))).toMatchObject({ error: expect.stringContaining('not supported') });
    expect(mine(await python('control', 'enable_events'))).toEqual({ ok: 'task events enabled' });
    expect(mine(await python('control', 'disable_events'))).toEqual({ ok: 'task events disabled' });
    expect(mine(await python('control', 'add_consumer', { queue: extra }))).toEqual({ ok: `add consumer ${extra}` });
    expect(await (await app.sendTask('insp.add', [20, 22], {}, { queue: extra })).get({ timeout: 10_000 })).toBe(42);
    expect(mine(await python('control', 'cancel_consumer', { queue: extra }))).toEqual({ ok: `no longer consuming from ${extra}` });
    expect(mine(await python('control', 'no_such_thing'))).toEqual({ error: 'No such control command: no_such_thing' });
    await python('control', 'shutdown');
    await until(() => worker.state === 'stopped', 10_000, 'the worker to stop on shutdown');
  }, 90_000);
});
