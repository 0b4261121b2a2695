/**
 * Interop with the Python side on the same RabbitMQ (Debian's python3 with Celery 5.2.6 /
 * kombu 5.2.4 / py-amqp 5.1.1, the versions the wire vectors were captured with):
 * - a message published by AmqpBroker is read by raw py-amqp with exactly the field-table type tags
 *   and Python types Celery's own messages have;
 * - a task sent by Python Celery (which declares the queue itself) is consumed by AmqpBroker with
 *   the right types, and dead-lettering works on that queue (declared without any DLX argument).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmqpBroker, type AmqpBrokerEvent } from '../../src/broker/amqp.js';
import {
  AMQP_TEST_URL,
  DeliveryCollector,
  deleteTestQueues,
  holdRabbitMqShared,
  loadAmqpVector,
  requireRabbitMq,
  testQueueName,
  wireMessageFromVector,
} from '../helpers/amqp.js';
import { CELERY_PEER_INSTALL, requireCeleryPython } from '../../scripts/lib/celery-python.js';

/** `scripts/celery-fixtures/` (its amqp_spy module sees the raw content-header frames). */
const SCRIPTS = fileURLToPath(new URL('../../scripts/celery-fixtures/', import.meta.url));
const run = promisify(execFile);
const queues: string[] = [];
const events: AmqpBrokerEvent[] = [];
let broker: AmqpBroker;
let release: () => void = () => undefined;

async function python(script: string, ...args: string[]): Promise<unknown> {
  const interpreter = requireCeleryPython();
  try {
    const { stdout } = await run(interpreter, ['-c', script, ...args], { timeout: 30_000, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    return JSON.parse(stdout.trim().split('\n').pop() ?? 'null');
  } catch (error) {
    throw new Error(`${interpreter} with celery/kombu/amqp is needed for this test (${CELERY_PEER_INSTALL}): ${(error as Error).message}`);
  }
}

const target = new URL(AMQP_TEST_URL);
const PY_CONNECT = `amqp.Connection('${target.hostname}:${target.port || 5672}', userid='${decodeURIComponent(target.username || 'guest')}', password='${decodeURIComponent(target.password || 'guest')}', virtual_host=${JSON.stringify(decodeURIComponent(target.pathname.slice(1)) || '/')})`;

/** Reads n messages with raw py-amqp basic_get (no ack), spying on the content-header frame. */
const READ_WITH_PY_AMQP = `
import base64, json, sys
sys.path.insert(0, ${JSON.stringify(SCRIPTS)})
import amqp_spy as cap  # spies on inbound content headers, as the fixture capture does
cap.install()
import amqp
queue, count = sys.argv[1], int(sys.argv[2])
conn = ${PY_CONNECT}
conn.connect()
ch = conn.channel()
out = []
for _ in range(count):
    msg = ch.basic_get(queue, no_ack=False)
    if msg is None:
        break
    props = dict(msg.properties)
    body = msg.body.encode('utf-8') if isinstance(msg.body, str) else bytes(msg.body)
    out.append({
        'properties': cap.jsonable(props),
        'python_types': {k: type(v).__name__ for k, v in props.get('application_headers', {}).items()},
        'tags': cap.header_tags(cap.RAW_HEADERS[-1]),
        'body_base64': base64.b64encode(body).decode(),
    })
ch.close()
conn.close()
print(json.dumps(out))
`;

/** Sends a task with Python Celery (no result backend), as a Python producer would. */
const SEND_WITH_CELERY = `
import json, sys
from celery import Celery
queue, url = sys.argv[1], sys.argv[2]
app = Celery('interop', broker=url)
result = app.send_task('tests.add', args=(2, 3), queue=queue, countdown=30, expires=120, time_limit=3600, soft_time_limit=3000)
print(json.dumps({'id': result.id}))
`;

/** Publishes with raw py-amqp a message whose headers hold ints beyond ±2^31 (tagged 'L'). */
const PUBLISH_LONG_LONGS = `
import json, sys
import amqp
queue = sys.argv[1]
conn = ${PY_CONNECT}
conn.connect()
ch = conn.channel()
headers = {'id': 'long-1', 'big': 2**40, 'negative': -2**40, 'nested': {'list': [2**33, 1]}}
ch.basic_publish(amqp.Message('[[], {}, {}]', content_type='application/json', content_encoding='utf-8',
                              application_headers=headers, delivery_mode=2), exchange='', routing_key=queue)
conn.close()
print(json.dumps({'ok': True}))
`;

interface PyAmqpRead {
  properties: Record<string, unknown> & { application_headers: Record<string, unknown> };
  python_types: Record<string, string>;
  tags: Record<string, string>;
  body_base64: string;
}

beforeAll(async () => {
  release = await holdRabbitMqShared();
  await requireRabbitMq();
  broker = new AmqpBroker({ url: AMQP_TEST_URL, onEvent: (event) => events.push(event) });
});

afterAll(async () => {
  await broker?.close();
  await deleteTestQueues(queues).finally(release);
});

describe('AmqpBroker ⇄ Python (py-amqp, Celery 5.2.6)', () => {
  it('publishes messages py-amqp reads with the tags and types of Celery-made ones', async () => {
    const vector = loadAmqpVector().messages_in_queue_order;
    const name = testQueueName('pyread');
    queues.push(name);
    for (const entry of vector) await broker.publish({ queue: name }, wireMessageFromVector(entry));
    const read = (await python(READ_WITH_PY_AMQP, name, String(vector.length))) as PyAmqpRead[];
    expect(read).toHaveLength(vector.length);
    read.forEach((got, i) => {
      const want = vector[i]!;
      expect(got.tags).toEqual(want.application_headers_amqp_type_tags);
      expect(got.python_types).toEqual(want.python_types_of_application_headers);
      expect(got.properties).toEqual(want.properties);
      const body = want.body.text !== undefined ? Buffer.from(want.body.text).toString('base64') : want.body.base64;
      expect(got.body_base64).toBe(body);
    });
  });

  it('consumes a task sent by Python Celery into a queue Celery declared, and dead-letters it there', async () => {
    const name = testQueueName('pysend');
    queues.push(name);
    const { id } = (await python(SEND_WITH_CELERY, name, AMQP_TEST_URL)) as { id: string };
    const collector = new DeliveryCollector();
    const consumer = await broker.consume([name], { prefetch: 1, onMessage: collector.onMessage });
    const [delivery] = await collector.atLeast(1);
    const headers = delivery!.message.headers;
    expect(headers['id']).toBe(id);
    expect(headers['task']).toBe('tests.add');
    expect(headers['timelimit']).toEqual([3600, 3000]);
    expect(headers['retries']).toBe(0);
    expect(headers['group']).toBeNull();
    expect(typeof headers['eta']).toBe('string');
    expect(delivery!.message.properties).toMatchObject({ correlation_id: id, delivery_mode: 2, expiration: '120000' });
    expect(JSON.parse(Buffer.from(delivery!.message.body).toString('utf8'))).toEqual([[2, 3], {}, { callbacks: null, errbacks: null, chain: null, chord: null }]);

    await delivery!.reject({ requeue: false, reason: 'interop check' });
    await consumer.cancel();
    const letters = await broker.deadLetters(name);
    expect(letters.map((letter) => letter.reason)).toEqual(['interop check']);
    // Our declaration of the Celery-declared queue is equivalent: no mismatch was reported.
    expect(events.filter((event) => event.type === 'topology-mismatch')).toEqual([]);
  });

  it("reads py-amqp's 64-bit 'L' header ints instead of dropping the connection", async () => {
    const name = testQueueName('pylong');
    queues.push(name);
    await broker.publish({ queue: name }, wireMessageFromVector(loadAmqpVector().messages_in_queue_order[0]!)); // declares the queue
    await broker.purge(name);
    await python(PUBLISH_LONG_LONGS, name);
    const collector = new DeliveryCollector();
    const consumer = await broker.consume([name], { prefetch: 1, onMessage: collector.onMessage });
    const [delivery] = await collector.atLeast(1);
    expect(delivery!.message.headers).toEqual({ id: 'long-1', big: 2 ** 40, negative: -(2 ** 40), nested: { list: [2 ** 33, 1] } });
    await delivery!.ack();
    await consumer.cancel();
    expect(events.filter((event) => event.type === 'disconnected')).toEqual([]);
  });
});
