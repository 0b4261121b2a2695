/**
 * The worker of the result-storing ceiling (`systems/raw-results.ts`), in its own process like
 * celeriac's and BullMQ's workers, so its CPU and RSS are measured the same way. A plain ioredis
 * loop: pipelined RPOP of up to BENCH_CONCURRENCY messages (BRPOP when the queue is empty), parse
 * each envelope and its body, run the no-op, then store and announce its result the way Celery's
 * Redis backend does (`SET celery-task-meta-<id> <json> EX 86400` + `PUBLISH` on the same name),
 * pipelined per batch, with up to BENCH_PREFETCH_MULTIPLIER batches of writes in flight.
 * No acks, retries or task registry: the least work a task system that returns results can do.
 *
 * Environment: `BENCH_QUEUE`, `BENCH_EXPECT` (announce a drain of that many tasks),
 * `BENCH_CONCURRENCY`, `BENCH_PREFETCH_MULTIPLIER`. Prints `{"event":"ready"}` once consuming and
 * `{"event":"drained","ms":…}` once BENCH_EXPECT results were written, timed from the start.
 * @module
 */
import { Redis } from 'ioredis';
import { CELERIAC_DB, REDIS_PORT } from '../lib/config.js';
import { emit, env, onStopSignal } from './emit.js';

/** What the ceiling stores per task: Celery's result meta. */
interface Envelope {
  body: string;
  headers: { id: string };
}

const queue = env('BENCH_QUEUE');
const expect = Number(env('BENCH_EXPECT', '0'));
const batch = Number(env('BENCH_CONCURRENCY', '50'));
const maxInFlight = Number(env('BENCH_PREFETCH_MULTIPLIER', '4'));
const RESULT_EXPIRES_S = 86_400;

const options = { host: '127.0.0.1', port: REDIS_PORT, db: CELERIAC_DB };
const fetcher = new Redis(options);
const writer = new Redis(options);
const inFlight = new Set<Promise<void>>();
let stopping = false;
let done = 0;
let t0 = 0;

function noop(): null {
  return null;
}

/** Run a batch of messages and write their results in one pipeline (not awaited here). */
function handle(messages: readonly string[]): void {
  const pipeline = writer.pipeline();
  for (const raw of messages) {
    const envelope = JSON.parse(raw) as Envelope;
    const id = envelope.headers.id;
    const [args] = JSON.parse(Buffer.from(envelope.body, 'base64').toString('utf8')) as [unknown[]];
    const result = noop(...(args as []));
    const meta = JSON.stringify({ status: 'SUCCESS', result, traceback: null, children: [], date_done: new Date().toISOString(), task_id: id });
    const key = `celery-task-meta-${id}`;
    pipeline.set(key, meta, 'EX', RESULT_EXPIRES_S);
    pipeline.publish(key, meta);
  }
  const written: Promise<void> = pipeline.exec().then((replies) => {
    const failed = (replies ?? []).find(([error]) => error);
    if (failed) throw failed[0]!;
    done += messages.length;
    if (done === expect) emit({ event: 'drained', ms: performance.now() - t0, memory: process.memoryUsage() });
  });
  inFlight.add(written);
  void written.finally(() => inFlight.delete(written));
}

async function consume(): Promise<void> {
  while (!stopping) {
    const pipeline = fetcher.pipeline();
    for (let i = 0; i < batch; i += 1) pipeline.rpop(queue);
    const messages: string[] = [];
    for (const [error, value] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      if (typeof value === 'string') messages.push(value);
    }
    if (messages.length === 0) {
      const popped = await fetcher.brpop(queue, 1);
      if (!popped) continue;
      messages.push(popped[1]);
    }
    handle(messages);
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
  }
}

onStopSignal(async () => {
  stopping = true;
  await Promise.allSettled(inFlight);
  fetcher.disconnect();
  writer.disconnect();
});

await Promise.all([fetcher.ping(), writer.ping()]);
t0 = performance.now();
emit({ event: 'ready' });
consume().catch((error: unknown) => {
  if (stopping) return;
  process.stderr.write(`ceiling worker failed: ${String(error)}\n`);
  process.exit(1);
});
