// GET / — where a person or a script that found the gateway goes next: a small HTML page for a
// browser, the same links as JSON for `Accept: application/json`. It lists only what this
// gateway serves (GraphiQL only when it is on), and names the documentation in the repository.
import type { FastifyInstance } from 'fastify';

export type HomeLink = { rel: string; href: string; title: string };

export type HomeOptions = {
  graphiql: boolean;
  /** Whether the submission routes (and the receipt keys at /.well-known/jwks.json) are served. */
  receipts: boolean;
};

/** The documentation a newcomer reads next, as paths in the repository. */
export const HOME_DOCS = [
  { path: 'README.md', title: 'Getting started' },
  { path: 'docs/api.md', title: 'GraphQL and REST reference, error codes' },
  { path: 'docs/partner-onboarding.md', title: 'Onboarding a partner agency' },
  { path: 'docs/security.md', title: 'Security and privacy, why a token was refused' },
] as const;

export function homeLinks({ graphiql, receipts }: HomeOptions): HomeLink[] {
  return [
    ...(graphiql ? [{ rel: 'graphiql', href: '/graphql', title: 'GraphiQL: explore the schema and run queries' }] : []),
    { rel: 'graphql', href: '/graphql', title: 'GraphQL endpoint (POST)' },
    { rel: 'openapi', href: '/openapi.json', title: 'REST contract (OpenAPI 3.1)' },
    ...(receipts ? [{ rel: 'jwks', href: '/.well-known/jwks.json', title: 'Public keys that verify submission receipts' }] : []),
    { rel: 'health', href: '/healthz', title: 'Liveness' },
  ];
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function homePage(links: HomeLink[]): string {
  const items = links
    .filter((l) => l.rel !== 'graphql' || !links.some((o) => o.rel === 'graphiql'))
    .map((l) => `<li><a href="${escapeHtml(l.href)}">${escapeHtml(l.href)}</a> — ${escapeHtml(l.title)}</li>`)
    .join('\n      ');
  const docs = HOME_DOCS.map((d) => `<li><code>${escapeHtml(d.path)}</code> — ${escapeHtml(d.title)}</li>`).join('\n      ');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Liaison gateway</title>
    <style>body{font-family:system-ui,sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem;line-height:1.5}code{font-size:.95em}</style>
  </head>
  <body>
    <h1>Liaison gateway</h1>
    <p>Anonymized data exchange between partner agencies. Every query and submission needs a
      token signed by a registered agency key.</p>
    <ul>
      ${items}
    </ul>
    <h2>Documentation (in the repository)</h2>
    <ul>
      ${docs}
    </ul>
  </body>
</html>
`;
}

/** A client that asked for JSON and not for HTML gets JSON; a browser gets the page. */
function wantsJson(accept: string | undefined): boolean {
  const value = (accept ?? '').toLowerCase();
  return value.includes('application/json') && !value.includes('text/html');
}

export function registerHomeRoute(fastify: FastifyInstance, options: HomeOptions): void {
  const links = homeLinks(options);
  const page = homePage(links);
  const json = { name: 'Liaison gateway', links, docs: HOME_DOCS };
  fastify.get('/', async (request, reply) => {
    reply.header('vary', 'accept');
    if (wantsJson(request.headers.accept)) return reply.type('application/json').send(json);
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(page);
  });
}
