/**
 * Typed signals (Celery's `task_received`, `task_prerun`, … `worker_shutdown`; BullMQ's worker
 * events): `app.signals.on('taskFailure', (e) => …)` or `worker.signals.on(…)`. A listener that
 * throws (or rejects) is logged and never disturbs the task. Emitting costs one lookup when nobody
 * listens: the worker checks {@link Signals.has} before building a payload.
 * @module
 */

/** What every task signal carries. */
export interface TaskSignalBase {
  readonly id: string;
  readonly name: string;
  readonly args: readonly unknown[];
  readonly kwargs: Readonly<Record<string, unknown>>;
  /** The queue the message came from. */
  readonly queue: string;
  /** The worker's node name. */
  readonly hostname: string;
  /** Retries so far (0 on the first run). */
  readonly retries: number;
  readonly rootId: string;
  readonly parentId: string | null;
}

/** How a task run ended, for `taskPostrun`. */
export type TaskEndState = 'SUCCESS' | 'FAILURE' | 'RETRY' | 'REVOKED';

/** Every signal and its payload. */
export interface SignalMap {
  /** A message was received and its task is registered (before ETA, expiry and revocation checks). */
  taskReceived: TaskSignalBase & { readonly eta: string | null };
  /** The task is about to run. */
  taskPrerun: TaskSignalBase;
  /** The task ran (whatever the outcome); `runtimeMs` is the time its function took. */
  taskPostrun: TaskSignalBase & { readonly state: TaskEndState; readonly result?: unknown; readonly error?: unknown; readonly runtimeMs: number };
  /** The task returned `result`. */
  taskSuccess: TaskSignalBase & { readonly result: unknown; readonly runtimeMs: number };
  /** The task failed with `error` (retries exhausted included). */
  taskFailure: TaskSignalBase & { readonly error: unknown; readonly traceback: string | null; readonly runtimeMs: number };
  /** The task asked for (or was given) a retry, in `countdownMs`. */
  taskRetry: TaskSignalBase & { readonly error: unknown; readonly countdownMs: number; readonly runtimeMs: number };
  /** The task was revoked before it ran, expired, or was revoked while running (`runtimeMs` then set). */
  taskRevoked: TaskSignalBase & { readonly reason: 'revoked' | 'expired'; readonly terminated: boolean; readonly runtimeMs: number | null };
  /** The worker is consuming. */
  workerReady: { readonly hostname: string; readonly queues: readonly string[]; readonly concurrency: number };
  /** The worker stopped consuming (`cold`: a second signal asked it not to wait for running tasks). */
  workerShutdown: { readonly hostname: string; readonly cold: boolean };
}

/** A signal name. */
export type SignalName = keyof SignalMap;

/** A listener of signal `K`. May be async (its rejection is logged). */
export type SignalListener<K extends SignalName> = (payload: SignalMap[K]) => void | Promise<void>;

type ListenerSet = Set<(payload: never) => void | Promise<void>>;

/** A small typed emitter of {@link SignalMap}. */
export class Signals {
  private readonly listeners = new Map<SignalName, ListenerSet>();

  /** Called with a listener's error (the app logs it). */
  onListenerError: (signal: SignalName, error: unknown) => void = () => undefined;

  /** Listen to `signal`; returns a function that stops listening. */
  on<K extends SignalName>(signal: K, listener: SignalListener<K>): () => void {
    let set = this.listeners.get(signal);
    if (!set) this.listeners.set(signal, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => this.off(signal, listener);
  }

  /** Stop calling `listener` for `signal`. */
  off<K extends SignalName>(signal: K, listener: SignalListener<K>): void {
    const set = this.listeners.get(signal);
    set?.delete(listener as (payload: never) => void);
    if (set?.size === 0) this.listeners.delete(signal);
  }

  /** True when `signal` has listeners. */
  has(signal: SignalName): boolean {
    return this.listeners.has(signal);
  }

  /** Call every listener of `signal` (synchronously; async ones are not awaited). Never throws. */
  emit<K extends SignalName>(signal: K, payload: SignalMap[K]): void {
    const set = this.listeners.get(signal);
    if (!set) return;
    for (const listener of set) {
      try {
        const returned = (listener as SignalListener<K>)(payload);
        if (returned && typeof returned.then === 'function') returned.then(undefined, (error: unknown) => this.onListenerError(signal, error));
      } catch (error) {
        this.onListenerError(signal, error);
      }
    }
  }
}
