/**
 * The deliveries this broker currently holds, and the timer that keeps their leases alive: every
 * `leaseRefreshIntervalMs` their `unacked_index` scores are set to the server's current time, so a
 * visibility sweep (ours or kombu's) restores only deliveries whose owner stopped refreshing them,
 * i.e. a dead consumer's. Deliveries leave the registry when they are settled.
 * @module
 */

/** One unsettled delivery. */
export interface HeldDelivery {
  readonly tag: string;
  readonly queue: string;
  /** The raw envelope as popped. */
  readonly raw: string;
  readonly priority: number;
}

/** The most tags refreshed by one script call. */
const REFRESH_CHUNK = 1_000;

/** Registry of held deliveries with periodic lease refresh. */
export class DeliveryLeases {
  private readonly held = new Map<string, HeldDelivery>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly refresh: (tags: string[]) => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly onError: (error: Error) => void,
  ) {}

  /** Start holding a delivery (starts the refresh timer if needed). */
  add(delivery: HeldDelivery): void {
    this.held.set(delivery.tag, delivery);
    if (!this.timer) {
      this.timer = setInterval(() => void this.refreshAll(), this.intervalMs);
      this.timer.unref();
    }
  }

  /** Stop holding a delivery. Returns false when it was not held (already settled). */
  delete(tag: string): boolean {
    const removed = this.held.delete(tag);
    if (this.held.size === 0) this.stop();
    return removed;
  }

  /** Every held delivery. */
  all(): HeldDelivery[] {
    return [...this.held.values()];
  }

  /** Stop the refresh timer (deliveries stay registered). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async refreshAll(): Promise<void> {
    const tags = [...this.held.keys()];
    for (let start = 0; start < tags.length; start += REFRESH_CHUNK) {
      try {
        await this.refresh(tags.slice(start, start + REFRESH_CHUNK));
      } catch (error) {
        this.onError(error as Error);
      }
    }
  }
}
