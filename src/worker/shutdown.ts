/**
 * Celery's two-step shutdown on SIGTERM/SIGINT: the first signal is a warm shutdown (stop consuming,
 * let running tasks finish); the second is a cold shutdown (running tasks' messages go back to the
 * broker at once and the worker stops without waiting for them).
 * @module
 */
import type { Logger } from '../logger.js';

/** What the signal handler drives. */
export interface Stoppable {
  readonly hostname: string;
  readonly runningCount: number;
  stop(options?: { cold?: boolean }): Promise<void>;
}

/** Listen for SIGTERM/SIGINT on behalf of `worker`; returns a function that stops listening. */
export function handleShutdownSignals(worker: Stoppable, logger: Logger): () => void {
  let received = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    received += 1;
    if (received === 1) {
      logger.info(`worker ${worker.hostname} received ${signal}: warm shutdown, finishing ${worker.runningCount} running task(s) (send it again for a cold shutdown)`);
      void worker.stop();
      return;
    }
    logger.warn(`worker ${worker.hostname} received ${signal} again: cold shutdown, handing ${worker.runningCount} unfinished message(s) back to the broker`);
    void worker.stop({ cold: true });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}
