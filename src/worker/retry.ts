/**
 * Retry policy: countdowns (fixed, exponential backoff with jitter and a cap) and the decision
 * whether retries are exhausted.
 * @module
 */
import type { RetryOptions } from './context.js';
import type { TaskSettings } from './registry.js';

/** Celery's defaults. */
export const DEFAULT_MAX_RETRIES = 3;
export const DEFAULT_RETRY_DELAY_SECONDS = 180;
const DEFAULT_BACKOFF_MAX_SECONDS = 600;

/** The countdown (ms) before retry number `retries + 1`. */
export function retryCountdownMs(settings: TaskSettings, retries: number, options: RetryOptions = {}, random = Math.random): number {
  if (options.countdown !== undefined) return Math.max(0, options.countdown * 1000);
  if (settings.retryBackoff) {
    const factor = settings.retryBackoff === true ? 1 : settings.retryBackoff;
    const cap = settings.retryBackoffMax ?? DEFAULT_BACKOFF_MAX_SECONDS;
    const delay = Math.min(cap, factor * 2 ** retries);
    const jittered = settings.retryJitter === false ? delay : random() * delay;
    return Math.round(jittered * 1000);
  }
  return (settings.defaultRetryDelay ?? DEFAULT_RETRY_DELAY_SECONDS) * 1000;
}

/** True when a task that has been retried `retries` times may be retried again. */
export function mayRetry(settings: TaskSettings, retries: number, override?: number): boolean {
  const max = override ?? settings.maxRetries ?? DEFAULT_MAX_RETRIES;
  return max < 0 || retries < max;
}

/** True when `error` is one of the task's `autoretryFor` types. */
export function isAutoRetry(settings: TaskSettings, error: unknown): boolean {
  return (settings.autoretryFor ?? []).some((type) => error instanceof type);
}
