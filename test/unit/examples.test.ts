/** The README's examples run end to end on the embedded transport, and produce what they claim. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from '../../src/index.js';
import { runChordFanIn } from '../../examples/chord-fanin.js';
import { defineFulfilOrder, runFulfilOrder } from '../../examples/fulfil-order.js';
import { runQuestionnaireTriggers } from '../../examples/triggers-questionnaire.js';
import { runDynamicWorkflows } from '../../examples/dynamic-workflow.js';
import { runLoginWorkflow } from '../../examples/login-workflow.js';
import { runOrderWorkflow } from '../../examples/order-workflow.js';
import { runDirectorExample } from '../../examples/director-workflow.js';
import { runUsersUpdateCache } from '../../examples/users-update-cache.js';
import { runOperatingExample } from '../../examples/operating.js';
import { memoryApp } from '../helpers/memory-app.js';

const app = memoryApp();
let worker: Worker;
beforeAll(async () => {
  worker = await app.worker({ concurrency: 8 }).start();
});
afterAll(async () => {
  await worker.stop();
  await app.close();
});

describe('examples', () => {
  it('login workflow: a new device is challenged, after notify ‖ save and the scoring API', async () => {
    const steps: string[] = [];
    const result = await runLoginWorkflow(app, { user: 'ada', device: 'phone-7', ip: '203.0.113.9' }, (l) => steps.push(l.split(':')[0]!));
    expect(result).toEqual({ eventId: 'evt-ada-phone-7', score: 0.8, decision: 'challenge' });
    expect(steps[0]).toBe('check_device');
    expect(steps.slice(1, 3).sort()).toEqual(['notify_user', 'save_event']);
    expect(steps.slice(3)).toEqual(['post_to_scoring', 'post_process']);
  });

  it("Director's users.UPDATE_CACHE: periodic runs with {user: false}, then by hand with john.doe", async () => {
    const runs = await runUsersUpdateCache(app, () => undefined, { intervalSeconds: 0.2, periodicRuns: 2 });
    expect(runs.map(({ periodic, refreshed }) => ({ periodic, refreshed }))).toEqual([
      { periodic: true, refreshed: 'all users' },
      { periodic: true, refreshed: 'all users' },
      { periodic: false, refreshed: 'user john.doe' },
    ]);
    expect(new Set(runs.map((r) => r.runId)).size).toBe(3);
  });

  it('order workflow: the mail uses the order id the first task returned', async () => {
    const { mail, orderId } = await runOrderWorkflow(app, { customer: 'Grace', email: 'g@example.com', product: 'keyboard', quantity: 2 });
    expect(orderId).toMatch(/^ORD-\d+$/);
    expect(mail).toEqual({ to: 'g@example.com', subject: `Your order ${orderId}`, body: '2 × keyboard is on its way.' });
  });

  it("Director's example: product.ORDER passes the order id to SEND_MAIL, the ETL join gets both extracts, a bad payload is refused", async () => {
    const steps: string[] = [];
    const result = await runDirectorExample(app, (line) => steps.push(line));
    expect(result.order).toEqual({ status: 'success', tasks: [['ORDER_PRODUCT', 'success', 1], ['SEND_MAIL', 'success', 'Mail sent to user 1234 for order 1']] });
    expect(result.etl).toEqual({ status: 'success', report: '395 rows from a, b' });
    expect(result.rejected).toEqual(['/user: must be integer']);
    expect(steps.filter((step) => step.startsWith('EXTRACT')).sort()).toEqual(['EXTRACT: 197 rows from source a', 'EXTRACT: 198 rows from source b']);
  });

  it('chord fan-in: totals in header order, link on success, linkError once on failure', async () => {
    const outcome = await runChordFanIn(app);
    expect(outcome.total).toBe(55 + 55 + 95);
    expect(outcome.failure).toMatch(/^ChordError: Dependency .* raised Exception\('closed-shop is closed'\)$/);
    expect(outcome.reports).toEqual([`total ${outcome.total}`, `failed ${outcome.failedId}`]);
  });

  it('triggers: the subject is imported from the first page once the questionnaire completed, and its id cascades', async () => {
    const outcome = await runQuestionnaireTriggers(app, 'session-test');
    expect(outcome).toEqual({ subjectId: 'SUBJ-ADA-36', notified: 'new subject SUBJ-ADA-36', statuses: { t_importSubject: 'finished', t_notifyResearcher: 'finished' } });
  });

  it('order fulfilment: the correlated payment completes the wait, the timer waits for the ship date, the decision skips the other carrier', async () => {
    defineFulfilOrder(app);
    const shipDate = new Date(Date.now() + 300).toISOString();
    const done = await runFulfilOrder(app, { order_id: 'T-1', amount: 20, ship_date: shipDate });
    expect(Object.fromEntries(done.tasks.map((task) => [task.key, task.status]))).toEqual({ charge: 'success', paid: 'success', ship_at: 'success', route: 'success', ship_express: 'skipped', ship_standard: 'success' });
    expect(done.tasks.find((task) => task.key === 'paid')?.result).toEqual({ order_id: 'T-1', amount: 20 });
    expect(done.tasks.find((task) => task.key === 'route')?.result).toBe('standard');
    expect(Date.parse(done.tasks.find((task) => task.key === 'ship_at')!.finished!)).toBeGreaterThanOrEqual(Date.parse(shipDate));
  });

  it('dynamic workflows: a replaced listing sums its files; added chord parts reach the body', async () => {
    const { bytes, pages } = await runDynamicWorkflows(app);
    expect(bytes).toBe(120 + 80 + 40);
    expect(pages).toEqual(['/', '/about', '/blog', '/blog/1', '/blog/2']);
  });

  it('npm run demo prints every step and the final results', async () => {
    const { stdout } = await promisify(execFile)('node', ['--import', 'tsx', 'examples/demo.ts'], { timeout: 60_000 });
    expect(stdout).toContain('post_process: challenge');
    expect(stdout).toContain('mail_customer: to grace@example.com');
    expect(stdout).toContain('alert (linkError)');
    expect(stdout).toContain('NotifyResearcher: new subject SUBJ-ADA-36');
    expect(stdout).toContain('ship_standard: skipped');
    expect(stdout).toContain('All workflows finished.');
  });

  it('operating: progress is readable while the task runs; postrun and failure signals fire', async () => {
    const outcome = await runOperatingExample(app, () => undefined);
    expect(outcome.value).toEqual({ imported: 20 });
    expect(outcome.progressSeen).toBeGreaterThan(0);
    expect(outcome.finished.map((f) => `${f.name}:${f.state}`)).toEqual(['ops.import_rows:SUCCESS', 'ops.import_rows:FAILURE']);
    expect(outcome.failures).toHaveLength(1);
    expect(outcome.failures[0]).toContain('RangeError: nothing to import');
  });
});
