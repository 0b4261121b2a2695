/**
 * How a result wait ends without a result: timeout, the caller's abort, or the app closing under it.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Celeriac, group, TimeoutError, TransportError } from '../../src/index.js';

function app() {
  const name = `result-wait-${randomUUID()}`;
  return new Celeriac({ broker: `memory://${name}`, backend: `memory://${name}`, logLevel: 'warn' });
}

describe('AsyncResult.get / GroupResult.join without a result', () => {
  it('times out with a TimeoutError naming the task', async () => {
    const celeriac = app();
    const never = celeriac.task('never', () => 1);
    const result = await never.applyAsync([]);
    const error = await result.get({ timeout: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).taskId).toBe(result.id);
    await celeriac.close();
  });

  it("rejects with the signal's reason when the caller aborts", async () => {
    const celeriac = app();
    const never = celeriac.task('never', () => 1);
    const result = await never.applyAsync([]);
    const abort = new AbortController();
    const waiting = result.get({ signal: abort.signal, timeout: 10_000 }).catch((e: unknown) => e);
    const reason = new Error('user gave up');
    abort.abort(reason);
    expect(await waiting).toBe(reason);
    await celeriac.close();
  });

  it('rejects with a TransportError (not a timeout) when the app closes while waiting', async () => {
    const celeriac = app();
    const never = celeriac.task('never', () => 1);
    const single = await never.applyAsync([]);
    const many = await group(never.s(), never.s()).applyAsync();
    const waits = [single.get({ timeout: 10_000 }), many.join({ timeout: 10_000 })].map((p) => p.catch((e: unknown) => e));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await celeriac.close();
    for (const error of await Promise.all(waits)) {
      expect(error).toBeInstanceOf(TransportError);
      expect((error as Error).message).toMatch(/closed while waiting/);
    }
  });
});
