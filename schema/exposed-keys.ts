// The pseudonyms the API shows (Suspect.personKey, InterceptedFund.accountKey) are not the
// stored keys but a sealing of (the record's owner, the stored key) for the viewing agency:
// deterministic for one viewer and one owner — the same person reported twice by one agency
// shows one key, usable as a filter — and unrelated across owners and across viewers. So a
// viewer cannot compare its own record's key with another agency's (the self-submission
// reversal of issue 10 §5): links across owners are learnt only through governed `match`.
//
// Construction (SIV: deterministic authenticated encryption): iv = HMAC-SHA256(macKey, viewer
// ‖ plaintext)[0..16), ciphertext = AES-256-CTR(encKey, iv, plaintext), token = base64url(iv ‖
// ciphertext), plaintext = owner uuid (16 bytes) ‖ stored key (UTF-8). Both keys are derived
// from the gateway's cursor key (itself derived from the pseudonym key), so every process of
// a deployment shows the same tokens. Pure: no database, no GraphQL.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto';
import { LRUCache } from 'lru-cache';

const IV_BYTES = 16;
const UUID_BYTES = 16;
const MAX_TOKEN_CHARS = 400;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type ExposedKeys = { mac: Buffer; enc: Buffer };

const derived = new WeakMap<KeyObject, ExposedKeys>();

/** The two keys of this module, derived once per gateway secret. */
export function exposedKeysOf(secret: KeyObject): ExposedKeys {
  let keys = derived.get(secret);
  if (!keys) {
    const raw = secret.export();
    keys = {
      mac: Buffer.from(hkdfSync('sha256', raw, Buffer.alloc(0), 'liaison-exposed-key-mac', 32)),
      enc: Buffer.from(hkdfSync('sha256', raw, Buffer.alloc(0), 'liaison-exposed-key-enc', 32)),
    };
    derived.set(secret, keys);
  }
  return keys;
}

const syntheticIv = (keys: ExposedKeys, viewerAgencyId: string, plaintext: Buffer) =>
  createHmac('sha256', keys.mac).update(`${viewerAgencyId}\u0000`, 'utf8').update(plaintext).digest().subarray(0, IV_BYTES);

const ctr = (keys: ExposedKeys, iv: Buffer, data: Buffer, decrypt = false) => {
  const cipher = decrypt ? createDecipheriv('aes-256-ctr', keys.enc, iv) : createCipheriv('aes-256-ctr', keys.enc, iv);
  return Buffer.concat([cipher.update(data), cipher.final()]);
};

/** The key `viewerAgencyId` is shown for a record of `ownerId` whose stored key is `storedKey`. */
export function exposeKey(keys: ExposedKeys, viewerAgencyId: string, ownerId: string, storedKey: string): string {
  const plaintext = Buffer.concat([Buffer.from(ownerId.replaceAll('-', ''), 'hex'), Buffer.from(storedKey, 'utf8')]);
  const iv = syntheticIv(keys, viewerAgencyId, plaintext);
  return Buffer.concat([iv, ctr(keys, iv, plaintext)]).toString('base64url');
}

/**
 * The key `viewerAgencyId` is shown, under the gateway secret `secret` (the cursor key), for a
 * record of `ownerId` whose stored key is `storedKey`: the one call of every read path, the
 * resolvers (schema/types/records.ts) and the compiled reads (schema/compiled/compile.ts).
 */
export function exposedKeyForViewer(secret: KeyObject, viewerAgencyId: string, ownerId: string, storedKey: string): string {
  const keys = exposedKeysOf(secret);
  let recent = shown.get(keys);
  if (!recent) shown.set(keys, (recent = new LRUCache<string, readonly Shown[]>({ maxSize: SHOWN_KEYS, sizeCalculation: (views) => views.length })));
  const views = recent.get(storedKey);
  if (views) for (const view of views) if (view.viewer === viewerAgencyId && view.owner === ownerId) return view.token;
  const token = exposeKey(keys, viewerAgencyId, ownerId, storedKey);
  recent.set(storedKey, [{ viewer: viewerAgencyId, owner: ownerId, token }, ...(views ?? []).slice(0, VIEWS_PER_KEY - 1)]);
  return token;
}

/**
 * The keys shown lately, per gateway secret. exposeKey is pure, and partners read the same
 * records again (a dashboard refreshed, a page polled): each key costs an HMAC and an AES key
 * schedule, about 9 µs, which for a page of 50 dens with 10 suspects each was a quarter of
 * the gateway's time (bench/profile-read). Bounded: at most SHOWN_KEYS views, about 8 MB. A
 * view is a viewer's own view of a record, so a faster answer tells a viewer only what it has
 * itself been shown (another viewer's views of the same stored key add a comparison or two).
 * Looked up by the stored key alone, then by viewer and owner among its views: a key joining
 * viewer, owner and stored key had to be built and hashed for every lookup, which cost more
 * than the lookup itself (550 lookups with strings fresh from JSON.parse, as a page of the
 * bench's read: 450-510 µs a request against 200-240 µs, micro-benchmark side by side).
 */
const SHOWN_KEYS = 20_000;
/** Views kept per stored key: the viewers and owners of one pseudonym are few; more are sealed again. */
const VIEWS_PER_KEY = 8;
type Shown = { viewer: string; owner: string; token: string };
const shown = new WeakMap<ExposedKeys, LRUCache<string, readonly Shown[]>>();

/** The owner and stored key behind a key shown to `viewerAgencyId`; undefined for anything else. */
export function openExposedKey(keys: ExposedKeys, viewerAgencyId: string, token: string): { ownerId: string; storedKey: string } | undefined {
  if (token.length > MAX_TOKEN_CHARS || !BASE64URL.test(token)) return undefined;
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.length <= IV_BYTES + UUID_BYTES) return undefined;
  const iv = bytes.subarray(0, IV_BYTES);
  const plaintext = ctr(keys, iv, bytes.subarray(IV_BYTES), true);
  if (!timingSafeEqual(iv, syntheticIv(keys, viewerAgencyId, plaintext))) return undefined;
  const hex = plaintext.subarray(0, UUID_BYTES).toString('hex');
  const ownerId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return UUID.test(ownerId) ? { ownerId, storedKey: plaintext.subarray(UUID_BYTES).toString('utf8') } : undefined;
}
