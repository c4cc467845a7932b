// The reason of a refused token over HTTP: GraphQL `extensions.reason` and REST problem+json
// `reason`, each with the same word as the error_description of WWW-Authenticate (RFC 6750).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_REASONS } from '../../api/auth/auth-errors.ts';
import { mintToken } from '../../api/auth/keys.ts';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';

let gw: TestGateway;
let agency: TestAgency;

beforeAll(async () => {
  gw = await createTestGateway();
  agency = await gw.addAgency('ES-PN');
});
afterAll(() => gw?.close());

const challenge = (reason: keyof typeof AUTH_REASONS) =>
  `Bearer error="invalid_token", error_description="${AUTH_REASONS[reason]}"`;

async function graphql(authorization?: string) {
  const res = await gw.app.fetch(
    new Request('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify({ query: '{ me { subject } }' }),
    }),
  );
  const body = (await res.json()) as { errors?: { extensions?: { code?: string; reason?: string } }[] };
  return { status: res.status, challenge: res.headers.get('www-authenticate'), extensions: body.errors?.[0]?.extensions };
}

async function rest(authorization?: string) {
  const res = await gw.app.fetch(
    new Request('http://gateway.test/v1/submissions/00000000-0000-0000-0000-000000000000', {
      headers: authorization ? { authorization } : {},
    }),
  );
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    challenge: res.headers.get('www-authenticate'),
    problem: (await res.json()) as { code?: string; reason?: string },
  };
}

describe('GraphQL', () => {
  it('says token_reused, in extensions and in the challenge, for the second use of a token', async () => {
    const authorization = `Bearer ${await agency.token()}`;
    expect((await graphql(authorization)).status).toBe(200);
    const again = await graphql(authorization);
    expect(again.status).toBe(401);
    expect(again.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'token_reused' });
    expect(again.challenge).toBe(challenge('token_reused'));
  });

  it('says token_missing without a token, with a bare challenge', async () => {
    const res = await graphql();
    expect(res.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'token_missing' });
    expect(res.challenge).toBe('Bearer');
  });
});

describe('REST', () => {
  it('says token_reused as the problem reason and in the challenge', async () => {
    const authorization = `Bearer ${await agency.token()}`;
    expect((await rest(authorization)).status).toBe(404);
    const again = await rest(authorization);
    expect(again.status).toBe(401);
    expect(again.type).toMatch(/^application\/problem\+json/);
    expect(again.problem).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'token_reused' });
    expect(again.challenge).toBe(challenge('token_reused'));
  });

  it('says wrong_audience for a token minted for another gateway', async () => {
    const token = await mintToken({ privateJwk: agency.privateJwk, iss: 'ES-PN', sub: 'officer-7', aud: 'another-gateway', scope: 'records:submit', now: gw.clock.now });
    const res = await rest(`Bearer ${token}`);
    expect(res.problem).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'wrong_audience' });
    expect(res.challenge).toBe(challenge('wrong_audience'));
  });
});
