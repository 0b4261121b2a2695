/**
 * Load the app a CLI command works on: `-A ./tasks.js` or `-A tasks.ts` (the module exports the app
 * as `default` or `app`), or a fresh app from `--broker`/`--backend`/the environment. `-l` always
 * sets the app's level; `--log-format` picks Celery-style text or pino's JSON for the default logger.
 * Connecting has a deadline, and a failure names the URLs with their passwords masked.
 * @module
 */
import { createRequire } from 'node:module';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Celeriac } from '../app.js';
import { ConfigError, TransportError } from '../errors.js';
import type { LogLevel } from '../logger.js';
import { textLogger } from '../logger-text.js';
import { maskUrl } from '../mask-url.js';
import { probeConnections } from './probe.js';

/** Options shared by every command (already validated by commander). */
export interface AppFlags {
  app?: string;
  broker?: string;
  backend?: string;
  loglevel?: LogLevel;
  logFormat?: 'auto' | 'text' | 'json';
  connectTimeout?: number;
}

/** What a command needs from the app. */
export interface Needs {
  /** A broker other than the implicit `memory://` (a worker, `call`, `inspect`…). */
  broker?: boolean;
  /** A result backend other than the implicit `memory://` (`result`, `call --wait`). */
  backend?: boolean;
}

const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx']);

/** Make `import()` of TypeScript work: tsx (the user's, else celeriac's), registered once. */
async function enableTypeScript(modulePath: string): Promise<void> {
  const candidates = [() => import('tsx/esm/api'), () => import(pathToFileURL(createRequire(join(process.cwd(), 'noop.js')).resolve('tsx/esm/api')).href)];
  for (const load of candidates) {
    try {
      const api = (await load()) as { register: () => unknown };
      api.register();
      return;
    } catch {
      // try the next place
    }
  }
  throw new ConfigError(`${modulePath} is TypeScript: install tsx in your project (npm i -D tsx), or compile it and pass the .js file, or run celeriac with node --import tsx`);
}

/** Import the module named by `-A` and return its app. */
async function importApp(modulePath: string): Promise<Celeriac> {
  const file = resolve(process.cwd(), modulePath);
  if (TS_EXTENSIONS.has(extname(file)) && !typeScriptLoads()) await enableTypeScript(modulePath);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(file)) throw new ConfigError(`-A ${modulePath}: no such module (${file})`);
    if (code === 'ERR_REQUIRE_CYCLE_MODULE' && extname(file) === '.ts') {
      throw new ConfigError(`-A ${modulePath} loads as CommonJS (its package.json has no "type": "module"): add it, or name the file .mts`);
    }
    throw error;
  }
  const candidate = module['app'] ?? module['default'];
  if (!(candidate instanceof Celeriac)) {
    throw new ConfigError(`${modulePath} does not export a Celeriac app as 'app' or 'default'`);
  }
  return candidate;
}

/** True when this process already imports .ts files (started with a TypeScript loader). */
function typeScriptLoads(): boolean {
  return process.execArgv.some((arg) => arg.includes('tsx')) || process.env['TSX'] !== undefined;
}

/** The app for a command, configured from the flags (see module docs). */
export async function loadApp(flags: AppFlags, needs: Needs = {}): Promise<Celeriac> {
  const level = flags.loglevel ?? 'info';
  const env = { broker: process.env['CELERIAC_BROKER_URL'], backend: process.env['CELERIAC_RESULT_BACKEND'] };
  const app = flags.app ? await importApp(flags.app) : new Celeriac({ logLevel: level });
  const broker = flags.broker ?? app.options.broker ?? env.broker;
  const backend = flags.backend ?? app.options.backend ?? env.backend;
  if (needs.broker && broker === undefined) {
    throw new ConfigError('no broker configured: pass -A <module> (its app sets broker), --broker <url>, or set CELERIAC_BROKER_URL');
  }
  if (needs.backend && backend === undefined) {
    throw new ConfigError('no result backend configured: pass -A <module> (its app sets backend), --backend <url>, or set CELERIAC_RESULT_BACKEND');
  }
  app.configureConnections({ ...(broker !== undefined ? { broker } : {}), ...(backend !== undefined ? { backend } : {}) });
  if (!app.options.logger) {
    const format = flags.logFormat ?? 'auto';
    if (format === 'text' || (format === 'auto' && process.stderr.isTTY)) app.logger.setTarget(textLogger());
  }
  app.setLogLevel(level);
  return app;
}

/** Connect the app within `--connect-timeout` (default 10 s); a failure names the URLs (passwords masked). */
export async function connectApp(app: Celeriac, flags: AppFlags): Promise<void> {
  const seconds = flags.connectTimeout ?? 10;
  const where = describeConnections(app);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TransportError(`cannot connect to ${where} within ${seconds}s`)), seconds * 1000);
  });
  try {
    await Promise.race([probeConnections(app.options, seconds * 1000), deadline]);
    await Promise.race([app.connect(), deadline]);
  } catch (error) {
    if (error instanceof ConfigError || (error instanceof TransportError && error.message.startsWith('cannot connect'))) throw error;
    const reason = maskUrl((error as Error).message ?? String(error));
    throw new TransportError(/^cannot connect/i.test(reason) ? reason : `cannot connect to ${where}: ${reason}`);
  } finally {
    clearTimeout(timer);
  }
}

function describeConnections(app: Celeriac): string {
  const { broker, backend } = app.options;
  const name = (value: unknown) => (typeof value === 'string' ? maskUrl(value) : value === undefined ? 'memory://' : 'an adapter object');
  const b = name(broker);
  const r = name(backend);
  return b === r ? `broker and result backend ${b}` : `broker ${b} / result backend ${r}`;
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
