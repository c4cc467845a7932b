// Receipts: a report's receipt verifies with jose against the gateway's published JWKS only,
// also after a key rotation; private keys are sealed under the pseudonym key (a compact JWE),
// and keys sealed in the earlier `v1.` format still open.
import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import canonicalize from 'canonicalize';
import { calculateJwkThumbprint, compactVerify, createLocalJWKSet, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createReceiptSigner, RECEIPT_TYP } from '../../ingest/receipts.ts';
import { createIngestFixture, den, liaisonJson, PSEUDONYM_KEY, type IngestFixture } from './support.ts';

let f: IngestFixture;
beforeAll(async () => {
  f = await createIngestFixture(['DE-BKA']);
});
afterAll(async () => {
  await f?.close();
});

async function verify(receipt: string) {
  const jwks = createLocalJWKSet(await f.signer.jwks());
  return compactVerify(receipt, jwks, { algorithms: ['EdDSA'] });
}

test('a receipt verifies against jwks() alone and its payload is the canonical report without the receipt', async () => {
  const { report } = await f.ingest(f.agencies['DE-BKA']!, 'liaison-json', liaisonJson([den('D-1')]));
  const { receipt, ...unsigned } = report;
  const { payload, protectedHeader } = await verify(receipt);
  expect(protectedHeader).toMatchObject({ alg: 'EdDSA', typ: RECEIPT_TYP });
  expect(new TextDecoder().decode(payload)).toBe(canonicalize(unsigned));
  const jwks = await f.signer.jwks();
  expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
});

test('receipts signed before a rotation still verify; new ones carry the new kid', async () => {
  const before = await f.ingest(f.agencies['DE-BKA']!, 'liaison-json', liaisonJson([den('D-2')]));
  const oldKid = decodeProtectedHeader(before.report.receipt).kid;
  const newKid = await f.signer.rotate();
  expect(newKid).not.toBe(oldKid);
  const after = await f.ingest(f.agencies['DE-BKA']!, 'liaison-json', liaisonJson([den('D-3')]));
  expect(decodeProtectedHeader(after.report.receipt).kid).toBe(newKid);
  await expect(verify(before.report.receipt)).resolves.toBeDefined();
  await expect(verify(after.report.receipt)).resolves.toBeDefined();
  const retired = await f.db.prisma.gatewayKey.findUniqueOrThrow({ where: { kid: oldKid! } });
  expect(retired.retiredAt).not.toBeNull();
});

test('a tampered report does not verify', async () => {
  const { report } = await f.ingest(f.agencies['DE-BKA']!, 'liaison-json', liaisonJson([den('D-4')]));
  const [header, , signature] = report.receipt.split('.');
  const forged = Buffer.from(canonicalize({ ...report, receipt: undefined, counts: { ...report.counts, accepted: 99 } })!).toString('base64url');
  await expect(verify(`${header}.${forged}.${signature}`)).rejects.toThrow();
});

test('private keys are sealed: another signer with the same secret reuses the active key, a wrong secret cannot open it', async () => {
  const rows = await f.db.prisma.gatewayKey.findMany();
  for (const row of rows) {
    expect(decodeProtectedHeader(row.sealedPrivate)).toEqual({ alg: 'dir', enc: 'A256GCM', kid: row.kid });
    expect(row.sealedPrivate).not.toContain('"d"');
    expect(JSON.stringify(row.publicJwk)).not.toContain('"d"');
  }
  const active = rows.find((r) => r.retiredAt === null)!;
  const twin = await createReceiptSigner(f.db.prisma, PSEUDONYM_KEY);
  const receipt = await twin.sign({ ...(await f.ingest(f.agencies['DE-BKA']!, 'liaison-json', liaisonJson([den('D-5')]))).report, receipt: undefined } as never);
  expect(decodeProtectedHeader(receipt).kid).toBe(active.kid);
  await expect(createReceiptSigner(f.db.prisma, 'another-secret-0123456789abcdef')).rejects.toThrow();
});

/** The sealing of earlier versions, written out here so the test does not depend on the code it checks. */
function sealV1(secret: string, kid: string, privateJwk: JWK): string {
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), 'liaison-gateway-key-seal', 32));
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(kid, 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify(privateJwk), 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

async function insertKey(sealed: (kid: string, jwk: JWK) => string, createdAt: Date) {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  await f.db.prisma.gatewayKey.updateMany({ where: { retiredAt: null }, data: { retiredAt: createdAt } });
  await f.db.prisma.gatewayKey.create({
    data: { kid, alg: 'EdDSA', publicJwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid, alg: 'EdDSA', use: 'sig' }, sealedPrivate: sealed(kid, jwk), createdAt },
  });
  return kid;
}

test('a key sealed in the earlier v1 format still opens and signs receipts that verify', async () => {
  const kid = await insertKey((k, jwk) => sealV1(PSEUDONYM_KEY, k, jwk), new Date(Date.now() + 60_000));
  const signer = await createReceiptSigner(f.db.prisma, PSEUDONYM_KEY);
  const receipt = await signer.sign({ submissionId: 'legacy-key-check' } as never);
  expect(decodeProtectedHeader(receipt).kid).toBe(kid);
  await expect(verify(receipt)).resolves.toBeDefined();
  await expect(createReceiptSigner(f.db.prisma, 'another-secret-0123456789abcdef')).rejects.toThrow();
});

test('a sealed key moved onto another row does not open', async () => {
  const donor = await f.db.prisma.gatewayKey.findFirstOrThrow({ where: { NOT: { sealedPrivate: { startsWith: 'v1.' } } } });
  await insertKey(() => donor.sealedPrivate, new Date(Date.now() + 120_000));
  await expect(createReceiptSigner(f.db.prisma, PSEUDONYM_KEY)).rejects.toThrow();
  await f.db.prisma.gatewayKey.deleteMany({ where: { retiredAt: null } });
});
