/**
 * Celery monitoring on the wire: a celeriac worker started with `events: true` sends Celery's task
 * events and worker heartbeats, and Python Celery 5.2.6's own event receiver (what `celery events`
 * and Flower use) reads them, on Redis (DB 11) and on RabbitMQ (vhost of CELERIAC_TEST_AMQP_URL).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Celeriac } from '../../src/index.js';
import { AMQP_TEST_URL, deleteTestQueues, requireRabbitMq, testQueueName } from '../helpers/amqp.js';
import { flushOpsDb, OPS_DBS, opsRedisUrl } from '../helpers/ops.js';

const PYTHON = process.env['CELERIAC_INTEROP_PYTHON'] ?? '/usr/bin/python3';
type CeleryEvent = Record<string, unknown> & { type: string; hostname: string };

/** Start Python's receiver; resolves once it listens, with a promise of everything it saw. */
async function receiver(url: string, until: string): Promise<{ events: Promise<CeleryEvent[]> }> {
  const child = spawn(PYTHON, ['test/fixtures/ops/events.py', url, '30', until], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const done = new Promise<CeleryEvent[]>((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as CeleryEvent[]) : reject(new Error(`events.py exited ${code}: ${err}. Needs python3-celery 5.2.6.`)))),
  );
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      if (err.includes('ready')) resolve();
    });
    child.on('exit', () => reject(new Error(`events.py did not start: ${err}`)));
  });
  return { events: done };
}

const brokers = [
  { name: 'Redis', url: () => opsRedisUrl(OPS_DBS.events), amqp: false },
  { name: 'RabbitMQ', url: () => AMQP_TEST_URL, amqp: true },
];

beforeAll(async () => flushOpsDb(OPS_DBS.events));
afterAll(async () => flushOpsDb(OPS_DBS.events));

describe.each(brokers)('Celery events on $name', ({ url: brokerUrl, amqp }) => {
  const queue = amqp ? testQueueName('ev') : `ev-${randomUUID().slice(0, 8)}`;
  const hostname = `celeriac-ev-${randomUUID().slice(0, 8)}@test`;

  beforeAll(async () => {
    if (amqp) await requireRabbitMq();
  });
  afterAll(async () => {
    if (amqp) await deleteTestQueues([queue]);
  });

  it('task-sent (producer), task-received/started/succeeded/failed and worker-online/heartbeat/offline reach Celery’s receiver', async () => {
    const url = brokerUrl();
    const seen = await receiver(url, 'worker-offline');
    const app = new Celeriac({ broker: url, backend: opsRedisUrl(OPS_DBS.events), logLevel: 'silent', defaultQueue: queue, events: true });
    const add = app.task('ev.add', (x: number, y: number) => x + y);
    const boom = app.task('ev.boom', () => {
      throw new Error('kaboom');
    });
    const worker = await app.worker({ hostname, queues: [queue] }).start();
    const ok = await add.delay(2, 2);
    await ok.get({ timeout: 10_000 });
    const failed = await boom.delay();
    await failed.get({ timeout: 10_000, propagate: false });
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // one heartbeat
    await worker.stop();
    await app.close();
    const all = await seen.events;
    const events = all.filter((e) => e.hostname === hostname);
    if (events.length === 0) throw new Error(`no events from ${hostname}: ${JSON.stringify(all.slice(0, 5))}`);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('worker-online');
    expect(types.at(-1)).toBe('worker-offline');
    expect(types).toContain('worker-heartbeat');
    const of = (type: string, id: string) => events.find((e) => e.type === type && e['uuid'] === id);
    expect(of('task-received', ok.id)).toMatchObject({ name: 'ev.add', args: '(2, 2)', kwargs: '{}', retries: 0, root_id: ok.id, pid: process.pid });
    expect(of('task-started', ok.id)).toMatchObject({ pid: process.pid });
    expect(of('task-succeeded', ok.id)).toMatchObject({ result: '4' });
    expect(typeof of('task-succeeded', ok.id)!['runtime']).toBe('number');
    expect(of('task-failed', failed.id)).toMatchObject({ exception: "Error('kaboom')" });
    expect(String(of('task-failed', failed.id)!['traceback'])).toContain('kaboom');
    const heartbeat = events.find((e) => e.type === 'worker-heartbeat')!;
    expect(heartbeat).toMatchObject({ freq: 2, sw_ident: 'celeriac' });
    expect(typeof heartbeat['processed']).toBe('number');
    const sent = all.find((e) => e.type === 'task-sent' && e['uuid'] === ok.id);
    expect(sent).toMatchObject({ name: 'ev.add', args: '(2, 2)', kwargs: '{}', queue, routing_key: queue, retries: 0 });
    expect(sent!.hostname).toMatch(/^gen\d+@/);
    const clocks = events.map((e) => e['clock'] as number);
    expect([...clocks].sort((a, b) => a - b)).toEqual(clocks);
  }, 60_000);
});
