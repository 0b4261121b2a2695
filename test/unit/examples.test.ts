/** The README's examples run end to end on the embedded transport, and produce what they claim. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from '../../src/index.js';
import { runChordFanIn } from '../../examples/chord-fanin.js';
import { runDynamicWorkflows } from '../../examples/dynamic-workflow.js';
import { runLoginWorkflow } from '../../examples/login-workflow.js';
import { runOrderWorkflow } from '../../examples/order-workflow.js';
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

  it('order workflow: the mail uses the order id the first task returned', async () => {
    const { mail, orderId } = await runOrderWorkflow(app, { customer: 'Grace', email: 'g@example.com', product: 'keyboard', quantity: 2 });
    expect(orderId).toMatch(/^ORD-\d+$/);
    expect(mail).toEqual({ to: 'g@example.com', subject: `Your order ${orderId}`, body: '2 × keyboard is on its way.' });
  });

  it('chord fan-in: totals in header order, link on success, linkError once on failure', async () => {
    const outcome = await runChordFanIn(app);
    expect(outcome.total).toBe(55 + 55 + 95);
    expect(outcome.failure).toMatch(/^ChordError: Dependency .* raised Exception\('closed-shop is closed'\)$/);
    expect(outcome.reports).toEqual([`total ${outcome.total}`, `failed ${outcome.failedId}`]);
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
    expect(stdout).toContain('All workflows finished.');
  });
});
