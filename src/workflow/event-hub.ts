/**
 * One store subscription per app, fanned out to `on()` listeners and `events()` iterators. The
 * subscription opens on the first listener and closes with the app.
 * @module
 */
import type { Logger } from '../logger.js';
import type { Unsubscribe, WorkflowStore } from './store/store.js';
import { isFinalRunStatus, type WorkflowEvent, type WorkflowRecord } from './types.js';

/** Which events `events()` yields. */
export interface EventQuery {
  /** Only this run's events; the iteration ends when the run finished. */
  runId?: string;
}

/** See the module documentation. */
export class EventHub {
  private readonly listeners = new Set<(event: WorkflowEvent) => void>();
  private subscription: Promise<Unsubscribe> | undefined;

  constructor(
    private readonly store: () => Promise<WorkflowStore>,
    private readonly logger: Logger,
  ) {}

  /** Add a listener; returns its removal. */
  on(listener: (event: WorkflowEvent) => void): () => void {
    this.listeners.add(listener);
    this.ready().catch((error: unknown) => this.logger.error({ error: String(error) }, 'could not subscribe to workflow events'));
    return () => this.listeners.delete(listener);
  }

  /** Resolves once the store subscription is active. */
  ready(): Promise<Unsubscribe> {
    this.subscription ??= this.store().then((store) => store.subscribe((event) => this.dispatch(event)));
    this.subscription.catch(() => (this.subscription = undefined));
    return this.subscription;
  }

  /** Iterate events; see {@link EventQuery}. `read` gives the run's record to check it is not already finished. */
  iterate(query: EventQuery, read: (runId: string) => Promise<WorkflowRecord>): AsyncIterableIterator<WorkflowEvent> {
    const buffer: WorkflowEvent[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    let failure: unknown;
    const remove = this.on((event) => {
      if (query.runId !== undefined && event.runId !== query.runId) return;
      buffer.push(event);
      wake?.();
    });
    const started = this.ready().then(async () => {
      if (query.runId === undefined) return;
      const record = await read(query.runId);
      if (isFinalRunStatus(record.status) && buffer.length === 0) ended = true;
    });
    started.catch((error: unknown) => {
      failure = error;
      wake?.();
    });
    const finish = (): IteratorResult<WorkflowEvent> => {
      remove();
      ended = true;
      return { done: true, value: undefined };
    };
    const iterator: AsyncIterableIterator<WorkflowEvent> = {
      next: async () => {
        await started.catch(() => undefined);
        while (buffer.length === 0) {
          if (failure !== undefined) {
            remove();
            throw failure;
          }
          if (ended) return finish();
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
        const event = buffer.shift()!;
        if (query.runId !== undefined && event.kind === 'run' && isFinalRunStatus(event.status)) ended = true;
        return { done: false, value: event };
      },
      return: async () => finish(),
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  /** Stop the store subscription. */
  async close(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    this.listeners.clear();
    if (subscription) await (await subscription.catch(() => async () => undefined))();
  }

  private dispatch(event: WorkflowEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error({ error: String(error) }, 'a workflow event listener threw');
      }
    }
  }
}
