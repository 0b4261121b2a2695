/**
 * Run one CLI action: its exit code becomes the process's; an error is one line on stderr
 * (`celeriac: …`, URLs' passwords masked), with the stack only at `-l debug`, and exit code 2. The
 * process then exits, so a connection still retrying in the background cannot keep it hanging.
 * @module
 */
import type { Command } from 'commander';
import { CeleriacError } from '../errors.js';
import { maskUrl } from '../mask-url.js';
import type { AppFlags } from './load-app.js';

/** The flags of `command` merged with the program's (`celeriac -A x worker` and `celeriac worker -A x`). */
export function flagsOf<T extends AppFlags>(command: Command): T {
  return command.optsWithGlobals() as T;
}

/** Run `body`, report, and exit. */
export async function run(flags: AppFlags, body: () => Promise<number>): Promise<never> {
  let code: number;
  try {
    code = await body();
  } catch (error) {
    process.stderr.write(`celeriac: ${describe(error, flags.loglevel === 'debug')}\n`);
    code = 2;
  }
  process.exit(code);
}

function describe(error: unknown, debug: boolean): string {
  if (error instanceof Error) {
    const text = debug && error.stack ? error.stack : error instanceof CeleriacError ? `${error.name}: ${error.message}` : error.message;
    return maskUrl(text);
  }
  return maskUrl(String(error));
}
