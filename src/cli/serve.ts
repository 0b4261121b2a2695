/**
 * `celeriac serve`: the REST API and dashboard of an app until SIGINT/SIGTERM; with
 * `--hash-password`, print the scrypt hash of the password read from stdin (for a users file).
 * @module
 */
import { once } from 'node:events';
import { ConfigError } from '../errors.js';
import { loadApp, type AppFlags } from './load-app.js';

/** Flags of `celeriac serve`. */
export interface ServeFlags extends AppFlags {
  host?: string;
  port?: string;
  usersFile?: string;
  /** False with `--no-auth`. */
  auth?: boolean;
  cors?: string;
  bodyLimit?: string;
  trustProxy?: boolean;
  worker?: boolean;
  hashPassword?: boolean;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`--${name} must be a non-negative integer, got '${value}'`);
  return n;
}

/** Run `celeriac serve`. */
export async function serveCommand(flags: ServeFlags): Promise<number> {
  const server = await import('../server/index.js');
  if (flags.hashPassword) {
    const password = await readStdin();
    if (!password) throw new ConfigError('--hash-password reads the password from stdin; it was empty');
    process.stdout.write(`${await server.hashPassword(password)}\n`);
    return 0;
  }
  const app = await loadApp(flags);
  const port = integer('port', flags.port);
  const bodyLimit = integer('body-limit', flags.bodyLimit);
  const worker = flags.worker ? await app.worker().start() : undefined;
  try {
    const running = await server.serve(app, {
      host: flags.host ?? '127.0.0.1',
      ...(port !== undefined ? { port } : {}),
      ...(bodyLimit !== undefined ? { bodyLimit } : {}),
      auth: flags.auth === false ? false : { ...(flags.usersFile ? { usersFile: flags.usersFile } : {}) },
      ...(flags.cors ? { cors: flags.cors.split(',').map((o) => o.trim()) } : {}),
      ...(flags.trustProxy ? { trustProxy: true } : {}),
    });
    app.logger.info(`celeriac serve: dashboard and REST API on ${running.url} (OpenAPI: ${running.url}/api/openapi.json)`);
    await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
    app.logger.info('celeriac serve: stopping');
    await running.close();
  } finally {
    await worker?.stop();
    await app.close();
  }
  return 0;
}
