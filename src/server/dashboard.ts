/**
 * The dashboard's built files (a Vite build of `dashboard/`), served at `/`. Its pages are hash
 * routes (`/#/runs/<id>`), so it also works under a reverse proxy's path prefix.
 * @module
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const here = dirname(fileURLToPath(import.meta.url));

/** Where the built dashboard is: next to the compiled server (`dist/dashboard`), or in a checkout's `dist/`. */
export function findDashboard(explicit?: string): string | undefined {
  const candidates = explicit ? [explicit] : [resolve(here, '../dashboard'), resolve(here, '../../dist/dashboard')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

/** Serve the dashboard from `dir`; without a build, `/` says how to make one. */
export async function dashboardRoutes(server: FastifyInstance, dir: string | undefined): Promise<void> {
  if (!dir) {
    server.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply.code(503).type('text/plain; charset=utf-8').send('The dashboard is not built: run `npm run build` in the celeriac package. The REST API is under /api.\n'),
    );
    return;
  }
  await server.register(fastifyStatic, { root: dir, prefix: '/', index: ['index.html'], wildcard: false, cacheControl: true, maxAge: 0 });
}
