/**
 * The vocabulary of `npm run bench:scale`: the workloads measured at growing sizes, what one
 * measurement returns, and the drivers (celeriac, BullMQ) that run them on Redis.
 * @module
 */

/** The scale workloads: W1 end to end, group + join, chord, chain. */
export type ScaleWorkload = 'W1 end-to-end' | 'group + join' | 'chord' | 'chain';

/** One timed run: wall time and the worker child's CPU time over it (both ms). */
export interface Measured {
  ms: number;
  workerCpuMs: number;
}

/** A system that runs the scale workloads (worker started once, in a child process). */
export interface ScaleDriver {
  /** Start the worker child and connect the producer. */
  start(): Promise<void>;
  /** Send `n` no-op tasks and wait for all their results. */
  w1(n: number): Promise<Measured>;
  /** A group of `n` inc tasks, joined. */
  group(n: number): Promise<Measured>;
  /** A chord of `n` inc headers into a summing body. */
  chord(n: number): Promise<Measured>;
  /**
   * A chain of `steps` inc steps from 0 (`mode`: celeriac's `continuations`; BullMQ ignores it),
   * given up after `timeoutMs`.
   */
  chain(steps: number, mode: 'inline' | 'reference', timeoutMs: number): Promise<Measured>;
  close(): Promise<void>;
}

/** Fail the measurement when a workload computed the wrong thing. */
export function expectEqual(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) throw new Error(`${what}: expected ${String(expected)}, got ${String(actual)}`);
}

/** Time `body` and read the worker's CPU counter around it. */
export async function measure(workerCpuMs: () => number, body: () => Promise<void>): Promise<Measured> {
  const cpu0 = workerCpuMs();
  const t0 = performance.now();
  await body();
  return { ms: performance.now() - t0, workerCpuMs: workerCpuMs() - cpu0 };
}
