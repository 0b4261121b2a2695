/**
 * A dagger-style order (WORKFLOWS.md §W6): charge the card, wait for the payment provider's
 * `payment.confirmed` event correlated on the order id, wait until the ship date in the payload,
 * then a decision task chooses the carrier; the branch not taken is skipped.
 */
import { currentTask, type Celeriac } from '../src/index.js';
import { currentWorkflow } from '../src/workflow/current.js';
import type { WorkflowRecord } from '../src/workflow/types.js';

/** The order's payload. */
export interface FulfilPayload {
  order_id: string;
  amount: number;
  ship_date: string;
}

/** Define the workflow and its tasks on `app`. */
export function defineFulfilOrder(app: Celeriac, log: (line: string) => void = () => undefined): void {
  app.task('orders.CHARGE', () => {
    log('CHARGE: card charged, waiting for the provider to confirm');
    return 'charged';
  });
  app.task('orders.CHOOSE_CARRIER', (shipAt: string) => {
    const { payload } = currentWorkflow<FulfilPayload>()!;
    const branch = payload.amount >= 100 ? 'express' : 'standard';
    log(`CHOOSE_CARRIER: ship date ${shipAt} reached, amount ${payload.amount} → ${branch}`);
    return branch;
  });
  app.task('orders.SHIP', () => {
    log(`SHIP: handed to the ${String(currentTask()?.kwargs['speed'])} carrier`);
    return 'shipped';
  });
  app.workflows.define('orders.FULFIL', {
    nodes: {
      charge: { task: 'orders.CHARGE' },
      paid: { type: 'wait', event: 'payment.confirmed', correlate: 'payload.order_id', timeout: 3600, after: ['charge'] },
      ship_at: { type: 'timer', at: 'payload.ship_date', after: ['paid'] },
      route: { type: 'decision', task: 'orders.CHOOSE_CARRIER', after: ['ship_at'], branches: { express: ['ship_express'], standard: ['ship_standard'] } },
      ship_express: { task: 'orders.SHIP', kwargs: { speed: 'express' } },
      ship_standard: { task: 'orders.SHIP', kwargs: { speed: 'standard' } },
    },
  });
}

/** Run one order end to end (a worker must be running): the payment event is fired once the run waits for it. */
export async function runFulfilOrder(app: Celeriac, payload: FulfilPayload, log: (line: string) => void = () => undefined): Promise<WorkflowRecord> {
  const run = await app.workflows.run('orders.FULFIL', payload);
  const stop = app.workflows.on('node', (event) => {
    if (event.runId === run.id) log(`${event.node}: ${event.status}`);
  });
  let record = await app.workflows.get(run.id);
  while (record.tasks.find((task) => task.key === 'paid')?.status !== 'progress') {
    await new Promise((resolve) => setTimeout(resolve, 10));
    record = await app.workflows.get(run.id);
  }
  const fired = await app.fire('payment.confirmed', { order_id: payload.order_id, amount: payload.amount }, { key: payload.order_id });
  log(`payment.confirmed fired for ${payload.order_id}: ${fired.completed} waiting node completed`);
  const done = await run.wait({ timeout: 30_000 });
  stop();
  return done;
}
