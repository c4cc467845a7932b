// Signed receipts: the gateway's own Ed25519 keys (table gateway_key) and the compact JWS it
// puts on every submission report. The payload is the RFC 8785 canonical JSON of the report
// without its `receipt`, so anyone holding the report can rebuild the exact bytes; the
// protected header is {alg: EdDSA, kid, typ: liaison-receipt+jws}. Private halves are sealed
// with AES-256-GCM under HKDF-SHA256(pseudonym key, info 'liaison-gateway-key-seal'), the kid
// being the additional data, so a sealed key cannot be swapped onto another row. Retired keys
// stay in jwks() so that old receipts keep verifying. `sign` does no I/O (the pipeline calls
// it inside its transaction, where PGlite has no second connection to give).
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import canonicalize from 'canonicalize';
import { calculateJwkThumbprint, CompactSign, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { PrismaClient } from '../prisma/generated/client/client.ts';
import type { SubmissionReport } from './report.ts';

export type UnsignedReport = Omit<SubmissionReport, 'receipt'>;

export type ReceiptSigner = {
  sign(report: UnsignedReport): Promise<string>;
  jwks(): Promise<{ keys: JWK[] }>;
  /** Retires the active key (it stays published) and makes a new one; answers its kid. */
  rotate(): Promise<string>;
};

export const RECEIPT_TYP = 'liaison-receipt+jws';
const ALG = 'EdDSA';
const SEAL_INFO = 'liaison-gateway-key-seal';
const SEAL_VERSION = 'v1';
/** pg_advisory_xact_lock key serialising key creation and rotation across gateway processes. */
const KEY_LOCK = 0x4c4947574b59n; // "LIGWKY"

type ActiveKey = { kid: string; key: CryptoKey };

function sealKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), SEAL_INFO, 32));
}

function seal(secret: string, kid: string, privateJwk: JWK): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey(secret), iv);
  cipher.setAAD(Buffer.from(kid, 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify(privateJwk), 'utf8'), cipher.final()]);
  return [SEAL_VERSION, iv, body, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

function unseal(secret: string, kid: string, sealed: string): JWK {
  const [version, iv, body, tag] = sealed.split('.');
  if (version !== SEAL_VERSION || !iv || !body || !tag) throw new Error(`gateway key ${kid}: unknown sealing`);
  const decipher = createDecipheriv('aes-256-gcm', sealKey(secret), Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(kid, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  // A wrong pseudonym key fails here (GCM tag): a programmer/operator error, so it throws.
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
    data: { kid, alg: ALG, publicJwk: publicOnly(privateJwk, kid), sealedPrivate: seal(secret, kid, privateJwk), createdAt },
  });
  return { kid, key: (await importJWK(privateJwk, ALG)) as CryptoKey };
}

/** The active key, created under the advisory lock when there is none (first start). */
async function loadOrCreateActiveKey(prisma: PrismaClient, secret: string, now: () => Date): Promise<ActiveKey> {
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${KEY_LOCK})`;
    const row = await tx.gatewayKey.findFirst({ where: { retiredAt: null }, orderBy: { createdAt: 'desc' } });
    if (!row) return createKey(tx, secret, now());
    return { kid: row.kid, key: (await importJWK(unseal(secret, row.kid, row.sealedPrivate), ALG)) as CryptoKey };
  });
}

export async function createReceiptSigner(prisma: PrismaClient, secret: string, now: () => Date = () => new Date()): Promise<ReceiptSigner> {
  let active = await loadOrCreateActiveKey(prisma, secret, now);
  return {
    async sign(report) {
      const canonical = canonicalize(report);
      if (canonical === undefined) throw new TypeError('report is not serialisable');
      return new CompactSign(new TextEncoder().encode(canonical))
        .setProtectedHeader({ alg: ALG, kid: active.kid, typ: RECEIPT_TYP })
        .sign(active.key);
    },
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
