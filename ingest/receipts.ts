// Signed receipts: the gateway's own Ed25519 keys (table gateway_key) and the compact JWS it
// puts on every submission report. The payload is the RFC 8785 canonical JSON of the report
// without its `receipt`, so anyone holding the report can rebuild the exact bytes; the
// protected header is {alg: EdDSA, kid, typ: liaison-receipt+jws}. Private halves are sealed
// as a compact JWE (jose, `dir` + `A256GCM`) under HKDF-SHA256(pseudonym key, info
// 'liaison-gateway-key-seal'); the kid sits in the JWE's protected header, which GCM
// authenticates, and must equal the row's kid, so a sealed key cannot be swapped onto another
// row. Keys sealed by earlier versions (`v1.iv.body.tag`, the same AES-256-GCM key with the kid
// as additional data) still open. Retired keys stay in jwks() so that old receipts keep
// verifying. `sign` does no I/O (the pipeline calls it inside its transaction, where PGlite
// has no second connection to give).
import { createDecipheriv, hkdfSync } from 'node:crypto';
import canonicalize from 'canonicalize';
import {
  calculateJwkThumbprint,
  CompactEncrypt,
  compactDecrypt,
  CompactSign,
  exportJWK,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JWK,
} from 'jose';
import type { PrismaClient } from '../prisma/generated/client/client.ts';
import type { SubmissionReport } from './report.ts';

export type UnsignedReport = Omit<SubmissionReport, 'receipt'>;

export type ReceiptSigner = {
  sign(report: UnsignedReport): Promise<string>;
  /** Signs any JSON value the same way under another `typ` (webhook bodies: liaison-event+jws). */
  signJson(payload: unknown, typ: string): Promise<string>;
  jwks(): Promise<{ keys: JWK[] }>;
  /** Retires the active key (it stays published) and makes a new one; answers its kid. */
  rotate(): Promise<string>;
};

export const RECEIPT_TYP = 'liaison-receipt+jws';
const ALG = 'EdDSA';
const SEAL_INFO = 'liaison-gateway-key-seal';
/** The format of keys sealed before the JWE one: `v1.iv.ciphertext.tag`, base64url parts. */
const LEGACY_SEAL_VERSION = 'v1';
/** pg_advisory_xact_lock key serialising key creation and rotation across gateway processes. */
const KEY_LOCK = 0x4c4947574b59n; // "LIGWKY"

type ActiveKey = { kid: string; key: CryptoKey };

function sealKey(secret: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), SEAL_INFO, 32));
}

/** Seals a private JWK as a compact JWE whose protected header names its kid. */
async function sealPrivateKey(secret: string, kid: string, privateJwk: JWK): Promise<string> {
  return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(privateJwk)))
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid })
    .encrypt(sealKey(secret));
}

/**
 * Opens a sealed private key of the row `kid`, in either format. A wrong pseudonym key fails
 * the GCM tag: an operator error, so it throws (as does a sealed key moved to another row).
 */
async function unsealPrivateKey(secret: string, kid: string, sealed: string): Promise<JWK> {
  if (sealed.startsWith(`${LEGACY_SEAL_VERSION}.`)) return unsealLegacy(secret, kid, sealed);
  const { plaintext, protectedHeader } = await compactDecrypt(sealed, sealKey(secret), {
    keyManagementAlgorithms: ['dir'],
    contentEncryptionAlgorithms: ['A256GCM'],
  });
  if (protectedHeader.kid !== kid) throw new Error(`gateway key ${kid}: sealed for another key`);
  return JSON.parse(new TextDecoder().decode(plaintext)) as JWK;
}

function unsealLegacy(secret: string, kid: string, sealed: string): JWK {
  const [, iv, body, tag, extra] = sealed.split('.');
  if (!iv || !body || !tag || extra !== undefined) throw new Error(`gateway key ${kid}: unknown sealing`);
  const decipher = createDecipheriv('aes-256-gcm', sealKey(secret), Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(kid, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  const json = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  return JSON.parse(json) as JWK;
}

const publicOnly = (jwk: JWK, kid: string): JWK => ({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid, alg: ALG, use: 'sig' });

type Tx = Pick<PrismaClient, 'gatewayKey' | '$executeRaw'>;

async function createKey(tx: Tx, secret: string, createdAt: Date): Promise<ActiveKey> {
  const { privateKey } = await generateKeyPair(ALG, { crv: 'Ed25519', extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(privateJwk);
  await tx.gatewayKey.create({
    data: { kid, alg: ALG, publicJwk: publicOnly(privateJwk, kid), sealedPrivate: await sealPrivateKey(secret, kid, privateJwk), createdAt },
  });
  return { kid, key: (await importJWK(privateJwk, ALG)) as CryptoKey };
}

/** The active key, created under the advisory lock when there is none (first start). */
async function loadOrCreateActiveKey(prisma: PrismaClient, secret: string, now: () => Date): Promise<ActiveKey> {
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${KEY_LOCK})`;
    const row = await tx.gatewayKey.findFirst({ where: { retiredAt: null }, orderBy: { createdAt: 'desc' } });
    if (!row) return createKey(tx, secret, now());
    return { kid: row.kid, key: (await importJWK(await unsealPrivateKey(secret, row.kid, row.sealedPrivate), ALG)) as CryptoKey };
  });
}

export async function createReceiptSigner(prisma: PrismaClient, secret: string, now: () => Date = () => new Date()): Promise<ReceiptSigner> {
  let active = await loadOrCreateActiveKey(prisma, secret, now);
  const signJson = async (payload: unknown, typ: string) => {
    const canonical = canonicalize(payload);
    if (canonical === undefined) throw new TypeError('payload is not serialisable');
    return new CompactSign(new TextEncoder().encode(canonical)).setProtectedHeader({ alg: ALG, kid: active.kid, typ }).sign(active.key);
  };
  return {
    sign: (report) => signJson(report, RECEIPT_TYP),
    signJson,
    async jwks() {
      const rows = await prisma.gatewayKey.findMany({ orderBy: { createdAt: 'desc' }, select: { publicJwk: true } });
      return { keys: rows.map((r) => r.publicJwk as JWK) };
    },
    async rotate() {
      active = await prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${KEY_LOCK})`;
        await tx.gatewayKey.updateMany({ where: { retiredAt: null }, data: { retiredAt: now() } });
        return createKey(tx, secret, now());
      });
      return active.kid;
    },
  };
}

/** The report a receipt was signed over (the payload, not verified: for reading our own rows). */
export function reportOfReceipt(receipt: string): UnsignedReport | undefined {
  const payload = receipt.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as UnsignedReport;
  } catch {
    return undefined;
  }
}
