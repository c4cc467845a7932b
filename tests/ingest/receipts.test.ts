// Receipts: a report's receipt verifies with jose against the gateway's published JWKS only,
// also after a key rotation; private keys are sealed under the pseudonym key.
import canonicalize from 'canonicalize';
import { compactVerify, createLocalJWKSet, decodeProtectedHeader } from 'jose';
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
    expect(row.sealedPrivate.startsWith('v1.')).toBe(true);
    expect(row.sealedPrivate).not.toContain('"d"');
    expect(JSON.stringify(row.publicJwk)).not.toContain('"d"');
  }
  const active = rows.find((r) => r.retiredAt === null)!;
  const twin = await createReceiptSigner(f.db.prisma, PSEUDONYM_KEY);
  const receipt = await twin.sign({ ...(await f.ingest(f.agencies['DE-BKA']!, 'liaison-json', liaisonJson([den('D-5')]))).report, receipt: undefined } as never);
  expect(decodeProtectedHeader(receipt).kid).toBe(active.kid);
  await expect(createReceiptSigner(f.db.prisma, 'another-secret-0123456789abcdef')).rejects.toThrow();
});
