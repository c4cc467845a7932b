// The partner side of POST /oauth/token, for the CLI (`liaison token --oauth`) and scripts:
// reads the gateway's authorization-server metadata, mints an RFC 7523 client assertion with
// the agency key (mintToken, `sub` = `iss` = the agency code, `aud` = the token endpoint) and
// exchanges it for a reusable access token.
import type { JWK } from 'jose';
import { mintToken } from './keys.ts';

export type AccessTokenResponse = { accessToken: string; tokenType: string; expiresIn: number; scope: string };

/** A refusal of the token endpoint, with its RFC 6749 `error` as `code`; or a transport failure. */
export class OAuthClientError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'OAuthClientError';
  }
}

type Metadata = { issuer?: unknown; token_endpoint?: unknown };

async function readJson(response: Response, what: string): Promise<Record<string, unknown>> {
  try {
    return (await response.json()) as Record<string, unknown>;
  } catch {
    throw new OAuthClientError('invalid_response', `${what} did not answer JSON (HTTP ${response.status})`, response.status);
  }
}

export async function fetchAccessToken(options: {
  /** The gateway's base URL (its OAuth issuer), e.g. http://127.0.0.1:4000. */
  url: string;
  agency: string;
  privateJwk: JWK;
  /** Space-separated; default: every scope the agency is allowed. */
  scope?: string;
  /** The officer acting, sent as `act.sub` and kept as the subject of the access token. */
  subject?: string;
  now?: Date;
  fetch?: typeof fetch;
}): Promise<AccessTokenResponse> {
  const doFetch = options.fetch ?? fetch;
  const base = options.url.replace(/\/+$/, '');
  const metadataUrl = `${base}/.well-known/oauth-authorization-server`;
  let metadataResponse: Response;
  try {
    metadataResponse = await doFetch(metadataUrl, { headers: { accept: 'application/json' } });
  } catch (cause) {
    throw new OAuthClientError('unreachable', `cannot reach ${metadataUrl}: ${(cause as Error).message}`);
  }
  if (!metadataResponse.ok) {
    throw new OAuthClientError('no_metadata', `${metadataUrl} answered HTTP ${metadataResponse.status}`, metadataResponse.status);
  }
  const metadata = (await readJson(metadataResponse, metadataUrl)) as Metadata;
  if (typeof metadata.token_endpoint !== 'string') throw new OAuthClientError('no_metadata', `${metadataUrl} names no token_endpoint`);
  const tokenEndpoint = metadata.token_endpoint;

  const assertion = await mintToken({
    privateJwk: options.privateJwk,
    iss: options.agency,
    sub: options.agency,
    aud: tokenEndpoint,
    scope: [],
    ttlSeconds: 60,
    now: options.now ?? new Date(),
    ...(options.subject === undefined ? {} : { actor: options.subject }),
  });
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: options.agency,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
  });
  if (options.scope !== undefined) form.set('scope', options.scope);
  let response: Response;
  try {
    response = await doFetch(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form,
    });
  } catch (cause) {
    throw new OAuthClientError('unreachable', `cannot reach ${tokenEndpoint}: ${(cause as Error).message}`);
  }
  const body = await readJson(response, tokenEndpoint);
  if (!response.ok) {
    const code = typeof body.error === 'string' ? body.error : 'http_error';
    const description = typeof body.error_description === 'string' ? `: ${body.error_description}` : '';
    throw new OAuthClientError(code, `${tokenEndpoint} refused the request (HTTP ${response.status}, ${code})${description}`, response.status);
  }
  if (typeof body.access_token !== 'string' || typeof body.expires_in !== 'number') {
    throw new OAuthClientError('invalid_response', `${tokenEndpoint} answered without access_token or expires_in`);
  }
  return {
    accessToken: body.access_token,
    tokenType: typeof body.token_type === 'string' ? body.token_type : 'Bearer',
    expiresIn: body.expires_in,
    scope: typeof body.scope === 'string' ? body.scope : '',
  };
}
