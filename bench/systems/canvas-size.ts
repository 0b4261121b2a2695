/**
 * W5 canvas size: how many bytes a canvas costs on the wire, and whether that grows linearly.
 * celeriac: a {@link CountingBroker} around a MemoryBroker counts what `applyAsync()` publishes,
 * then what the whole run publishes (chain steps, chord bodies) with a worker draining it. Both
 * continuation modes are measured: `inline` (Celery's wire format, the default) and `reference`
 * (bodies and chain remainders stored once in the backend; those stored bytes are added in).
 * Celery: `python/canvas_size.py` counts what `apply_async()` publishes (the same measure).
 * @module
 */
import { fileURLToPath } from 'node:url';
import { chain, chord, Celeriac, group, MemoryBackend, MemoryBroker, type SignatureDict } from '../../src/index.js';
import { PYTHON, PEER_DB, redisUrl } from '../lib/config.js';
import { ChildHandle } from '../lib/child.js';
import { CountingBroker } from '../lib/counting-broker.js';

/** A canvas shape: a chain of `chords` chords of `width` inc tasks into xsum, or a group of `n`. */
export type SizeCase = { kind: 'chain_of_chords'; chords: number; width: number } | { kind: 'group'; n: number };

/** Bytes of one case for one system. */
export interface SizeResult {
  readonly case: SizeCase;
  /** Tasks in the canvas (chord bodies included). */
  readonly tasks: number;
  readonly applyMessages: number;
  readonly applyBytes: number;
  /** Everything published until the canvas finished (celeriac only). */
  readonly runMessages?: number;
  readonly runBytes?: number;
}

/** Tasks in a case. */
export function taskCount(c: SizeCase): number {
  return c.kind === 'group' ? c.n : c.chords * (c.width + 1);
}

/** A short name, e.g. `chain of 20 chords × 50` or `group of 10,000`. */
export function caseName(c: SizeCase): string {
  return c.kind === 'group' ? `group of ${c.n.toLocaleString('en-US')}` : `chain of ${c.chords} chords × ${c.width}`;
}

let storeSerial = 0;

/** A memory backend that counts the bytes of canvas fragments stored by reference. */
class CountingBackend extends MemoryBackend {
  bytes = 0;
  override async storeCanvas(key: string, dict: SignatureDict): Promise<void> {
    this.bytes += Buffer.byteLength(JSON.stringify(dict));
    return super.storeCanvas(key, dict);
  }
}

/** celeriac's continuation modes (app option `continuations`). */
export type ContinuationMode = 'inline' | 'reference';

/**
 * Measure celeriac's bytes for each case (apply, then the full run on an in-process worker).
 * In `reference` mode the bytes stored in the backend are counted with the published ones.
 */
export async function celeriacSizes(cases: readonly SizeCase[], continuations: ContinuationMode = 'inline'): Promise<SizeResult[]> {
  const out: SizeResult[] = [];
  for (const c of cases) {
    storeSerial += 1;
    const name = `bench-size-${storeSerial}`;
    const broker = new CountingBroker(new MemoryBroker({ name }));
    const backend = new CountingBackend({ name });
    const app = new Celeriac({ broker, backend, continuations, logLevel: 'warn', defaultQueue: 'celeriac_bench_size' });
    const inc = app.task('inc', (x: number) => x + 1);
    const xsum = app.task('xsum', (values: number[]) => values.reduce((a, b) => a + b, 0));
    const canvas =
      c.kind === 'group'
        ? group(...Array.from({ length: c.n }, (_, i) => inc.s(i)))
        : chain(
            ...Array.from({ length: c.chords }, (_, k) =>
              chord(Array.from({ length: c.width }, (_, i) => (k === 0 ? inc.s(i) : inc.s())), xsum.s()),
            ),
          );
    const result: { get(options: { timeout: number }): Promise<unknown> } = await canvas.applyAsync();
    const applyMessages = broker.messages;
    const applyBytes = broker.bytes + backend.bytes;
    const worker = await app.worker({ queues: ['celeriac_bench_size'], concurrency: 50 }).start();
    await result.get({ timeout: 300_000 });
    await worker.stop();
    await app.close();
    out.push({ case: c, tasks: taskCount(c), applyMessages, applyBytes, runMessages: broker.messages, runBytes: broker.bytes + backend.bytes });
  }
  return out;
}

/** Measure Python Celery's apply bytes for each case (run by `python/canvas_size.py`). */
export async function celerySizes(cases: readonly SizeCase[]): Promise<SizeResult[]> {
  const script = fileURLToPath(new URL('../python/canvas_size.py', import.meta.url));
  const child = ChildHandle.spawn(PYTHON, [script], { name: 'Celery canvas size', env: { BENCH_BACKEND: redisUrl(PEER_DB) } });
  const reply = await child.request({ cases }, 300_000);
  await child.stop(1_000);
  const sizes = reply['sizes'] as Array<{ messages: number; bytes: number }>;
  return cases.map((c, i) => ({ case: c, tasks: taskCount(c), applyMessages: sizes[i]!.messages, applyBytes: sizes[i]!.bytes }));
}

/** Cases of a W5 run. Celery's chains of chords stay ≤ 3 chords (see `python/canvas_size.py`). */
export function sizeCases(quick: boolean): { celeriac: SizeCase[]; celery: SizeCase[]; celerySkipped: SizeCase[] } {
  const chains = (chords: readonly number[], width = 50): SizeCase[] => chords.map((c) => ({ kind: 'chain_of_chords', chords: c, width }));
  const groups = (ns: readonly number[]): SizeCase[] => ns.map((n) => ({ kind: 'group', n }));
  if (quick) {
    return { celeriac: [...chains([2, 3, 5]), ...groups([1_000, 2_500])], celery: [...chains([2]), ...groups([1_000, 2_500])], celerySkipped: chains([5]) };
  }
  return {
    celeriac: [...chains([2, 3, 5, 10, 20]), ...chains([20], 25), ...chains([20], 100), ...groups([2_500, 5_000, 10_000])],
    celery: [...chains([2, 3]), ...groups([2_500, 5_000, 10_000])],
    celerySkipped: chains([20]),
  };
}
