/**
 * `npm run demo`: every example end to end on the embedded in-memory broker and backend
 * (no server needed). Shows each step as the worker runs it, then the final results.
 */
import { Celeriac } from '../src/index.js';
import { runChordFanIn } from './chord-fanin.js';
import { runDirectorExample } from './director-workflow.js';
import { defineFulfilOrder, runFulfilOrder } from './fulfil-order.js';
import { runQuestionnaireTriggers } from './triggers-questionnaire.js';
import { runLoginWorkflow } from './login-workflow.js';
import { runOrderWorkflow } from './order-workflow.js';
import { runUsersUpdateCache } from './users-update-cache.js';

const app = new Celeriac({ logLevel: 'warn' }); // broker and backend default to memory://
const log = (line: string) => console.log(`  · ${line}`);
const worker = await app.worker({ concurrency: 8 }).start();

console.log('1. New-device login: check device → (notify user ‖ save event) → scoring API → post-process');
const login = await runLoginWorkflow(app, { user: 'ada', device: 'phone-7', ip: '203.0.113.9' }, log);
console.log('  ⇒', JSON.stringify(login));

console.log('\n2. Order: order the product → mail the customer with the order id (one payload for both)');
const order = await runOrderWorkflow(app, { customer: 'Grace', email: 'grace@example.com', product: 'keyboard', quantity: 2 }, log);
console.log('  ⇒', JSON.stringify(order));

console.log('\n3. Chord fan-in with link/linkError: prices from shops → total → report (or alert once)');
const fanIn = await runChordFanIn(app, log);
console.log('  ⇒', JSON.stringify(fanIn));

console.log('\n4. Workflows (Director-style YAML): product.ORDER with a validated payload, the etl.DAILY DAG, a refused payload');
const director = await runDirectorExample(app, log);
console.log('  ⇒', JSON.stringify(director));
console.log('\n5. Schedules: Director\'s users.UPDATE_CACHE fired by two beats (every 0.3 s here, hourly in real life), then by hand');
const refreshes = await runUsersUpdateCache(app, log);
console.log('  ⇒', JSON.stringify(refreshes.map(({ periodic, refreshed }) => ({ periodic, refreshed }))));
console.log('\n6. Triggers: import a subject once the first page and the completion fired in a session, then notify (cascade)');
const questionnaire = await runQuestionnaireTriggers(app, 'session-42', log);
console.log('  ⇒', JSON.stringify(questionnaire));

console.log('\n7. Order fulfilment: charge → wait for payment.confirmed (order id) → timer to the ship date → carrier decision');
defineFulfilOrder(app, log);
const fulfil = await runFulfilOrder(app, { order_id: 'A-17', amount: 120, ship_date: new Date(Date.now() + 1000).toISOString() }, log);
console.log('  ⇒', JSON.stringify(Object.fromEntries(fulfil.tasks.map((task) => [task.key, task.status]))));

await worker.stop();
await app.close();
console.log('\nAll workflows finished.');
