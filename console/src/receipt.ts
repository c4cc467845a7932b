// Verifies a submission's signed receipt in the browser: a compact JWS by one of the keys the
// gateway publishes at /.well-known/jwks.json, whose payload must be the RFC 8785 canonical
// JSON of the very report shown (the report without its `receipt`).
import canonicalize from 'canonicalize';
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { rest, type SubmissionReport } from './gateway.ts';

export type ReceiptCheck = { valid: true; kid: string } | { valid: false; why: string };

export async function verifyReceipt(report: SubmissionReport): Promise<ReceiptCheck> {
  const { data: jwks } = await rest.GET('/.well-known/jwks.json');
  if (!jwks) return { valid: false, why: 'no /.well-known/jwks.json' };
  const { receipt, ...unsigned } = report;
  try {
    const { payload, protectedHeader } = await compactVerify(receipt, createLocalJWKSet(jwks as JSONWebKeySet), {
      algorithms: ['EdDSA'],
    });
    if (protectedHeader.typ !== 'liaison-receipt+jws') return { valid: false, why: `typ ${String(protectedHeader.typ)}` };
    if (new TextDecoder().decode(payload) !== canonicalize(unsigned)) return { valid: false, why: 'mismatch' };
    return { valid: true, kid: String(protectedHeader.kid) };
  } catch (error) {
    return { valid: false, why: error instanceof Error ? error.name : 'invalid' };
  }
}
