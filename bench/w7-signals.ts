/**
 * Bench W7 (WORKFLOWS.md §W6): the cost of waiting, firing and mapping, on one transport.
 *
 *   npx tsx bench/w7-signals.ts [--transport redis|memory] [--n 10000] [--redis redis://127.0.0.1:6379/13]
 *
 * 1. N runs each wait on their own key (`wait` node correlated on `payload.k`); firing one event per
 *    key: time from the first fire until every run finished.
 * 2. Cost per fire when no node waits on the key, with those N runs waiting on other keys and
 *    with none (a fire must not scan runs: both figures should match).
 * 3. An N-item `map` end to end vs an N-member group of the same task, in the same run.
 *
 * Redis: the given database is flushed before and after (default DB 13, the bench's). The worker
 * runs in this process (concurrency 64).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Celeriac, currentTask, group } from '../src/index.js';

const arg = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1]! : fallback;
};
const transport = arg('transport', 'redis');
const n = Number(arg('n', '10000'));
const redisUrl = arg('redis', `redis://127.0.0.1:${process.env['CELERIAC_TEST_REDIS_PORT'] ?? 6379}/13`);

async function flush(): Promise<void> {
  if (transport !== 'redis') return;
  const client = new Redis(redisUrl);
  await client.flushdb();
  client.disconnect();
}

const url = transport === 'redis' ? redisUrl : `memory://${randomUUID()}`;
await flush();
const app = new Celeriac({ broker: url, backend: url, logLevel: 'warn' });
const double = app.task('w7.double', (x: number) => x * 2);
app.task('w7.items', () => Array.from({ length: Number(currentTask()?.kwargs['count']) }, (_, i) => i));
app.workflows.define('w7.WAIT', { nodes: { w: { type: 'wait', event: 'w7.paid', correlate: 'payload.k' } } });
app.workflows.define('w7.MAP', { nodes: { items: { task: 'w7.items', kwargs: { count: n } }, each: { type: 'map', task: 'w7.double', after: ['items'] } } });
const worker = await app.worker({ concurrency: 64 }).start();
const ms = (from: bigint): number => Number(process.hrtime.bigint() - from) / 1e6;
const results: Record<string, number | string> = { transport, n };

async function inBatches<T>(count: number, size: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i += size) out.push(...(await Promise.all(Array.from({ length: Math.min(size, count - i) }, (_, j) => make(i + j)))));
  return out;
}

async function firesWithoutWaiters(label: string, count: number): Promise<void> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i += 1) await app.fire('w7.nobody', { i }, { key: `none-${i}` });
  results[`fire, no waiter (${label}), µs/fire`] = Math.round((ms(start) * 1000) / count);
}

// 2a. Cost per fire with no run at all.
await firesWithoutWaiters('no runs', 2000);

// 1. N waiting runs, one key each.
const create = process.hrtime.bigint();
const runs = await inBatches(n, 200, (i) => app.workflows.run('w7.WAIT', { k: `key-${i}` }));
results['create N waiting runs, s'] = +(ms(create) / 1000).toFixed(2);
let finished = 0;
let allDone!: () => void;
const done = new Promise<void>((resolve) => (allDone = resolve));
const ids = new Set(runs.map((run) => run.id));
const stop = app.workflows.on('run', (event) => {
  if (event.status === 'success' && ids.has(event.runId) && (finished += 1) === n) allDone();
});
await new Promise((r) => setTimeout(r, 200));

// 2b. Cost per fire with N runs waiting on other keys.
await firesWithoutWaiters(`${n} runs waiting`, 2000);

const fire = process.hrtime.bigint();
const completed = await inBatches(n, 100, (i) => app.fire('w7.paid', { i }, { key: `key-${i}` }).then((o) => o.completed));
results['fire N events (one per key), s'] = +(ms(fire) / 1000).toFixed(2);
await done;
results['first fire → all N runs finished, s'] = +(ms(fire) / 1000).toFixed(2);
results['nodes completed by the fires'] = completed.reduce((a, b) => a + b, 0);
stop();

// 3. N-item map vs N-member group, same app and worker.
const map = process.hrtime.bigint();
const mapRun = await app.workflows.run('w7.MAP', {});
const mapped = await mapRun.wait({ timeout: 600_000 });
results['map of N items end to end, s'] = +(ms(map) / 1000).toFixed(2);
const mapResult = mapped.tasks.find((task) => task.key === 'each')?.result as number[] | undefined;
if (mapped.status !== 'success' || mapResult?.length !== n || mapResult[n - 1] !== (n - 1) * 2) throw new Error(`the map run ended ${mapped.status}`);
const grp = process.hrtime.bigint();
const groupResult = await (await group(Array.from({ length: n }, (_, i) => double.s(i))).applyAsync()).join({ timeout: 600_000 });
results['group of N members end to end, s'] = +(ms(grp) / 1000).toFixed(2);
if (groupResult.length !== n) throw new Error('group result size');

await worker.stop();
await app.close();
await flush();
for (const [key, value] of Object.entries(results)) console.log(`${key.padEnd(48)} ${value}`);
