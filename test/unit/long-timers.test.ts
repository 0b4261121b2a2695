/**
 * Issue 12 item 5: Node's setTimeout fires at once for delays ≥ 2^31 ms, so a hard time limit of
 * 30 days killed the task immediately. Long delays now wait the whole time.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RemoteTaskError } from '../../src/index.js';
import { MAX_TIMER_MS, setLongTimeout } from '../../src/timers.js';
import { memoryApp } from '../helpers/memory-app.js';

const DAY_MS = 24 * 3_600_000;

afterEach(() => {
  vi.useRealTimers();
});

describe('setLongTimeout', () => {
  it('waits 30 days, not 1 ms', () => {
    vi.useFakeTimers();
    const fired = vi.fn();
    setLongTimeout(fired, 30 * DAY_MS);
    vi.advanceTimersByTime(1_000);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(MAX_TIMER_MS);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(30 * DAY_MS - MAX_TIMER_MS - 1_000);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('can be cleared at any step, and Infinity never fires', () => {
    vi.useFakeTimers();
    const fired = vi.fn();
    const timer = setLongTimeout(fired, 40 * DAY_MS);
    vi.advanceTimersByTime(MAX_TIMER_MS + 5);
    timer.clear();
    vi.advanceTimersByTime(40 * DAY_MS);
    setLongTimeout(fired, Number.POSITIVE_INFINITY);
    vi.advanceTimersByTime(400 * DAY_MS);
    expect(fired).not.toHaveBeenCalled();
  });
});

describe('hard time limits of 30 days', () => {
  it('let the task finish instead of firing at once', async () => {
    const app = memoryApp();
    const slow = app.task('long.limit', async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return 'finished';
    }, { timeLimit: 30 * 24 * 3_600, softTimeLimit: 29 * 24 * 3_600 });
    const worker = await app.worker({ handleSignals: false }).start();
    try {
      const value = await (await slow.delay()).get({ timeout: 10_000, propagate: false });
      expect(value instanceof RemoteTaskError ? value.excType : value).toBe('finished');
    } finally {
      await worker.stop();
      await app.close();
    }
  });
});
