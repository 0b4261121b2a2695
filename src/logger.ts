/**
 * What celeriac logs through: a structured logger with pino's call shape
 * (`logger.info({ taskId }, 'Task add[…] received')` or `logger.info('text')`), so a pino (or
 * bunyan-style) logger plugs in directly and keeps the structured fields. The default is pino,
 * loaded on the first entry that passes the level; the CLI can use a Celery-style text format.
 *
 * The app wraps whatever logger it gets in a {@link LevelledLogger}: the level is checked before
 * anything is built, and `-l` (or `app.setLogLevel`) always wins.
 * @module
 */
import { ConfigError } from './errors.js';

/** Structured fields of one entry. `err` holds an Error (pino's convention). */
export type LogContext = Record<string, unknown>;

/** One logging method: `(context, message)` or `(message)`, as pino's. */
export interface LogFn {
  (context: LogContext, message: string): void;
  (message: string): void;
}

/** What celeriac logs through (a pino logger fits as is). */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
/** Log levels, lowest first. */
export type LogLevel = (typeof LEVELS)[number];

/** Spellings accepted for each level (Celery's names too: `WARNING`, `CRITICAL`, `FATAL`). */
const ALIASES: Record<string, LogLevel> = {
  trace: 'debug', debug: 'debug', info: 'info', warn: 'warn', warning: 'warn',
  error: 'error', critical: 'error', fatal: 'error', silent: 'silent', off: 'silent',
};

/** The level a logger object carries (pino's `level`), if it is one celeriac knows. */
export function levelOf(logger: Logger): LogLevel | undefined {
  const level = (logger as HasLevel).level;
  return typeof level === 'string' ? ALIASES[level.toLowerCase()] : undefined;
}

/** Read a level name (any case, Celery's names accepted); throws ConfigError for an unknown one. */
export function parseLogLevel(text: string): LogLevel {
  const level = ALIASES[text.trim().toLowerCase()];
  if (!level) throw new ConfigError(`invalid log level '${text}' (use debug, info, warning, error or silent)`);
  return level;
}

const rank = (level: LogLevel): number => LEVELS.indexOf(level);

/** A logger whose target may have its own level to keep in step (pino's `level`). */
interface HasLevel {
  level?: unknown;
}

/**
 * The app's logger: drops entries below its level before calling the target, and answers
 * {@link LevelledLogger.enabled} so callers build a message only when it will be written.
 */
export class LevelledLogger implements Logger {
  private min: number;

  constructor(
    private target: Logger,
    level: LogLevel,
  ) {
    this.min = rank(level);
  }

  /** The current level. */
  get level(): LogLevel {
    return LEVELS[this.min]!;
  }

  /** Change the level (the target's too when it has one, as pino does). */
  setLevel(level: LogLevel): void {
    this.min = rank(level);
    this.syncTargetLevel(level);
  }

  /** Log through another target from now on (keeps the level). */
  setTarget(target: Logger): void {
    this.target = target;
    this.syncTargetLevel(this.level);
  }

  /** True when entries at `level` are written. */
  enabled(level: Exclude<LogLevel, 'silent'>): boolean {
    return rank(level) >= this.min;
  }

  readonly debug: LogFn = (a: LogContext | string, b?: string) => {
    if (this.min <= 0) forward(this.target.debug, this.target, a, b);
  };
  readonly info: LogFn = (a: LogContext | string, b?: string) => {
    if (this.min <= 1) forward(this.target.info, this.target, a, b);
  };
  readonly warn: LogFn = (a: LogContext | string, b?: string) => {
    if (this.min <= 2) forward(this.target.warn, this.target, a, b);
  };
  readonly error: LogFn = (a: LogContext | string, b?: string) => {
    if (this.min <= 3) forward(this.target.error, this.target, a, b);
  };

  private syncTargetLevel(level: LogLevel): void {
    const target = this.target as HasLevel;
    if (typeof target.level === 'string') {
      try {
        target.level = level;
      } catch {
        // a target whose level is read-only keeps its own
      }
    }
  }
}

function forward(fn: LogFn, target: Logger, a: LogContext | string, b: string | undefined): void {
  if (typeof a === 'string') fn.call(target, a);
  else (fn as (context: LogContext, message: string) => void).call(target, a, b ?? '');
}
