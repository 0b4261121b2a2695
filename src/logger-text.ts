/**
 * A Celery-style text logger: `[2026-01-01 12:00:00,123: INFO/MainProcess] Task add[…] received`,
 * an error's stack on the lines after, other structured fields as JSON at the end of the line.
 * @module
 */
import { LevelledLogger, type LogContext, type Logger, type LogFn, type LogLevel } from './logger.js';

/** Fields already told by the task log lines; the text format leaves them out. */
const TOLD = new Set(['task', 'taskId', 'runtimeMs', 'state', 'result', 'err']);

const LABEL = { debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR' } as const;

function timestamp(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)},${iso.slice(20, 23)}`;
}

/** Options of {@link textLogger}. */
export interface TextLoggerOptions {
  /** Where lines go. Default: process.stderr. */
  write?: (line: string) => void;
}

/** A logger writing Celery-shaped lines (no level of its own: the app's level filters). */
export function textLogger(options: TextLoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const at = (level: keyof typeof LABEL): LogFn =>
    ((a: LogContext | string, b?: string) => {
      const context = typeof a === 'string' ? undefined : a;
      const message = typeof a === 'string' ? a : b ?? '';
      let line = `[${timestamp(new Date())}: ${LABEL[level]}/MainProcess] ${message}`;
      if (context) {
        const rest = Object.entries(context).filter(([key]) => !TOLD.has(key));
        if (rest.length > 0) line += ` ${JSON.stringify(Object.fromEntries(rest))}`;
        const err = context['err'];
        if (err instanceof Error && err.stack) line += `\n${err.stack}`;
      }
      write(`${line}\n`);
    }) as LogFn;
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A text logger dropping entries below `level` (kept for compatibility; prefer {@link textLogger} with the app's `logLevel`). */
export function consoleLogger(level: LogLevel = 'info'): Logger {
  return new LevelledLogger(textLogger(), level);
}
