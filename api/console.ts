// GET /console — the web console (console/, a React app built by Vite into console/dist/):
// its files under a strict Content-Security-Policy (scripts, styles and requests to this origin
// only; no inline script or style, no eval, no framing), and /console/config.json, the one
// thing the page needs to know to mint tokens: the audience they must carry. The page holds no
// session here: every request it makes carries its own token. When console/dist/ is missing
// (a checkout that has not run `npm start` or `npm run console:build`), /console says so.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { ErrorCode, LiaisonError } from '../kernel/errors.ts';

export const CONSOLE_DIST = fileURLToPath(new URL('../console/dist/', import.meta.url));

export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Sent with every answer under /console. */
export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export type ConsoleOptions = { audience: string; distDir?: string };

export function registerConsoleRoutes(fastify: FastifyInstance, { audience, distDir = CONSOLE_DIST }: ConsoleOptions): void {
  fastify.get('/console', (_request, reply) => reply.redirect('/console/'));
  fastify.get('/console/config.json', (_request, reply) => {
    return reply.headers(CONSOLE_HEADERS).send({ audience });
  });
  if (!existsSync(`${distDir}index.html`)) {
    fastify.get('/console/*', (_request, reply) => {
      reply.headers(CONSOLE_HEADERS);
      throw new LiaisonError(
        ErrorCode.SERVICE_UNAVAILABLE,
        'The web console is not built on this gateway: run `npm run console:build` (npm start builds it), then restart.',
      );
    });
    return;
  }
  fastify.register(async (scope) => {
    scope.addHook('onRequest', async (request, reply) => {
      // Hashed file names never change content: cache them; index.html is always fetched anew.
      const immutable = request.url.startsWith('/console/assets/');
      reply.headers({ ...CONSOLE_HEADERS, 'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-store' });
    });
    await scope.register(fastifyStatic, { root: distDir, prefix: '/console/', index: ['index.html'], wildcard: true, cacheControl: false });
  });
}
