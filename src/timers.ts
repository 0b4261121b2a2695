/**
 * Timers for delays of any length. Node's `setTimeout` takes at most 2^31 − 1 ms (~24.8 days) and
 * fires at once (after 1 ms, with a warning) for anything longer: a 30-day hard time limit killed
 * the task immediately. {@link setLongTimeout} waits in steps of at most that much.
 * @module
 */

/** The longest delay one `setTimeout` accepts. */
export const MAX_TIMER_MS = 0x7fff_ffff;

/** A pending long timeout. */
export interface LongTimer {
  /** Cancel it (idempotent). */
  clear(): void;
}

/**
 * Calls `callback` after `ms` milliseconds, however large; `Infinity` never fires, NaN or negative
 * fires at once. With `unref`, the timer does not keep the process alive.
 */
export function setLongTimeout(callback: () => void, ms: number, options: { unref?: boolean } = {}): LongTimer {
  let timer: NodeJS.Timeout | undefined;
  let cleared = false;
  const due = Date.now() + Math.max(0, Number.isNaN(ms) ? 0 : ms);
  const arm = (): void => {
    if (cleared || due === Number.POSITIVE_INFINITY) return;
    const left = due - Date.now();
    timer = left > MAX_TIMER_MS ? setTimeout(arm, MAX_TIMER_MS) : setTimeout(callback, Math.max(0, left));
    if (options.unref) timer.unref();
  };
  arm();
  return {
    clear: () => {
      cleared = true;
      if (timer) clearTimeout(timer);
    },
  };
}
