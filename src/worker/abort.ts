/**
 * The abort handle of one running task. It behaves like an `AbortController` but creates the real
 * controller (and its `AbortSignal`) only when somebody reads `signal`: most tasks never look at
 * it, and an AbortController per task was a measurable share of a busy worker's CPU.
 * @module
 */

/** An abort handle whose signal is created on first use; see the module documentation. */
export class TaskAbort {
  private controller: AbortController | undefined;
  private abortedFlag = false;
  private reasonValue: unknown;
  private listeners: Array<(reason: unknown) => void> | undefined;

  /** True once {@link abort} was called. */
  get aborted(): boolean {
    return this.abortedFlag;
  }

  /** What {@link abort} was called with. */
  get reason(): unknown {
    return this.reasonValue;
  }

  /** The task's abort signal (created now if nobody asked before; already aborted if the task was). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortedFlag) this.controller.abort(this.reasonValue);
    }
    return this.controller.signal;
  }

  /** Abort once: later calls are ignored. */
  abort(reason: unknown): void {
    if (this.abortedFlag) return;
    this.abortedFlag = true;
    this.reasonValue = reason;
    this.controller?.abort(reason);
    const listeners = this.listeners ?? [];
    this.listeners = undefined;
    for (const listener of listeners) listener(reason);
  }

  /** Call `listener` on abort (at once if already aborted). Returns a remover. */
  onAbort(listener: (reason: unknown) => void): () => void {
    if (this.abortedFlag) {
      listener(this.reasonValue);
      return () => undefined;
    }
    (this.listeners ??= []).push(listener);
    return () => {
      const index = this.listeners?.indexOf(listener) ?? -1;
      if (index >= 0) this.listeners!.splice(index, 1);
    };
  }
}
