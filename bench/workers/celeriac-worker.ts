/**
 * A celeriac worker in its own process, so its RSS is its own. Environment:
 * `BENCH_TRANSPORT` (memory|redis|amqp), `BENCH_QUEUE`, `BENCH_EXPECT` (count a drain of that many
 * noop tasks), `BENCH_CONCURRENCY`, `BENCH_PREFETCH_MULTIPLIER`.
 *
 * Prints `{"event":"ready"}` once consuming, and `{"event":"drained","ms":…}` once BENCH_EXPECT
 * noop tasks were handled (run, result stored, acknowledged), timed from the start of consuming
 * (with `memory`, `process.memoryUsage()` at that moment, for diagnosis).
 * @module
 */
import type { Transport } from '../lib/config.js';
import { benchApp, untilIdle } from '../systems/celeriac-tasks.js';
import { emit, env, onStopSignal } from './emit.js';

const expect = Number(env('BENCH_EXPECT', '0'));
let count = 0;
let allStarted: () => void = () => undefined;
const started = new Promise<void>((resolve) => (allStarted = resolve));

const { app } = benchApp(env('BENCH_TRANSPORT') as Transport, env('BENCH_QUEUE'), () => {
  count += 1;
  if (count === expect) allStarted();
});
await app.connect();
const worker = app.worker({
  queues: [env('BENCH_QUEUE')],
  concurrency: Number(env('BENCH_CONCURRENCY', '50')),
  prefetchMultiplier: Number(env('BENCH_PREFETCH_MULTIPLIER', '4')),
  // CELERIAC_BENCH_METRICS=1 measures the cost of Prometheus metrics (served on a free port, not scraped).
  ...(process.env['CELERIAC_BENCH_METRICS'] === '1' ? { metrics: { port: 0, host: '127.0.0.1' } } : {}),
});
onStopSignal(async () => {
  await worker.stop({ timeoutMs: 5_000 });
  await app.close();
});

const t0 = performance.now();
await worker.start();
emit({ event: 'ready' });
if (expect > 0) {
  await started;
  await untilIdle(() => worker.activeCount);
  emit({ event: 'drained', ms: performance.now() - t0, memory: process.memoryUsage() });
}
