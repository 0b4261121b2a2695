/**
 * The worker side of the child protocol: JSON lines on stdout, stop on SIGTERM.
 * @module
 */

/** Print one event line for the runner. */
export function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

/** Read a required numeric or string setting from the environment. */
export function env(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set (the bench runner sets it)`);
  return value;
}

/** Run `shutdown` once on SIGTERM or SIGINT, then exit. */
export function onStopSignal(shutdown: () => Promise<void>): void {
  let stopping = false;
  const handler = () => {
    if (stopping) return;
    stopping = true;
    shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
