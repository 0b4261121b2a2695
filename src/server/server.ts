/**
 * `serve(app, options)`: Director's REST API, celeriac's additions, Prometheus metrics, an OpenAPI
 * document (`/api/openapi.json`) and the dashboard, on one fastify server.
 *
 * @example
 * ```ts
 * import { serve } from 'celeriac/server';
 * const server = await serve(app, { host: '0.0.0.0', port: 8000, auth: { usersFile: './users' } });
 * // ... await server.close();
 * ```
 * @module
 */
import { isIP } from 'node:net';
import fastifyCors from '@fastify/cors';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Celeriac } from '../app.js';
import { ConfigError } from '../errors.js';
import { Authenticator, hasCredentials, loadCredentials, type AuthOptions } from './auth.js';
import { dashboardRoutes, findDashboard } from './dashboard.js';
import { errorHandler, UNAUTHORIZED_BODY } from './http-errors.js';
import { createMetrics } from './metrics.js';
import { eventRoutes } from './routes/events.js';
import { extraRoutes, type ExtraProviders } from './routes/extras.js';
import { workflowRoutes } from './routes/workflows.js';
import { redisWorkers } from './workers.js';

/** Options of {@link serve} and {@link createServer}. Every field documents its default. */
export interface ServeOptions extends ExtraProviders {
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Port; 0 picks a free one. Default 8000. */
  port?: number;
  /**
   * Credentials (basic auth users, bearer tokens; the environment adds more, see README), or
   * `false` to turn authentication off. Default: on when credentials exist, and required (the
   * server refuses to start without them) when `host` is not a loopback address.
   */
  auth?: AuthOptions | false;
  /** Largest request body in bytes. Default 1 MiB. */
  bodyLimit?: number;
  /** Allowed CORS origins. Default: none (no CORS headers). */
  cors?: string | readonly string[];
  /** The built dashboard folder. Default: the package's `dist/dashboard`. */
  dashboardDir?: string;
  /** Trust `X-Forwarded-*` headers (behind a reverse proxy). Default false. */
  trustProxy?: boolean | string;
}

/** True for `localhost` and loopback addresses. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1';
}

/** Build the server without listening (for tests and embedding: use `server.inject()` or `listen()`). */
export async function createServer(app: Celeriac, options: ServeOptions = {}): Promise<FastifyInstance> {
  const host = options.host ?? '127.0.0.1';
  const credentials = options.auth === false ? undefined : loadCredentials(options.auth ?? {});
  const authOn = credentials !== undefined && (hasCredentials(credentials) || !isLoopback(host));
  if (authOn && !hasCredentials(credentials)) {
    throw new ConfigError(`refusing to serve on ${host} without credentials: set users or tokens (--users-file, CELERIAC_SERVE_USERS, CELERIAC_SERVE_TOKENS), or listen on 127.0.0.1`);
  }
  if (options.auth === false && !isLoopback(host)) app.logger.warn(`serving on ${host} with authentication turned off`);

  const server = Fastify({
    bodyLimit: options.bodyLimit ?? 1_048_576,
    trustProxy: options.trustProxy ?? false,
    logger: false,
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true, useDefaults: false } },
  });
  server.setErrorHandler(errorHandler(app.logger));
  // An empty JSON body is no body (clients that always send the header, on the bodiless POSTs).
  const parseJson = server.getDefaultJsonParser('error', 'error');
  server.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') done(null, undefined);
    else parseJson(request, text, done);
  });
  server.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `${request.method} ${request.url.split('?')[0]} not found` }));

  if (authOn) {
    const authenticator = new Authenticator(credentials);
    server.addHook('onRequest', async (request, reply) => {
      if (request.url === '/api/ping') return;
      const user = await authenticator.check(request.headers.authorization);
      if (user === undefined) return reply.code(401).header('www-authenticate', 'Basic realm="celeriac", charset="UTF-8"').send(UNAUTHORIZED_BODY);
    });
  }
  if (options.cors !== undefined) await server.register(fastifyCors, { origin: typeof options.cors === 'string' ? options.cors : [...options.cors] });
  await server.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'celeriac serve', description: "Director's REST API and celeriac's additions", version: '0.1.0' },
      components: { securitySchemes: { basic: { type: 'http', scheme: 'basic' }, bearer: { type: 'http', scheme: 'bearer' } } },
      security: authOn ? [{ basic: [] }, { bearer: [] }] : [],
    },
  });
  server.get('/api/openapi.json', { schema: { hide: true } }, async () => server.swagger());

  const metrics = createMetrics(server, app);
  server.addHook('onClose', async () => metrics.close());
  workflowRoutes(server, app, metrics);
  eventRoutes(server, app, metrics);
  const broker = typeof app.options.broker === 'string' ? app.options.broker : undefined;
  const keyPrefix = app.options.brokerOptions?.['keyPrefix'];
  const workers = options.workers ?? (broker && /^rediss?:/i.test(broker) ? redisWorkers(broker, typeof keyPrefix === 'string' ? { keyPrefix } : {}) : undefined);
  extraRoutes(server, app, { ...options, ...(workers ? { workers } : {}) });
  await dashboardRoutes(server, findDashboard(options.dashboardDir));
  return server;
}

/** A listening server. */
export interface RunningServer {
  /** `http://host:port`. */
  readonly url: string;
  readonly server: FastifyInstance;
  /** Stop accepting requests, end event streams, close. Does not close the app. */
  close(): Promise<void>;
}

/** Build the server and listen; see {@link ServeOptions}. */
export async function serve(app: Celeriac, options: ServeOptions = {}): Promise<RunningServer> {
  const server = await createServer(app, options);
  const host = options.host ?? '127.0.0.1';
  await server.listen({ host, port: options.port ?? 8000 });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port ?? 8000;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}`,
    server,
    close: async () => {
      server.server.closeAllConnections?.();
      await server.close();
    },
  };
}
