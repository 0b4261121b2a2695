/**
 * W6's untimed-per-round part, run once: how many bytes each workflow node costs on the wire as the
 * workflow grows (1,000 → 10,000 nodes), and how long `app.workflows.list()` takes for one page at
 * 1,000 and at 100,000 stored runs.
 *
 * Bytes: a counting `Broker` around `MemoryBroker` records everything published from
 * `workflows.run()` until the run finished (with an in-process celeriac worker, node callbacks run
 * in the worker: the node messages are all there is), by the W5 measure (body + JSON headers +
 * JSON properties).
 *
 * list(): runs are written straight into a store (one node each, `createRun`, no publishing), then
 * `app.workflows.list()` on an app using that store reads the first page (50), the second page
 * (through the cursor) and the first page of one workflow name; median of 15 calls each.
 * @module
 */
import { Celeriac, MemoryBroker } from '../../src/index.js';
import { newId } from '../../src/ids.js';
import { MemoryWorkflowStore } from '../../src/workflow/store/memory.js';
import { RedisWorkflowStore } from '../../src/workflow/store/redis.js';
import type { RunMeta, WorkflowStore } from '../../src/workflow/store/store.js';
import { CELERIAC_DB, redisUrl } from '../lib/config.js';
import { CountingBroker } from '../lib/counting-broker.js';
import { median } from '../lib/stats.js';
import { wfStep } from './celeriac-tasks.js';
import { expectRun, lastLayerValue, layeredWorkflow, linearWorkflow } from './workflow-shapes.js';

/** Wire bytes of one workflow run. */
export interface WorkflowBytes {
  readonly shape: string;
  readonly nodes: number;
  readonly messages: number;
  readonly bytes: number;
}

/** One page of `list()` at a number of stored runs. */
export interface ListTiming {
  readonly store: 'memory' | 'redis';
  readonly runs: number;
  readonly firstPageMs: number;
  readonly secondPageMs: number;
  readonly byNameMs: number;
}

/** Everything W6 measures once. */
export interface WorkflowExtras {
  readonly bytes: readonly WorkflowBytes[];
  readonly list: readonly ListTiming[];
}

const QUEUE = 'celeriac_bench_wf_size';
const TIMEOUT_MS = 600_000;
/** Stored runs at which list() is timed (`--quick`: 1,000 and 10,000). */
const LIST_SIZES = [1_000, 100_000] as const;
const QUICK_LIST_SIZES = [1_000, 10_000] as const;
const LIST_SAMPLES = 15;
const LIST_PREFIX = 'celeriac-bench-list-';

let serial = 0;

/** Bytes of one run of each shape (see the module documentation). */
export async function workflowBytes(): Promise<WorkflowBytes[]> {
  const shapes = [
    { shape: 'linear', nodes: 1_000, define: (app: Celeriac) => linearWorkflow(app, 1_000), check: ['wfstep#1000', 1_000] as const },
    { shape: 'linear', nodes: 10_000, define: (app: Celeriac) => linearWorkflow(app, 10_000), check: ['wfstep#10000', 10_000] as const },
    { shape: 'layered 10 × 100', nodes: 1_000, define: (app: Celeriac) => layeredWorkflow(app, 10, 100), check: ['n9_0', lastLayerValue(10)] as const },
    { shape: 'layered 100 × 100', nodes: 10_000, define: (app: Celeriac) => layeredWorkflow(app, 100, 100), check: ['n99_0', lastLayerValue(100)] as const },
  ];
  const out: WorkflowBytes[] = [];
  for (const shape of shapes) {
    serial += 1;
    const name = `bench-wf-size-${serial}`;
    const broker = new CountingBroker(new MemoryBroker({ name }));
    const app = new Celeriac({ broker, backend: `memory://${name}`, defaultQueue: QUEUE, logLevel: 'warn' });
    app.task('wfstep', wfStep);
    const worker = await app.worker({ queues: [QUEUE], concurrency: 50 }).start();
    try {
      const workflow = shape.define(app);
      const record = await (await app.workflows.run(workflow, {})).wait({ timeout: TIMEOUT_MS });
      expectRun(record, shape.check[0], shape.check[1], `W6 bytes, ${shape.shape}`);
      out.push({ shape: shape.shape, nodes: shape.nodes, messages: broker.messages, bytes: broker.bytes });
    } finally {
      await worker.stop();
      await app.close();
    }
  }
  return out;
}

function meta(i: number, base: number): RunMeta {
  const name = i % 2 === 0 ? 'LIST_A' : 'LIST_B';
  return { id: newId(), project: 'bench', name, fullname: `bench.${name}`, payload: { i }, comment: null, periodic: false, created: base + i, graphId: 'bench-list', onFailure: 'stop', hooks: {} };
}

async function fill(store: WorkflowStore, from: number, to: number, base: number): Promise<void> {
  const batch = 500;
  for (let start = from; start < to; start += batch) {
    const end = Math.min(to, start + batch);
    await Promise.all(Array.from({ length: end - start }, (_, k) => store.createRun(meta(start + k, base), { only: newId() }, { expiresSeconds: 3_600 })));
  }
}

async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < LIST_SAMPLES; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

/** `list()` page times on one store kind at 1,000 and 100,000 runs (10,000 when `quick`). */
export async function listTimings(kind: 'memory' | 'redis', quick = false): Promise<ListTiming[]> {
  const sizes = quick ? QUICK_LIST_SIZES : LIST_SIZES;
  serial += 1;
  const store: WorkflowStore =
    kind === 'memory' ? new MemoryWorkflowStore({ name: `bench-list-${serial}` }) : new RedisWorkflowStore({ url: redisUrl(CELERIAC_DB), workflowKeyPrefix: `${LIST_PREFIX}${serial}-` });
  const app = new Celeriac({ broker: `memory://bench-list-${serial}`, backend: `memory://bench-list-${serial}`, workflowStore: store, logLevel: 'warn' });
  const out: ListTiming[] = [];
  try {
    await store.connect();
    const base = Date.now() - 10 * sizes[sizes.length - 1]!;
    let stored = 0;
    for (const runs of sizes) {
      await fill(store, stored, runs, base);
      stored = runs;
      const first = await app.workflows.list({ limit: 50 });
      if (first.items.length !== 50 || first.cursor === undefined) throw new Error(`W6 list on ${kind}: expected a full first page with a cursor`);
      const cursor = first.cursor;
      out.push({
        store: kind,
        runs,
        firstPageMs: await timeMs(() => app.workflows.list({ limit: 50 })),
        secondPageMs: await timeMs(() => app.workflows.list({ limit: 50, cursor })),
        byNameMs: await timeMs(() => app.workflows.list({ name: 'bench.LIST_A', limit: 50 })),
      });
    }
    return out;
  } finally {
    await app.close();
    await store.close().catch(() => undefined);
  }
}
