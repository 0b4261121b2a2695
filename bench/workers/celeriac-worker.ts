/**
 * A celeriac worker in its own process, so its RSS is its own. Environment:
 * `BENCH_TRANSPORT` (memory|redis|amqp), `BENCH_QUEUE`, `BENCH_EXPECT` (count a drain of that many
 * noop tasks), `BENCH_CONCURRENCY`, `BENCH_PREFETCH_MULTIPLIER`.
 *
 * Prints `{"event":"ready"}` once consuming, and `{"event":"drained","ms":…,"cpuMs":…}` once
 * BENCH_EXPECT noop tasks were handled (run, result stored, acknowledged), timed from the start of
 * consuming; `cpuMs` is this process's CPU time (user + system) over the same span.
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
});
onStopSignal(async () => {
  await worker.stop({ timeoutMs: 5_000 });
  await app.close();
});

const t0 = performance.now();
const cpu0 = process.cpuUsage();
await worker.start();
emit({ event: 'ready' });
if (expect > 0) {
  await started;
  await untilIdle(() => worker.activeCount);
  const cpu = process.cpuUsage(cpu0);
  emit({ event: 'drained', ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 });
}
