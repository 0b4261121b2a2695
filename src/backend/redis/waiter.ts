/**
 * `waitFor`: push-based and race-free. It subscribes to the meta's channel first (through the
 * shared {@link SubscriberHub}), then reads the key once, then resolves on the first ready meta
 * from either. Re-reading happens only after the subscriber reconnected (a PUBLISH may have been
 * missed while it was down).
 * @module
 */
import type { TaskMeta } from '../../protocol/result-meta.js';
import { isReady } from '../../states.js';
import type { WaitOptions } from '../backend.js';
import { decodeMeta } from './codec.js';
import type { SubscriberHub } from './subscriber.js';

/** What a waiter needs from its backend. */
export interface WaitContext {
  readonly hub: SubscriberHub;
  /** The meta key (and channel) of a task. */
  readonly channelOf: (taskId: string) => string;
  /** Read the stored meta (retried through reconnects). */
  readonly read: (taskId: string) => Promise<TaskMeta | undefined>;
  /** Subscribe, retrying through reconnects until the backend's operation deadline. */
  readonly listen: (channel: string, listener: (payload: Buffer) => void) => Promise<() => void>;
  readonly onError: (error: Error) => void;
}

/** Wait for a ready meta of `taskId`; `undefined` on timeout or abort. */
export function waitForReady(context: WaitContext, taskId: string, options: WaitOptions = {}): Promise<TaskMeta | undefined> {
  const { signal, timeoutMs } = options;
  if (signal?.aborted) return Promise.resolve(undefined);
  return new Promise<TaskMeta | undefined>((resolve, reject) => {
    let finished = false;
    let stopListening: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    const stopReconnect = context.hub.onReconnect(() => void check());
    const finish = (meta: TaskMeta | undefined, error?: Error): void => {
      if (finished) return;
      finished = true;
      stopReconnect();
      stopListening?.();
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(meta);
    };
    const onAbort = (): void => finish(undefined);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== undefined) timer = setTimeout(() => finish(undefined), Math.max(0, timeoutMs));

    const offer = (meta: TaskMeta | undefined): void => {
      if (meta && isReady(meta.status)) finish(meta);
    };
    const check = async (): Promise<void> => {
      try {
        if (!finished) offer(await context.read(taskId));
      } catch (error) {
        context.onError(error as Error);
      }
    };
    const onPush = (payload: Buffer): void => {
      try {
        offer(decodeMeta(payload, taskId));
      } catch (error) {
        context.onError(error as Error);
      }
    };

    context
      .listen(context.channelOf(taskId), onPush)
      .then(async (stop) => {
        if (finished) return stop();
        stopListening = stop;
        try {
          offer(await context.read(taskId));
        } catch (error) {
          finish(undefined, error as Error);
        }
      })
      .catch((error: Error) => finish(undefined, error));
  });
}
