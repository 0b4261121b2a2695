/**
 * Order workflow where one payload reaches every task: order a product, then mail the customer
 * using the order id the first task returned (the mail task gets the order id from the chain and
 * the same payload as its own argument).
 */
import { Celeriac, chain } from '../src/index.js';

export interface OrderPayload {
  customer: string;
  email: string;
  product: string;
  quantity: number;
}

/** Register the order tasks on `app` and return the canvas builder. */
export function orderTasks(app: Celeriac, log: (line: string) => void = () => undefined) {
  let nextOrder = 1000;
  const orderProduct = app.task('orders.order_product', (payload: OrderPayload) => {
    const orderId = `ORD-${(nextOrder += 1)}`;
    log(`order_product: ${payload.quantity} × ${payload.product} for ${payload.customer} → ${orderId}`);
    return orderId;
  });
  const mailCustomer = app.task('orders.mail_customer', (orderId: string, payload: OrderPayload) => {
    const mail = { to: payload.email, subject: `Your order ${orderId}`, body: `${payload.quantity} × ${payload.product} is on its way.` };
    log(`mail_customer: to ${mail.to}: "${mail.subject}"`);
    return mail;
  });
  /** Both tasks receive the payload; the mail task also gets the order id (first argument). */
  const workflow = (payload: OrderPayload) => chain(orderProduct.s(payload), mailCustomer.s(payload));
  return { workflow };
}

/** Run the order workflow (a worker must be running). */
export async function runOrderWorkflow(app: Celeriac, payload: OrderPayload, log: (line: string) => void = () => undefined) {
  const { workflow } = orderTasks(app, log);
  const result = await workflow(payload).applyAsync();
  return { mail: await result.get({ timeout: 10_000 }), orderId: await result.parent!.get({ timeout: 10_000 }) };
}
