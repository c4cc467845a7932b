// DPoP (RFC 9449): a token request with a proof gets a token bound to the proof key
// (`token_type: DPoP`, `cnf.jkt`); every use then needs `Authorization: DPoP` and a fresh proof
// by that key for that method and URL, carrying the token's hash.
import { calculateJwkThumbprint, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type TestAgency, type TestGateway } from '../helpers/app.ts';
import { clientCredentials, dpopKey, dpopProof, gqlWith, tokenEndpointOf, type DpopKey } from './oauth-support.ts';

let gw: TestGateway;
let esPn: TestAgency;
let key: DpopKey;
let token: string;
let graphqlUrl: string;

beforeAll(async () => {
  gw = await createTestGateway();
  esPn = await gw.addAgency('ES-PN');
  key = await dpopKey();
  const proof = await dpopProof(key, { htm: 'POST', htu: tokenEndpointOf(gw), iat: gw.clock.now });
  const answer = await clientCredentials(gw, esPn, {}, { dpop: proof });
  expect(answer.status).toBe(200);
  token = answer.body.access_token as string;
  graphqlUrl = `${gw.config.issuer}/graphql`;
});
afterAll(async () => gw?.close());

const useWith = (proof: string, scheme = 'DPoP') => gqlWith(gw, { authorization: `${scheme} ${token}`, dpop: proof });
const proofFor = (overrides: Partial<Parameters<typeof dpopProof>[1]> = {}, k = key) =>
  dpopProof(k, { htm: 'POST', htu: graphqlUrl, iat: gw.clock.now, accessToken: token, ...overrides });

describe('DPoP-bound access tokens', () => {
  it('issues token_type DPoP with cnf.jkt = the thumbprint of the proof key', async () => {
    expect(decodeJwt(token).cnf).toEqual({ jkt: await calculateJwkThumbprint(key.publicJwk) });
    const proof = await dpopProof(key, { htm: 'POST', htu: tokenEndpointOf(gw), iat: gw.clock.now });
    const answer = await clientCredentials(gw, esPn, {}, { dpop: proof });
    expect(answer.body.token_type).toBe('DPoP');
  });

  it('refuses a token request whose proof is for another URL', async () => {
    const proof = await dpopProof(key, { htm: 'POST', htu: `${gw.config.issuer}/elsewhere`, iat: gw.clock.now });
    const answer = await clientCredentials(gw, esPn, {}, { dpop: proof });
    expect([answer.status, answer.body.error]).toEqual([400, 'invalid_dpop_proof']);
  });

  it('is accepted with a fresh proof on each of several requests', async () => {
    for (let i = 0; i < 3; i += 1) {
      const result = await useWith(await proofFor());
      expect(result.status).toBe(200);
      expect(result.data.me.agency.code).toBe('ES-PN');
    }
  });

  it('is accepted on REST with a proof for that method and path', async () => {
    const path = '/v1/submissions/00000000-0000-4000-8000-000000000000';
    const proof = await proofFor({ htm: 'GET', htu: `${gw.config.issuer}${path}` });
    const response = await gw.app.fetch(new Request(`http://gateway.test${path}`, { headers: { authorization: `DPoP ${token}`, dpop: proof } }));
    expect(response.status).toBe(404);
  });

  it.each([
    ['sent as a Bearer token', async () => ({ proof: await proofFor(), scheme: 'Bearer' })],
    ['without a proof', async () => ({ proof: '', scheme: 'DPoP' })],
    ['with a proof for another method', async () => ({ proof: await proofFor({ htm: 'GET' }), scheme: 'DPoP' })],
    ['with a proof for another URL', async () => ({ proof: await proofFor({ htu: `${gw.config.issuer}/v1/events` }), scheme: 'DPoP' })],
    ['with a proof not bound to this token (no ath)', async () => {
      const proof = await dpopProof(key, { htm: 'POST', htu: graphqlUrl, iat: gw.clock.now });
      return { proof, scheme: 'DPoP' };
    }],
    ['with a proof made more than a minute ago', async () => ({ proof: await proofFor({ iat: new Date(gw.clock.now.getTime() - 120_000) }), scheme: 'DPoP' })],
    ['with a proof by another key', async () => ({ proof: await proofFor({}, await dpopKey()), scheme: 'DPoP' })],
  ])('is refused %s', async (_name, build) => {
    const { proof, scheme } = await build();
    const headers: Record<string, string> = { authorization: `${scheme} ${token}` };
    if (proof) headers.dpop = proof;
    const result = await gqlWith(gw, headers);
    expect(result.status).toBe(401);
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a proof used twice (its jti is single-use)', async () => {
    const proof = await proofFor();
    expect((await useWith(proof)).status).toBe(200);
    const again = await useWith(proof);
    expect(again.status).toBe(401);
    expect(again.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_dpop_proof"/);
  });
});
