/**
 * Moves parked messages (ETA/countdown tasks deferred by a consumer, or published with
 * `deliverAt`) from the `celeriac.delayed` zset to their queue lists when they are due, with
 * `lua/promote.lua`. Any running broker does it: a timer fires at the earliest known due time
 * and a periodic poll catches messages parked by other processes.
 *
 * Parking (instead of holding the message unacknowledged until its ETA, as Celery does) means a
 * far-future ETA is never redelivered by the visibility timeout.
 * @module
 */
import type { BrokerCore } from './core.js';

/** Schedules and runs delayed-message promotion for one broker. */
export class DelayedPromoter {
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private running: Promise<void> | undefined;
  private rerun = false;
  private active = false;

  constructor(private readonly core: BrokerCore) {}

  /** Start polling (idempotent). */
  start(): void {
    if (this.active) return;
    this.active = true;
    this.kick();
  }

  /** A message was parked until `deliverAt` (epoch ms): make sure the timer fires by then. */
  noteParked(deliverAt: number): void {
    this.schedule(deliverAt);
  }

  /** Run a promotion now (or right after the current one). */
  kick(): void {
    if (!this.active) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = this.promote().finally(() => {
      this.running = undefined;
      if (this.rerun) {
        this.rerun = false;
        this.kick();
      }
    });
  }

  /** Stop the timer and wait for a running promotion to finish. */
  async stop(): Promise<void> {
    this.active = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    await this.running;
  }

  private async promote(): Promise<void> {
    const limit = this.core.options.batchLimit;
    let nextDue: number | undefined;
    try {
      for (;;) {
        const reply = (await this.core.script('promote', [this.core.keys.delayed], [limit])) as [number, string?];
        nextDue = reply[1] === undefined || reply[1] === null ? undefined : Number(reply[1]);
        if (reply[0] < limit) break;
      }
    } catch (error) {
      this.core.options.onError(error as Error);
    }
    const poll = Date.now() + this.core.options.delayedPollIntervalMs;
    this.schedule(nextDue === undefined ? poll : Math.min(poll, nextDue));
  }

  /** Make the timer fire by `at` (an earlier timer already set is kept). */
  private schedule(at: number): void {
    if (!this.active) return;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.kick();
      },
      Math.max(0, at - Date.now()),
    );
    this.timer.unref();
  }
}
