/**
 * A BullMQ worker in its own process, the counterpart of `celeriac-worker.ts` (same protocol and
 * environment: `BENCH_QUEUE`, `BENCH_EXPECT`, `BENCH_CONCURRENCY`).
 * `drained` is timed from `worker.run()` to the BENCH_EXPECT-th `completed` event (with `memory`,
 * `process.memoryUsage()` at that moment, for diagnosis).
 * @module
 */
import { Worker } from 'bullmq';
import { BULLMQ_CONNECTION, processBenchJob } from '../systems/bullmq-shared.js';
import { emit, env, onStopSignal } from './emit.js';

const expect = Number(env('BENCH_EXPECT', '0'));
const worker = new Worker(env('BENCH_QUEUE'), processBenchJob, {
  connection: BULLMQ_CONNECTION,
  concurrency: Number(env('BENCH_CONCURRENCY', '50')),
  autorun: false,
});
worker.on('error', (error) => process.stderr.write(`bullmq worker error: ${String(error)}\n`));
let completed = 0;
let t0 = 0;
worker.on('completed', () => {
  completed += 1;
  if (completed === expect) emit({ event: 'drained', ms: performance.now() - t0, memory: process.memoryUsage() });
});
onStopSignal(() => worker.close());

await worker.waitUntilReady();
t0 = performance.now();
void worker.run();
emit({ event: 'ready' });
