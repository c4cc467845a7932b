// How the token arrives and what shape it has (TOK-17, TOK-19): every malformed input is a
// coded 401 (never a 500), a token outside the Authorization header is never used.
import { CompactEncrypt, FlattenedSign, GeneralSign, importJWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_AUTHORIZATION_BYTES } from '../../api/auth/verify-token.ts';
import {
  bearer,
  config,
  expectAuthError,
  expectUnauthenticated,
  NOW,
  registerAgency,
  signRaw,
  tokenFor,
  validClaims,
  useVerifierDatabase,
  type Agency,
} from './support.ts';

const t = useVerifierDatabase();
let es: Agency;

beforeAll(async () => {
  es = await registerAgency(t.db.prisma, { code: 'ES-PN' });
});

const encoder = new TextEncoder();
const headerOf = () => ({ alg: 'EdDSA', kid: String(es.pair.publicJwk.kid), typ: 'JWT' });

describe('TOK-17 format confusion and size', () => {
  it('TOK-17 refuses a JWS in flattened JSON serialisation', async () => {
    const key = await importJWK(es.pair.privateJwk, 'EdDSA');
    const jws = await new FlattenedSign(encoder.encode(JSON.stringify(validClaims(es))))
      .setProtectedHeader(headerOf())
      .sign(key);
    await expectUnauthenticated(t.verifier.verify(bearer(JSON.stringify(jws))), 'malformed');
  });

  it('TOK-17 refuses a JWS in general JSON serialisation', async () => {
    const key = await importJWK(es.pair.privateJwk, 'EdDSA');
    const jws = await new GeneralSign(encoder.encode(JSON.stringify(validClaims(es))))
      .addSignature(key)
      .setProtectedHeader(headerOf())
      .sign();
    await expectUnauthenticated(t.verifier.verify(bearer(JSON.stringify(jws))), 'malformed');
  });

  it('TOK-17 refuses a 5-segment JWE', async () => {
    const jwe = await new CompactEncrypt(encoder.encode(JSON.stringify(validClaims(es))))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: String(es.pair.publicJwk.kid) })
      .encrypt(new Uint8Array(32).fill(3));
    expect(jwe.split('.')).toHaveLength(5);
    await expectUnauthenticated(t.verifier.verify(bearer(jwe)), 'malformed');
  });

  it('TOK-17 refuses a signed payload that is a JSON array', async () => {
    const token = await signRaw(es.pair.privateJwk, headerOf(), JSON.stringify([validClaims(es)]));
    await expectUnauthenticated(t.verifier.verify(bearer(token)), 'ERR_JWT_INVALID');
  });

  it.each([['not JSON', 'hello'], ['a JSON string', '"x"'], ['null', 'null'], ['empty', '']])(
    'TOK-17 refuses a signed payload that is %s',
    async (_label, payload) => {
      const token = await signRaw(es.pair.privateJwk, headerOf(), payload);
      await expectUnauthenticated(t.verifier.verify(bearer(token)), /ERR_JWT_INVALID|malformed/);
    },
  );

  it.each([
    ['a brace', (t: string) => `{${t}`],
    ['a quote', (t: string) => `${t}"`],
    ['a space inside', (t: string) => t.replace('.', ' .')],
    ['non-ASCII', (t: string) => `${t}é`],
    ['a zero-width space', (t: string) => `${t}\u200b`],
    ['a trailing newline', (t: string) => `${t}\n`],
    ['a fourth segment', (t: string) => `${t}.AAAA`],
    ['two segments', (t: string) => t.split('.').slice(0, 2).join('.')],
    ['padding', (t: string) => `${t}==`],
  ])('TOK-17 refuses a compact token with %s', async (_label, mangle) => {
    await expectUnauthenticated(t.verifier.verify(bearer(mangle(await tokenFor(es)))), 'malformed');
  });

  it.each([
    ['garbage segments', 'aaaa.bbbb.cccc'],
    ['a header that is an array', `${Buffer.from('[1]').toString('base64url')}.e30.AAAA`],
    ['a header that is not JSON', `${Buffer.from('{alg').toString('base64url')}.e30.AAAA`],
    ['a header with invalid UTF-8', `${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}.e30.AAAA`],
    ['an empty header object', `${Buffer.from('{}').toString('base64url')}.e30.AAAA`],
  ])('TOK-17 refuses %s with a 401', async (_label, token) => {
    await expectUnauthenticated(t.verifier.verify(bearer(token)));
  });

  it('TOK-17 refuses a 9 KiB token (Authorization header over 8 KiB) before parsing it', async () => {
    const token = await tokenFor(es, { claims: { pad: 'p'.repeat(9 * 1024) } });
    expect(token.length).toBeGreaterThan(MAX_AUTHORIZATION_BYTES);
    await expectUnauthenticated(t.verifier.verify(bearer(token)), 'header_too_large');
  });

  it('TOK-17 accepts a token just under the 8 KiB header limit', async () => {
    const token = await tokenFor(es, { claims: { pad: 'p'.repeat(5 * 1024) } });
    expect(`Bearer ${token}`.length).toBeLessThanOrEqual(MAX_AUTHORIZATION_BYTES);
    await expect(t.verifier.verify(bearer(token))).resolves.toBeDefined();
  });
});

describe('TOK-19 token transport', () => {
  it('TOK-19 answers a request without credentials with a bare Bearer challenge', async () => {
    for (const req of [{}, { authorization: '' }, { authorization: '   ' }]) {
      const error = await expectAuthError(t.verifier.verify(req), 'UNAUTHENTICATED', 'missing');
      expect(error.headers['WWW-Authenticate']).toBe('Bearer');
    }
  });

  it('TOK-19 ignores a token sent only in the query string (then it is missing)', async () => {
    const error = await expectAuthError(t.verifier.verify({ queryToken: await tokenFor(es) }), 'UNAUTHENTICATED', 'missing');
    expect(error.headers['WWW-Authenticate']).toBe('Bearer');
  });

  it('TOK-19 ignores a token sent only in the body (then it is missing)', async () => {
    await expectAuthError(t.verifier.verify({ bodyToken: await tokenFor(es) }), 'UNAUTHENTICATED', 'missing');
  });

  it('TOK-19 refuses a token sent in two places with 400 invalid_request', async () => {
    const token = await tokenFor(es);
    for (const req of [
      { ...bearer(token), queryToken: token },
      { ...bearer(token), bodyToken: token },
      { queryToken: token, bodyToken: token },
    ]) {
      const error = await expectAuthError(t.verifier.verify(req), 'BAD_USER_INPUT', 'multiple_transports');
      expect(error.reason).toBe('multiple_transports');
      expect(error.headers['WWW-Authenticate']).toMatch(/^Bearer error="invalid_request", error_description="[^"\\]+"$/);
    }
    // The header token was not used up by the refused request.
    await expect(t.verifier.verify(bearer(token))).resolves.toBeDefined();
  });

  it('TOK-19 accepts the scheme in any case', async () => {
    for (const scheme of ['bearer', 'BEARER', 'bEaReR']) {
      await expect(t.verifier.verify({ authorization: `${scheme} ${await tokenFor(es)}` })).resolves.toBeDefined();
    }
  });

  it('TOK-19 refuses two spaces, a tab or no space after Bearer', async () => {
    const token = await tokenFor(es);
    await expectUnauthenticated(t.verifier.verify({ authorization: `Bearer  ${token}` }), 'malformed');
    await expectUnauthenticated(t.verifier.verify({ authorization: `Bearer\t${token}` }), 'scheme');
    await expectUnauthenticated(t.verifier.verify({ authorization: `Bearer${token}` }), 'scheme');
    await expectUnauthenticated(t.verifier.verify({ authorization: `Bearer ${token} ` }), 'malformed');
  });

  it('TOK-19 refuses other schemes', async () => {
    const token = await tokenFor(es);
    await expectUnauthenticated(t.verifier.verify({ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }), 'scheme');
    await expectUnauthenticated(t.verifier.verify({ authorization: `DPoP ${token}` }), 'scheme');
    await expectUnauthenticated(t.verifier.verify({ authorization: token }), 'scheme');
  });

  it('never puts the token into the error message or reason', async () => {
    const token = await tokenFor(es, { claims: { aud: 'elsewhere' } });
    const signature = token.split('.')[2]!;
    const failures = [bearer(token), { authorization: `Bearer  ${token}` }, { ...bearer(token), queryToken: token }];
    for (const req of failures) {
      const error = await t.verifier.verify(req).catch((e: Error & { reason?: string }) => e);
      expect(error).toBeInstanceOf(Error);
      const text = `${(error as Error).message} ${(error as { reason?: string }).reason}`;
      expect(text).not.toContain(signature);
      expect(text).not.toContain(token.split('.')[1]!);
      expect((error as Error).cause).toBeUndefined();
    }
  });
});
