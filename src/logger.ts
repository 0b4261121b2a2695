/**
 * A minimal pluggable logger. The default writes to stderr at `info` and above; pass your own
 * (pino, winston, console) through the app's `logger` option.
 * @module
 */

/** What celeriac logs through. */
export interface Logger {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
/** Log levels, lowest first. */
export type LogLevel = (typeof LEVELS)[number];

/** A logger writing one line per entry to stderr, dropping entries below `level`. */
export function consoleLogger(level: LogLevel = 'info'): Logger {
  const min = LEVELS.indexOf(level);
  const write = (at: LogLevel) => (message: string, context?: Record<string, unknown>) => {
    if (LEVELS.indexOf(at) < min) return;
    const suffix = context && Object.keys(context).length > 0 ? ` ${JSON.stringify(context)}` : '';
    process.stderr.write(`[${new Date().toISOString()}] ${at.toUpperCase()} ${message}${suffix}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
