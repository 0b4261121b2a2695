/**
 * Load the app a CLI command works on: `-A ./tasks.js` (the module exports the app as `default` or
 * `app`), or a fresh app from `--broker`/`--backend` when no module is given.
 * @module
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { Celeriac } from '../app.js';
import { ConfigError } from '../errors.js';
import type { LogLevel } from '../logger.js';

/** Options shared by every command. */
export interface AppFlags {
  app?: string;
  broker?: string;
  backend?: string;
  loglevel?: string;
}

/** Import the module named by `-A` and return its app. */
async function importApp(modulePath: string): Promise<Celeriac> {
  const url = pathToFileURL(resolve(process.cwd(), modulePath)).href;
  const module = (await import(url)) as Record<string, unknown>;
  const candidate = module['app'] ?? module['default'];
  if (!(candidate instanceof Celeriac)) {
    throw new ConfigError(`${modulePath} does not export a Celeriac app as 'app' or 'default'`);
  }
  return candidate;
}

/** The app for a command; `--broker`/`--backend` override what the module configured. */
export async function loadApp(flags: AppFlags): Promise<Celeriac> {
  const level = (flags.loglevel?.toLowerCase() ?? 'info') as LogLevel;
  if (flags.app) {
    const app = await importApp(flags.app);
    if (!flags.broker && !flags.backend) return app;
    const merged = new Celeriac({ ...app.options, ...(flags.broker ? { broker: flags.broker } : {}), ...(flags.backend ? { backend: flags.backend } : {}), logLevel: level });
    for (const name of app.registry.names()) merged.registry.register(app.registry.get(name)!);
    merged.workflows.definitions.add(app.workflows.definitions.list());
    return merged;
  }
  return new Celeriac({
    broker: flags.broker ?? process.env['CELERIAC_BROKER_URL'] ?? 'memory://',
    backend: flags.backend ?? process.env['CELERIAC_RESULT_BACKEND'] ?? 'memory://',
    logLevel: level,
  });
}

/** Parse a JSON flag value with a clear error. */
export function parseJsonFlag<T>(name: string, value: string | undefined, fallback: T): T {
  if (value === undefined) return fallback;
  try {
    return JSON.parse(value) as T;
  } catch (error) {
    throw new ConfigError(`--${name} must be JSON: ${(error as Error).message}`);
  }
}
