// The browser tests' gateway and browser: the app with GraphiQL on, listening on a random
// loopback port over a fresh test database, and Debian's Chromium driven by playwright-core
// (headless; no browser is ever downloaded). Screenshots go to LIAISON_SCREENSHOTS (a folder;
// .ci/run points it at a folder it keeps), else tests/browser/screenshots/.
import { mkdir } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SignJWT, importJWK } from 'jose';
import { chromium, type Browser } from 'playwright-core';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = `${(process.env.LIAISON_SCREENSHOTS ?? new URL('./screenshots/', import.meta.url).pathname).replace(/\/+$/, '')}/`;

export type BrowserGateway = { gw: TestGateway; url: string; close(): Promise<void> };

export async function startBrowserGateway(): Promise<BrowserGateway> {
  const gw = await createTestGateway({ graphiql: true });
  await gw.app.fastify.listen({ host: '127.0.0.1', port: 0 });
  const { port } = gw.app.fastify.server.address() as AddressInfo;
  return { gw, url: `http://127.0.0.1:${port}`, close: () => gw.close() };
}

export async function launchBrowser(): Promise<Browser> {
  await mkdir(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}

export type Authorization = {
  /** The value a person pastes as the Authorization header. */
  header: string;
  /** Whether the token may be used for more than one request (a gateway-issued access token). */
  reusable: boolean;
};

/**
 * The Authorization header a person would paste into GraphiQL for a whole session. A gateway
 * that publishes OAuth metadata issues a reusable access token for a private_key_jwt client
 * assertion (RFC 7523); until the gateway has that endpoint, this is a self-signed token, good
 * for one request, and says so (`reusable: false`).
 */
export async function reusableAuthorization(bg: BrowserGateway, agency: TestAgency): Promise<Authorization> {
  const metadata = await fetch(`${bg.url}/.well-known/oauth-authorization-server`);
  if (metadata.ok) {
    const { token_endpoint: tokenEndpoint } = (await metadata.json()) as { token_endpoint: string };
    const iat = Math.floor(bg.gw.clock.now.getTime() / 1000);
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: String(agency.privateJwk.alg), kid: String(agency.privateJwk.kid), typ: 'JWT' })
      .setIssuer(agency.code)
      .setSubject(agency.code)
      .setAudience(tokenEndpoint)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 60)
      .setJti(randomUUID())
      .sign(await importJWK(agency.privateJwk, String(agency.privateJwk.alg)));
    // The assertion names the endpoint as the gateway publishes it (its configured issuer); the
    // request goes to the port this test gateway really listens on.
    const response = await fetch(new URL(new URL(tokenEndpoint).pathname, bg.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: agency.code,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
        scope: 'records:read',
      }),
    });
    if (!response.ok) throw new Error(`the token endpoint answered ${response.status}`);
    const { access_token: accessToken } = (await response.json()) as { access_token: string };
    return { header: `Bearer ${accessToken}`, reusable: true };
  }
  return { header: `Bearer ${await agency.token()}`, reusable: false };
}
