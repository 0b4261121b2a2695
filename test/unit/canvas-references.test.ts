/**
 * With continuations: 'reference', every embedded dict is stored once and referenced: the whole
 * canvas suite still holds (threshold 0 references everything), and a chain of chords stays
 * linear in published bytes while inline encoding grows quadratically.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Celeriac, chain, chord, MemoryBackend, MemoryBroker, type Broker, type WireMessage, type PublishTarget } from '../../src/index.js';
import { canvasConformance } from '../conformance/canvas.suite.js';
import { memoryApp } from '../helpers/memory-app.js';

canvasConformance('memory, every continuation referenced', () => memoryApp({ continuations: 'reference', referenceThresholdBytes: 0 }));
canvasConformance('memory, continuations referenced on the celeriac-only default queue', () =>
  memoryApp({ continuations: { referenceQueues: ['celery'] }, referenceThresholdBytes: 0 }),
);

/** A memory broker that counts the body bytes published through it. */
function countingBroker(name: string): { broker: Broker; bytes: () => number } {
  const inner = new MemoryBroker({ name });
  let total = 0;
  const broker = Object.assign(Object.create(MemoryBroker.prototype) as MemoryBroker, inner, {
    publish: async (target: PublishTarget, message: WireMessage) => {
      total += message.body.length;
      return inner.publish(target, message);
    },
    publishBatch: async (items: ReadonlyArray<{ target: PublishTarget; message: WireMessage }>) => {
      for (const item of items) total += item.message.body.length;
      return inner.publishBatch(items);
    },
  });
  return { broker, bytes: () => total };
}

async function publishedBytes(chords: number, width: number, continuations: 'inline' | 'reference'): Promise<number> {
  const name = randomUUID();
  const counting = countingBroker(name);
  const app = new Celeriac({ broker: counting.broker, backend: new MemoryBackend({ name }), continuations, logLevel: 'silent' });
  const inc = app.task('inc', (x: number) => x + 1);
  const xsum = app.task('xsum', (values: number[]) => values.reduce((a, b) => a + b, 0));
  const worker = await app.worker({ concurrency: 50 }).start();
  const steps = Array.from({ length: chords }, () => chord(Array.from({ length: width }, () => inc.s()), xsum.s()));
  const result = await chain(inc.s(0), ...steps).applyAsync();
  await result.get({ timeout: 30_000 });
  await worker.stop();
  await app.close();
  return counting.bytes();
}

describe('canvas size', () => {
  it('a chain of chords grows linearly with references, quadratically inline', async () => {
    const ref5 = await publishedBytes(5, 20, 'reference');
    const ref20 = await publishedBytes(20, 20, 'reference');
    const inline5 = await publishedBytes(5, 20, 'inline');
    const inline20 = await publishedBytes(20, 20, 'inline');
    // 4x the tasks: about 4x the bytes with references, far more inline.
    expect(ref20 / ref5).toBeLessThan(5);
    expect(inline20 / inline5).toBeGreaterThan(8);
    expect(ref20).toBeLessThan(inline20 / 4);
  });

  it('a canvas over the message budget is refused before anything is sent', async () => {
    const app = memoryApp({ maxMessageBytes: 2_000 });
    const echo = app.task('echo', (value: string) => value);
    await expect(chain(echo.s('x'.repeat(3_000)), echo.s()).applyAsync()).rejects.toThrow(/over the 2000-byte budget/);
    const broker = (await app.connect()).broker;
    expect(await broker.queueLength('celery')).toBe(0);
    await app.close();
  });
});
