/**
 * The default logger: pino, writing JSON lines to stderr. pino is loaded on the first entry that
 * passes the app's level, so an app that logs nothing never loads it.
 * @module
 */
import { createRequire } from 'node:module';
import type pinoModule from 'pino';
import type { LogContext, Logger, LogFn, LogLevel } from './logger.js';

type Pino = typeof pinoModule;
type PinoLogger = ReturnType<Pino>;

/** A pino logger to stderr at `level`, created on first use. */
export function defaultLogger(level: LogLevel): Logger & { level: string } {
  let instance: PinoLogger | undefined;
  let wanted: string = level;
  const get = (): PinoLogger => {
    if (!instance) {
      const pino = createRequire(import.meta.url)('pino') as Pino;
      instance = pino({ level: wanted, base: { pid: process.pid } }, pino.destination({ dest: 2, sync: true }));
    }
    return instance;
  };
  const at = (name: 'debug' | 'info' | 'warn' | 'error'): LogFn =>
    ((a: LogContext | string, b?: string) => {
      if (typeof a === 'string') get()[name](a);
      else get()[name](a, b);
    }) as LogFn;
  return {
    get level() {
      return wanted;
    },
    set level(value: string) {
      wanted = value;
      if (instance) instance.level = value;
    },
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
}
