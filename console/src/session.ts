// Who is signed in, held in this module's memory only: the agency's private key as a
// non-extractable CryptoKey (or a pasted token), never written to localStorage,
// sessionStorage, IndexedDB or a cookie. Every request gets a fresh token minted here with
// jose, asking only for the scope that request needs. The session ends on sign-out, on a refused key, and after 15 minutes without a key
// press or pointer action; subscribers (the React shell) are told each time.
import { importJWK, SignJWT, type JWK } from 'jose';
import type { MessageKey } from './messages.ts';

export const IDLE_LIMIT_MS = 15 * 60 * 1000;
/** Lifetime of each minted token: one request, so short (the gateway allows at most 300 s). */
const TOKEN_SECONDS = 60;
const ALLOWED_ALGS = ['EdDSA', 'ES256', 'ES384', 'PS256'] as const;

type Signer = { kind: 'key'; key: CryptoKey; alg: string; kid: string; audience: string } | { kind: 'token'; token: string };

export type Session = { agency: string; subject: string; signer: Signer };
export type SessionEnd = 'signedOut' | 'idle' | null;

let current: Session | null = null;
let ended: SessionEnd = null;
let lastActivity = Date.now();
let idleTimer: ReturnType<typeof setInterval> | undefined;
const listeners = new Set<() => void>();

/** A sign-in the page could not even try, with the message that says what to do. */
export class SignInError extends Error {
  constructor(readonly messageKey: MessageKey) {
    super(messageKey);
  }
}

const notify = () => listeners.forEach((listener) => listener());

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export const currentSession = (): Session | null => current;
export const howItEnded = (): SessionEnd => ended;

/** Reads a private JWK file's text into a non-extractable signing key; the text is not kept. */
export async function keySigner(jwkText: string, audience: string): Promise<Signer> {
  let jwk: JWK;
  try {
    jwk = JSON.parse(jwkText) as JWK;
  } catch {
    throw new SignInError('signIn.badJson');
  }
  if (typeof jwk !== 'object' || jwk === null) throw new SignInError('signIn.badJson');
  if (!('d' in jwk)) throw new SignInError('signIn.publicKey');
  const alg = jwk.alg;
  if (typeof jwk.kid !== 'string' || !ALLOWED_ALGS.includes(alg as (typeof ALLOWED_ALGS)[number])) throw new SignInError('signIn.badKey');
  try {
    const key = await importJWK(jwk, alg, { extractable: false });
    if (!(key instanceof CryptoKey)) throw new SignInError('signIn.badKey');
    return { kind: 'key', key, alg: alg as string, kid: jwk.kid, audience };
  } catch {
    throw new SignInError('signIn.badKey');
  }
}

export const tokenSigner = (token: string) => ({ kind: 'token' as const, token: token.trim().replace(/^Bearer\s+/i, '') });

export function start(session: Session): void {
  current = session;
  ended = null;
  lastActivity = Date.now();
  clearInterval(idleTimer);
  idleTimer = setInterval(() => {
    if (Date.now() - lastActivity >= IDLE_LIMIT_MS) end('idle');
  }, 10_000);
  notify();
}

/** Forgets the key (or token) at once. */
export function end(reason: Exclude<SessionEnd, null>): void {
  current = null;
  ended = reason;
  clearInterval(idleTimer);
  idleTimer = undefined;
  notify();
}

/** A key press or pointer action of the person: the idle clock starts again. */
export function touch(): void {
  if (!current) return;
  if (Date.now() - lastActivity >= IDLE_LIMIT_MS) end('idle');
  else lastActivity = Date.now();
}

/** What one request may do: each token asks for the one scope its request needs. */
export type Scope = 'records:read' | 'records:submit' | 'match:query';

/** The Authorization header value for one request of the given session. */
export async function authorization(session: Session, scope: Scope): Promise<string> {
  const { signer } = session;
  if (signer.kind === 'token') return `Bearer ${signer.token}`;
  const iat = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ scope })
    .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: 'JWT' })
    .setIssuer(session.agency)
    .setSubject(session.subject)
    .setAudience(signer.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + TOKEN_SECONDS)
    .setJti(crypto.randomUUID())
    .sign(signer.key);
  return `Bearer ${token}`;
}
