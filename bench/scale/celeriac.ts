/**
 * celeriac in the scale run: producers in this process (the default app, and one with
 * `continuations: 'reference'` for the reference-mode chain), one worker child on Redis.
 * @module
 */
import { chain, chord, group } from '../../src/index.js';
import { queueName } from '../lib/config.js';
import { benchApp, type BenchTasks } from '../systems/celeriac-tasks.js';
import { startChildWorker } from '../systems/celeriac.js';
import { expectEqual, measure, type Measured, type ScaleDriver } from './types.js';

const TIMEOUT_MS = 900_000;
type Worker = Awaited<ReturnType<typeof startChildWorker>>;

/** celeriac on Redis; see the module documentation. */
export class CeleriacScale implements ScaleDriver {
  private readonly queue = queueName('celeriac', 'canvas');
  private readonly inline: BenchTasks = benchApp('redis', this.queue);
  private readonly reference: BenchTasks = benchApp('redis', this.queue, undefined, { continuations: 'reference' });
  private worker: Worker | undefined;

  async start(): Promise<void> {
    await Promise.all([this.inline.app.connect(), this.reference.app.connect()]);
    await (await this.inline.app.connect()).broker.purge(this.queue);
    this.worker = await startChildWorker('redis', this.queue, 0);
  }

  w1(n: number): Promise<Measured> {
    const { noop } = this.inline;
    return measure(this.cpu, async () => {
      const results = await Promise.all(Array.from({ length: n }, () => noop.applyAsync([])));
      const values = await Promise.all(results.map((r) => r.get({ timeout: TIMEOUT_MS })));
      expectEqual(values.filter((v) => v === null).length, n, 'W1 results');
    });
  }

  group(n: number): Promise<Measured> {
    const { inc } = this.inline;
    return measure(this.cpu, async () => {
      const values = await (await group(...Array.from({ length: n }, (_, i) => inc.s(i))).applyAsync()).join({ timeout: TIMEOUT_MS });
      expectEqual((values as number[]).reduce((a, b) => a + b, 0), (n * (n + 1)) / 2, 'group sum');
    });
  }

  chord(n: number): Promise<Measured> {
    const { inc, xsum } = this.inline;
    return measure(this.cpu, async () => {
      const value = await (await chord(Array.from({ length: n }, (_, i) => inc.s(i)), xsum.s()).applyAsync()).get({ timeout: TIMEOUT_MS });
      expectEqual(value, (n * (n + 1)) / 2, 'chord');
    });
  }

  chain(steps: number, mode: 'inline' | 'reference', timeoutMs: number): Promise<Measured> {
    const { inc } = mode === 'reference' ? this.reference : this.inline;
    return measure(this.cpu, async () => {
      const result = await chain(inc.s(0), ...Array.from({ length: steps - 1 }, () => inc.s())).applyAsync();
      expectEqual(await result.get({ timeout: timeoutMs }), steps, `chain (${mode})`);
    });
  }

  async close(): Promise<void> {
    await this.worker?.stop();
    await Promise.all([this.inline.app.close(), this.reference.app.close()]);
  }

  private readonly cpu = (): number => this.worker!.cpuMs!();
}
