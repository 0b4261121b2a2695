/**
 * Chain cursors (continuations: 'reference'): a long chain is stored once and each hop's message
 * carries a cursor, so a hop publishes the same bytes at any chain length; chains mixing groups and
 * chords, failures in the middle, links and parents all behave as with inline chains.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Celeriac, chain, chord, group, MemoryBackend, MemoryBroker, RemoteTaskError, type Broker, type PublishTarget, type WireMessage } from '../../src/index.js';

/** A memory broker that records the body size of every message published through it. */
function recordingBroker(name: string): { broker: Broker; sizes: number[] } {
  const inner = new MemoryBroker({ name });
  const sizes: number[] = [];
  const broker = Object.assign(Object.create(MemoryBroker.prototype) as MemoryBroker, inner, {
    publish: async (target: PublishTarget, message: WireMessage) => {
      sizes.push(message.body.length);
      return inner.publish(target, message);
    },
    publishBatch: async (items: ReadonlyArray<{ target: PublishTarget; message: WireMessage }>) => {
      for (const item of items) sizes.push(item.message.body.length);
      return inner.publishBatch(items);
    },
  });
  return { broker, sizes };
}

const name = randomUUID();
const recording = recordingBroker(name);
const backend = new MemoryBackend({ name });
const app = new Celeriac({ broker: recording.broker, backend, continuations: 'reference', logLevel: 'silent' });
const inc = app.task('inc', (x: number) => x + 1);
const xsum = app.task('xsum', (values: number[]) => values.reduce((a, b) => a + b, 0));
const boom = app.task('boom', () => {
  throw new RangeError('step failed');
});
const seen: unknown[] = [];
const collect = app.task('collect', (value: unknown) => {
  seen.push(value);
  return value;
});
const T = { timeout: 20_000 };

let worker: Awaited<ReturnType<ReturnType<Celeriac['worker']>['start']>>;
beforeAll(async () => {
  worker = await app.worker({ concurrency: 8 }).start();
});
afterAll(async () => {
  await worker.stop();
  await app.close();
});

const incs = (n: number) => Array.from({ length: n }, () => inc.s());

describe('chain cursors', () => {
  it('a hop publishes the same bytes whether the chain has 50 or 1,000 steps', async () => {
    const hopBytes = async (steps: number) => {
      recording.sizes.length = 0;
      const result = await chain(inc.s(0), ...incs(steps - 1)).applyAsync();
      expect(await result.get(T)).toBe(steps);
      // The first message comes from the producer; every later one is a hop.
      const hops = recording.sizes.slice(1);
      expect(hops).toHaveLength(steps - 1);
      return Math.max(...hops);
    };
    const short = await hopBytes(50);
    const long = await hopBytes(1_000);
    expect(long).toBeLessThanOrEqual(short + 16);
  });

  it('inline chains still carry every remaining step (Celery’s format)', async () => {
    const inlineName = randomUUID();
    const inline = recordingBroker(inlineName);
    const other = new Celeriac({ broker: inline.broker, backend: new MemoryBackend({ name: inlineName }), logLevel: 'silent' });
    const step = other.task('inc', (x: number) => x + 1);
    const w = await other.worker({ concurrency: 4 }).start();
    const result = await chain(step.s(0), ...Array.from({ length: 99 }, () => step.s())).applyAsync();
    expect(await result.get(T)).toBe(100);
    await w.stop();
    await other.close();
    expect(inline.sizes[1]!).toBeGreaterThan(inline.sizes[98]! * 10);
  });

  it('groups and chords in the middle of a long chain join and continue', async () => {
    const result = await chain(inc.s(0), ...incs(30), group(inc.s(), inc.s(), inc.s()), xsum.s(), ...incs(30), chord([inc.s(), inc.s()], xsum.s()), ...incs(10)).applyAsync();
    // 31 → group of 3 × 32 = 96 → +30 = 126 → chord 2 × 127 = 254 → +10 = 264
    expect(await result.get(T)).toBe(264);
  });

  it('every step keeps its result and its parent link', async () => {
    const result = await chain(inc.s(0), ...incs(59)).applyAsync();
    expect(await result.get(T)).toBe(60);
    let node = result.parent;
    for (let expected = 59; expected >= 55; expected -= 1) {
      expect(await node!.get(T)).toBe(expected);
      node = node!.parent;
    }
  });

  it('a failure in the middle fails every later step with the same error, and the chain link never runs', async () => {
    seen.length = 0;
    const result = await chain(inc.s(0), ...incs(20), boom.s(), ...incs(20)).link(collect.s()).applyAsync();
    const error = await result.get(T).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteTaskError);
    expect(error).toMatchObject({ excType: 'RangeError' });
    expect(await result.state()).toBe('FAILURE');
    expect(await result.parent!.parent!.state()).toBe('FAILURE');
    expect(seen).toEqual([]);
  });

  it('a link on the whole chain gets the last result', async () => {
    seen.length = 0;
    const result = await chain(inc.s(0), ...incs(40)).link(collect.s()).applyAsync();
    expect(await result.get(T)).toBe(41);
    const end = Date.now() + 5_000;
    while (seen.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual([41]);
  });

  it('a chain of 10,000 steps runs to the end, and its result handle walks back to the first step', async () => {
    const result = await chain(inc.s(0), ...incs(9_999)).applyAsync();
    expect(await result.get({ timeout: 60_000 })).toBe(10_000);
    let depth = 0;
    for (let r = result.parent; r; r = r.parent) depth += 1;
    expect(depth).toBe(9_999);
    const tuple = result.asTuple();
    expect(tuple[0][0]).toBe(result.id);
    let first = tuple;
    while (first[0][1]) first = first[0][1];
    expect(await app.asyncResult(first[0][0]).get(T)).toBe(1);
  }, 90_000);
});
