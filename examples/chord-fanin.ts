/**
 * Chord fan-in with link / linkError: fetch prices from several shops in parallel, sum them in the
 * chord body, report the total through a link callback; a failing shop fails the chord once and
 * fires the body's errback once.
 */
import { Celeriac, chord, type RemoteTaskError } from '../src/index.js';

/** Register the tasks and return the canvas builders. */
export function fanInTasks(app: Celeriac, log: (line: string) => void = () => undefined) {
  const reports: string[] = [];
  const price = app.task('shop.price', async (shop: string, item: string) => {
    await new Promise((resolve) => setTimeout(resolve, 5 + (shop.length % 3) * 5));
    if (shop === 'closed-shop') throw new Error(`${shop} is closed`);
    const value = shop.length * 10 + item.length;
    log(`price: ${shop} sells ${item} for ${value}`);
    return value;
  });
  const total = app.task('shop.total', (prices: number[]) => {
    log(`total: ${prices.join(' + ')} = ${prices.reduce((a, b) => a + b, 0)}`);
    return prices.reduce((a, b) => a + b, 0);
  });
  const report = app.task('shop.report', (value: number) => {
    reports.push(`total ${value}`);
    log(`report (link): total is ${value}`);
    return value;
  });
  const alert = app.task('shop.alert', (failedTaskId: string) => {
    reports.push(`failed ${failedTaskId}`);
    log(`alert (linkError): chord ${failedTaskId} failed`);
    return failedTaskId;
  });
  const workflow = (shops: string[], item: string) =>
    chord(
      shops.map((shop) => price.s(shop, item)),
      total.s().link(report.s()).linkError(alert.s()),
    );
  return { workflow, reports };
}

/** Run a successful and a failing fan-in (a worker must be running). */
export async function runChordFanIn(app: Celeriac, log: (line: string) => void = () => undefined) {
  const { workflow, reports } = fanInTasks(app, log);
  const ok = await workflow(['north', 'south', 'east-side'], 'apple').applyAsync();
  const total = await ok.get({ timeout: 10_000 });
  const bad = await workflow(['north', 'closed-shop'], 'apple').applyAsync();
  const failure = (await bad.get({ timeout: 10_000, propagate: false })) as RemoteTaskError;
  for (let i = 0; i < 100 && reports.length < 2; i += 1) await new Promise((r) => setTimeout(r, 20));
  return { total, failure: `${failure.excType}: ${String(failure.excArgs[0])}`, failedId: bad.id, reports };
}
