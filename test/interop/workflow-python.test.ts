/**
 * Workflows whose nodes are Python Celery tasks (WORKFLOWS.md §W4 "Python workers"): the tasks are
 * written Director-style (`python/director_tasks.py`: `*args, **kwargs`, `kwargs["payload"]`) and
 * run by a Celery 5.2.6 worker; a celeriac worker consumes the workflow queue, where the Python
 * worker sends each node's link / link_error callback, and advances the runs. Once with Redis as
 * broker and backend, once with RabbitMQ as broker and Redis as backend; plus a mixed workflow
 * whose nodes alternate between celeriac and Python tasks.
 *
 * Resources: a private redis-server on a free port (DB 1: Redis combination, DB 2: RabbitMQ
 * combination's results), RabbitMQ queues `celeriac_interop_wf_*` on `CELERIAC_TEST_AMQP_URL`'s
 * vhost (deleted afterwards); the Python worker and redis-server are stopped by PID.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Celeriac, currentTask, type Worker } from '../../src/index.js';
import { currentWorkflow } from '../../src/workflow/current.js';
import type { NodeRecord, WorkflowRecord } from '../../src/workflow/types.js';
import { AMQP_TEST_URL, requireRabbitMq, withRawChannel } from '../helpers/amqp.js';
import { startFreePortRedis, type FreePortRedis } from '../helpers/free-port-redis.js';
import { PythonWorker, requirePythonCelery } from './harness.js';

const WAIT_MS = 60_000;
const PAYLOAD = { user: 1234, product: 1000 };
const ORDER_ID = 1234 * 10000 + 1000;
const ORDER_SCHEMA = {
  type: 'object',
  properties: { user: { type: 'integer' }, product: { type: 'integer' } },
  required: ['user', 'product'],
};

let redis: FreePortRedis | undefined;

beforeAll(async () => {
  requirePythonCelery();
  redis = await startFreePortRedis();
}, 30_000);

afterAll(async () => {
  await redis?.stop();
});

function node(record: WorkflowRecord, key: string): NodeRecord {
  const found = record.tasks.find((task) => task.key === key);
  if (!found) throw new Error(`run ${record.id} has no node ${key}: ${record.tasks.map((task) => task.key).join(', ')}`);
  return found;
}

/** The definitions and TypeScript tasks of one combination; Python tasks go to `pyQueue`. */
function defineWorkflows(app: Celeriac, pyQueue: string, tsQueue: string): void {
  app.workflows.define('interop.ORDER', {
    tasks: ['ORDER_PRODUCT', { NOTIFY: { type: 'group', tasks: ['SEND_MAIL', 'SEND_SMS'] } }, 'ARCHIVE'],
    schema: ORDER_SCHEMA,
    queue: pyQueue,
  });
  app.workflows.define('interop.ETL', {
    nodes: {
      extract_a: { task: 'EXTRACT', kwargs: { source: 'a' } },
      extract_b: { task: 'EXTRACT', kwargs: { source: 'b' } },
      merge: { task: 'MERGE', after: ['extract_b', 'extract_a'] },
      report: { task: 'ARCHIVE', after: ['merge'] },
    },
    queue: pyQueue,
  });
  app.workflows.define('interop.BROKEN', { tasks: ['ORDER_PRODUCT', 'SHIP', 'SEND_MAIL'], schema: ORDER_SCHEMA, queue: pyQueue });
  // celeriac → Python → celeriac (two parents: one of each) → Python.
  app.task('wf.ts.price', () => (currentTask()!.kwargs['payload'] as { amount: number }).amount * 2, { queue: tsQueue });
  app.task(
    'wf.ts.total',
    (parts: number[]) => ({ total: parts.reduce((sum, part) => sum + part, 0), parents: currentWorkflow()?.parents, node: currentWorkflow()?.node }),
    { queue: tsQueue },
  );
  app.workflows.define('interop.MIXED', {
    nodes: {
      price: { task: 'wf.ts.price' },
      tax: { task: 'TAX', after: ['price'], queue: pyQueue },
      total: { task: 'wf.ts.total', after: ['price', 'tax'] },
      archive: { task: 'ARCHIVE', after: ['total'], queue: pyQueue },
    },
  });
}

interface Combination {
  label: string;
  broker: 'redis' | 'amqp';
  db: number;
}

function describeCombination(c: Combination): void {
  describe(`workflows of Python tasks, ${c.label}`, () => {
    const suffix = `${c.broker}_${process.pid}`;
    const pyQueue = `celeriac_interop_wf_py_${suffix}`;
    const tsQueue = `celeriac_interop_wf_ts_${suffix}`;
    let app: Celeriac;
    let tsWorker: Worker | undefined;
    let pyWorker: PythonWorker | undefined;

    beforeAll(async () => {
      if (c.broker === 'amqp') await requireRabbitMq();
      const backend = redis!.url(c.db);
      const broker = c.broker === 'redis' ? backend : AMQP_TEST_URL;
      app = new Celeriac({ broker, backend, defaultQueue: tsQueue, workflowQueue: tsQueue, resultExpires: 600, logLevel: 'warn' });
      defineWorkflows(app, pyQueue, tsQueue);
      tsWorker = await app.worker({ queues: [tsQueue], concurrency: 4, hostname: `celeriac_wf_${suffix}` }).start();
      pyWorker = new PythonWorker({ CELERY_BROKER_URL: broker, CELERY_RESULT_BACKEND: backend, INTEROP_PY_QUEUE: pyQueue }, pyQueue, `wf_${suffix}`, 'solo', 'director_tasks');
      await pyWorker.start(60_000);
    }, 90_000);

    afterAll(async () => {
      await tsWorker?.stop({ timeoutMs: 5_000 });
      await pyWorker?.stop();
      await app?.close();
      if (c.broker === 'amqp') {
        await withRawChannel(async (channel) => {
          for (const queue of [pyQueue, tsQueue]) {
            await channel.deleteQueue(queue);
            await channel.deleteExchange(queue);
          }
        });
      }
    }, 30_000);

    const failWithLog = (error: unknown): never => {
      throw new Error(`${(error as Error).message}\n--- Python worker log ---\n${pyWorker?.log.slice(-4_000) ?? ''}`);
    };

    it('Director form: a chain into a named group into a join, all on the Python worker', async () => {
      const run = await app.workflows.run('interop.ORDER', PAYLOAD, { comment: 'interop' });
      const record = await run.wait({ timeout: WAIT_MS }).catch(failWithLog);
      expect(record.status).toBe('success');
      expect(record.comment).toBe('interop');
      expect(record.tasks.map((task) => [task.key, task.status])).toEqual([
        ['ORDER_PRODUCT', 'success'],
        ['SEND_MAIL', 'success'],
        ['SEND_SMS', 'success'],
        ['ARCHIVE', 'success'],
      ]);
      const order = node(record, 'ORDER_PRODUCT');
      // A root gets no positional argument; payload and workflow_id arrive as kwargs.
      expect(order.result).toEqual({ order_id: ORDER_ID, workflow_id: run.id, args: [] });
      // One parent → its value.
      expect(node(record, 'SEND_MAIL').result).toBe(`mail to user 1234 about order ${ORDER_ID}`);
      expect(node(record, 'SEND_SMS').result).toBe(`sms to user 1234 about order ${ORDER_ID}`);
      // After a group → the list of its results, in member order, as one argument.
      expect(node(record, 'ARCHIVE').result).toEqual({
        archived: [`mail to user 1234 about order ${ORDER_ID}`, `sms to user 1234 about order ${ORDER_ID}`],
        arity: 1,
        workflow_id: run.id,
      });
      expect(node(record, 'SEND_MAIL').previous).toEqual([order.id]);
      expect(node(record, 'ARCHIVE').previous).toEqual([node(record, 'SEND_MAIL').id, node(record, 'SEND_SMS').id]);
      // Each node's id is the Celery task id: Python stored its result under it.
      expect(await app.asyncResult(node(record, 'ARCHIVE').id).get({ timeout: 5_000 })).toEqual(node(record, 'ARCHIVE').result);
      for (const task of record.tasks) expect(task.finished).not.toBeNull();
    }, WAIT_MS + 10_000);

    it('DAG form: node kwargs reach Python, several parents → a list in `after:` order', async () => {
      const run = await app.workflows.run('interop.ETL', { day: '2026-11-30' });
      const record = await run.wait({ timeout: WAIT_MS }).catch(failWithLog);
      expect(record.status).toBe('success');
      expect(node(record, 'extract_a').result).toBe('a@2026-11-30');
      expect(node(record, 'extract_b').result).toBe('b@2026-11-30');
      expect(node(record, 'merge').result).toEqual({ parts: ['b@2026-11-30', 'a@2026-11-30'], arity: 1 });
      expect(node(record, 'report').result).toEqual({ archived: { parts: ['b@2026-11-30', 'a@2026-11-30'], arity: 1 }, arity: 1, workflow_id: run.id });
    }, WAIT_MS + 10_000);

    it('a Python node that raises: the run ends in error with the Python exception in the node', async () => {
      const run = await app.workflows.run('interop.BROKEN', PAYLOAD);
      const record = await run.wait({ timeout: WAIT_MS }).catch(failWithLog);
      expect(record.status).toBe('error');
      expect(record.tasks.map((task) => [task.key, task.status])).toEqual([
        ['ORDER_PRODUCT', 'success'],
        ['SHIP', 'error'],
        ['SEND_MAIL', 'canceled'],
      ]);
      const ship = node(record, 'SHIP');
      expect(ship.error?.type).toBe('ValueError');
      expect(ship.error?.message).toBe(`cannot ship order ${ORDER_ID}: warehouse closed`);
      expect(ship.error?.traceback).toContain('Traceback');
      expect(ship.error?.traceback).toContain('warehouse closed');
      expect(ship.result).toBeNull();
    }, WAIT_MS + 10_000);

    it('mixed: celeriac and Python nodes pass results both ways', async () => {
      const run = await app.workflows.run('interop.MIXED', { amount: 50 });
      const record = await run.wait({ timeout: WAIT_MS }).catch(failWithLog);
      expect(record.status).toBe('success');
      expect(node(record, 'price').result).toBe(100);
      expect(node(record, 'tax').result).toBe(20);
      expect(node(record, 'total').result).toEqual({ total: 120, parents: { price: 100, tax: 20 }, node: 'total' });
      expect(node(record, 'archive').result).toEqual({ archived: { total: 120, parents: { price: 100, tax: 20 }, node: 'total' }, arity: 1, workflow_id: run.id });
    }, WAIT_MS + 10_000);

    it('an invalid payload is refused before anything reaches the Python worker', async () => {
      await expect(app.workflows.run('interop.ORDER', { user: 'john', product: 1000 })).rejects.toMatchObject({ name: 'PayloadError' });
      const page = await app.workflows.list({ name: 'interop.ORDER' });
      expect(page.items.every((item) => (item.payload as { user: unknown }).user === 1234)).toBe(true);
    });
  });
}

describeCombination({ label: 'Redis broker + backend', broker: 'redis', db: 1 });
describeCombination({ label: 'RabbitMQ broker, Redis backend', broker: 'amqp', db: 2 });
