/**
 * Option parsing shared by every verb: the app options (`-A`, `--broker`, `--backend`, `-l`,
 * `--log-format`) and validated numbers. A bad value stops the command before anything connects,
 * with commander's one-line error (`option '-c, --concurrency <n>' argument 'abc' is invalid.
 * invalid --concurrency 'abc': expected an integer ≥ 1`) and exit code 1.
 * @module
 */
import { InvalidArgumentError, type Command } from 'commander';
import { parseLogLevel } from '../logger.js';
import { ConfigError } from '../errors.js';

/** A validating parser for commander: returns the value or throws InvalidArgumentError. */
type Parser<T> = (value: string) => T;

function invalid(flag: string, value: string, expected: string): InvalidArgumentError {
  return new InvalidArgumentError(`invalid ${flag} '${value}': expected ${expected}`);
}

/** An integer within [min, max]. */
export function integer(flag: string, min: number, max = Number.MAX_SAFE_INTEGER): Parser<number> {
  return (value) => {
    const n = Number(value.trim());
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      throw invalid(flag, value, max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`);
    }
    return n;
  };
}

/** A finite number ≥ min (seconds, mostly). */
export function number(flag: string, min = 0): Parser<number> {
  return (value) => {
    const n = Number(value.trim());
    if (value.trim() === '' || !Number.isFinite(n) || n < min) throw invalid(flag, value, `a number ≥ ${min}`);
    return n;
  };
}

/** One of `choices`. */
export function oneOf<T extends string>(flag: string, choices: readonly T[]): Parser<T> {
  return (value) => {
    if (!(choices as readonly string[]).includes(value)) throw invalid(flag, value, choices.join(', '));
    return value as T;
  };
}

/** An ISO date-time. */
export function isoTime(flag: string): Parser<string> {
  return (value) => {
    if (Number.isNaN(Date.parse(value))) throw invalid(flag, value, 'an ISO date-time such as 2030-01-01T12:00:00Z');
    return value;
  };
}

const logLevel: Parser<string> = (value) => {
  try {
    return parseLogLevel(value);
  } catch (error) {
    throw new InvalidArgumentError((error as ConfigError).message);
  }
};

/** The log formats of the CLI: Celery-style text lines, or pino's JSON lines. */
export const LOG_FORMATS = ['auto', 'text', 'json'] as const;

/**
 * Add the app options. Put them on the program and on each verb: `celeriac -A tasks.ts worker` and
 * `celeriac worker -A tasks.ts` both work (commands read them with `optsWithGlobals()`).
 */
export function withAppOptions(command: Command): Command {
  return command
    .option('-A, --app <module>', 'module exporting the app (as `app` or `default`); .ts modules load through tsx')
    .option('-b, --broker <url>', 'broker URL: redis://, rediss://, amqp://, amqps://, memory:// (env CELERIAC_BROKER_URL)')
    .option('--backend <url>', 'result backend URL: redis://, memory:// (env CELERIAC_RESULT_BACKEND)')
    .option('-l, --loglevel <level>', 'debug, info, warning, error, critical or silent; always wins over the module (default: info)', logLevel)
    .option('--log-format <format>', 'text (Celery-style lines), json (pino) or auto: text on a terminal, else json (default: auto)', oneOf('--log-format', LOG_FORMATS))
    .option('--connect-timeout <seconds>', 'give up connecting to the broker/backend after this long (default: 10)', number('--connect-timeout', 0.1));
}
