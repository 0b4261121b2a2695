import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineFulfilOrder, runFulfilOrder } from '../../examples/fulfil-order.js';
import { runQuestionnaireTriggers } from '../../examples/triggers-questionnaire.js';
import { Celeriac, type Worker } from '../../src/index.js';
import { flushLeadDb, LEAD_DBS, leadRedisUrl, requireRedis } from '../helpers/lead-redis.js';
import { workflowTriggersSuite } from './workflow-triggers.suite.js';

const db = LEAD_DBS.triggers;
beforeAll(async () => {
  await requireRedis();
  await flushLeadDb(db);
});
afterAll(() => flushLeadDb(db));

const make = () => new Celeriac({ broker: leadRedisUrl(db), backend: leadRedisUrl(db), logLevel: 'silent' });
workflowTriggersSuite('redis', { app: make, second: make });

describe('the §W6 examples on Redis', () => {
  const app = make();
  let worker: Worker;
  beforeAll(async () => {
    worker = await app.worker({ concurrency: 8 }).start();
  });
  afterAll(async () => {
    await worker.stop();
    await app.close();
  });

  it('triggers questionnaire and dagger-style order fulfilment', async () => {
    expect(await runQuestionnaireTriggers(app, 'redis-session')).toMatchObject({ subjectId: 'SUBJ-ADA-36', statuses: { t_importSubject: 'finished', t_notifyResearcher: 'finished' } });
    defineFulfilOrder(app);
    const done = await runFulfilOrder(app, { order_id: 'R-1', amount: 500, ship_date: new Date(Date.now() + 200).toISOString() });
    expect(Object.fromEntries(done.tasks.map((task) => [task.key, task.status]))).toMatchObject({ paid: 'success', route: 'success', ship_express: 'success', ship_standard: 'skipped' });
  });
});
