/**
 * `continuations: { referenceQueues }`: references (chain cursors, stored chord bodies) only in
 * messages whose queue, and every queue their continuations send to, are celeriac-only; Celery's
 * inline format everywhere else. Bad settings are refused when the app is made.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Celeriac, chain, chord, ConfigError, group, MemoryBackend, MemoryBroker, type Broker, type PublishTarget, type WireMessage } from '../../src/index.js';
import { isReference, readChainCursor } from '../../src/canvas/reference.js';
import type { SignatureDict } from '../../src/protocol/message.js';

interface Published {
  queue: string;
  embed: { chain: SignatureDict[] | null; chord: SignatureDict | null };
}

/** A memory broker that records the queue and decoded embed of every message published through it. */
function recordingBroker(name: string): { broker: Broker; published: Published[] } {
  const inner = new MemoryBroker({ name });
  const published: Published[] = [];
  const record = (target: PublishTarget, message: WireMessage) => {
    const [, , embed] = JSON.parse(new TextDecoder().decode(message.body)) as [unknown, unknown, Published['embed']];
    published.push({ queue: target.queue, embed });
  };
  const broker = Object.assign(Object.create(MemoryBroker.prototype) as MemoryBroker, inner, {
    publish: async (target: PublishTarget, message: WireMessage) => {
      record(target, message);
      return inner.publish(target, message);
    },
    publishBatch: async (items: ReadonlyArray<{ target: PublishTarget; message: WireMessage }>) => {
      for (const item of items) record(item.target, item.message);
      return inner.publishBatch(items);
    },
  });
  return { broker, published };
}

const apps: Celeriac[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

/** An app whose default queue `ts` is celeriac-only; `py.add` is routed to `py` (a Python worker's queue). */
function mixedApp() {
  const name = randomUUID();
  const recording = recordingBroker(name);
  const app = new Celeriac({
    broker: recording.broker,
    backend: new MemoryBackend({ name }),
    defaultQueue: 'ts',
    routes: { 'py.add': 'py' },
    continuations: { referenceQueues: ['ts'] },
    logLevel: 'silent',
  });
  apps.push(app);
  const inc = app.task('inc', (x: number) => x + 1);
  const xsum = app.task('xsum', (values: number[]) => values.reduce((a, b) => a + b, 0));
  const pyAdd = app.signature('py.add', [1]);
  return { app, inc, xsum, pyAdd, published: recording.published };
}

const incs = (inc: ReturnType<typeof mixedApp>['inc'], n: number) => Array.from({ length: n }, () => inc.s());

describe("continuations: { referenceQueues }", () => {
  it('a long chain on celeriac-only queues travels as a cursor, and runs to the end', async () => {
    const { app, inc, published } = mixedApp();
    const worker = await app.worker({ concurrency: 4 }).start();
    try {
      const result = await chain(inc.s(0), ...incs(inc, 199)).applyAsync();
      expect(await result.get({ timeout: 20_000 })).toBe(200);
    } finally {
      await worker.stop();
    }
    const first = published[0]!;
    expect(first.queue).toBe('ts');
    expect(first.embed.chain).toHaveLength(1);
    expect(readChainCursor(first.embed.chain![0]!)).toMatchObject({ at: 0, length: 199 });
  });

  it("a chain with one step routed to another queue keeps Celery's inline format", async () => {
    const { inc, pyAdd, published } = mixedApp();
    await chain(inc.s(0), ...incs(inc, 100), pyAdd).applyAsync();
    const first = published[0]!;
    expect(first.embed.chain).toHaveLength(101);
    expect(first.embed.chain!.every((step) => readChainCursor(step) === undefined)).toBe(true);
    expect(first.embed.chain![0]!.task).toBe('py.add');
  });

  it('a step nested in a group counts: one member on another queue keeps the chain inline', async () => {
    const { inc, pyAdd, published } = mixedApp();
    await chain(inc.s(0), ...incs(inc, 50), group(inc.s(), pyAdd), ...incs(inc, 50)).applyAsync();
    expect(published[0]!.embed.chain!.length).toBeGreaterThan(1);
  });

  it('a message on a queue that is not listed carries everything inline', async () => {
    const { inc, xsum, published } = mixedApp();
    const body = xsum.s().set({ queue: 'ts' });
    await chord(Array.from({ length: 3 }, () => inc.s(1).set({ queue: 'elsewhere' })), chain(body, ...incs(inc, 100))).applyAsync();
    const headers = published.filter((message) => message.queue === 'elsewhere');
    expect(headers).toHaveLength(3);
    for (const header of headers) {
      expect(isReference(header.embed.chord!)).toBe(false);
      expect(header.embed.chord!.kwargs['tasks']).toHaveLength(101);
    }
  });

  it('a chord on celeriac-only queues stores its large body once and runs', async () => {
    const { app, inc, xsum, published } = mixedApp();
    const worker = await app.worker({ concurrency: 4 }).start();
    try {
      const result = await chord(Array.from({ length: 3 }, (_, i) => inc.s(i)), chain(xsum.s(), ...incs(inc, 100))).applyAsync();
      expect(await result.get({ timeout: 20_000 })).toBe(106);
    } finally {
      await worker.stop();
    }
    const header = published[0]!;
    expect(isReference(header.embed.chord!)).toBe(true);
    expect(JSON.stringify(header.embed.chord).length).toBeLessThan(1_024);
  });

  it('refuses a bad setting when the app is made, saying what is wrong', () => {
    expect(() => new Celeriac({ continuations: { referenceQueues: 'ts' } as never })).toThrow(ConfigError);
    expect(() => new Celeriac({ continuations: { referenceQueues: 'ts' } as never })).toThrow(/referenceQueues must be an array of queue names, got "ts"/);
    expect(() => new Celeriac({ continuations: 'sometimes' as never })).toThrow(/continuations must be 'inline', 'reference' or \{ referenceQueues/);
  });
});
