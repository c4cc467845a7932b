// Opaque paging cursors. A cursor holds the position of a row in its connection's order (the
// values of the sort key, today the row's id), sealed with AES-256-GCM under a key derived from
// the gateway's secret: a caller can neither read the id in it nor make one up, and a cursor
// is bound to the connection that issued it (`Query.suspects`, `ScamDen.suspects`…), so one
// taken from another connection does not open. Paging from a cursor only needs its position,
// never the row it came from, so a cursor at a hidden, a deleted or a never-existing row pages
// the same way (docs/security.md).
//
// Pure: no database, no GraphQL; the paging helper (schema/paging.ts) turns a position into a
// `where`, and a later SQL compiler can use this module as it is.
import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';

const KEY_INFO = 'liaison-paging-cursor-key';
const FORMAT_VERSION = 1;
const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Far above any cursor this module issues; longer input is refused before any work. */
const MAX_CURSOR_CHARS = 512;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The values of a connection's sort key at one row, in sort order. */
export type CursorPosition = readonly string[];

/** The cursor key of a deployment: the same in every gateway process holding `secret`. */
export function deriveCursorKey(secret: string): KeyObject {
  return createSecretKey(Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), KEY_INFO, 32)));
}

/** A key of this process alone, for a gateway built without the deployment's secret (tools, benchmarks). */
export function ephemeralCursorKey(): KeyObject {
  return createSecretKey(randomBytes(32));
}

/** What the seal authenticates besides the position: the format and the connection. */
function associatedData(connection: string): Buffer {
  return Buffer.from(`${FORMAT_VERSION}:${connection}`, 'utf8');
}

/** The cursor of `position` in `connection`: base64url of version, IV, ciphertext and tag. */
export function encodeCursor(key: KeyObject, connection: string, position: CursorPosition): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(connection));
  const sealed = Buffer.concat([cipher.update(JSON.stringify(position), 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.of(FORMAT_VERSION), iv, sealed, cipher.getAuthTag()]).toString('base64url');
}

/**
 * The position a cursor of `connection` holds, or undefined when it is not one: not this
 * format, sealed under another key or for another connection, or altered in any byte.
 */
export function decodeCursor(key: KeyObject, connection: string, cursor: string): CursorPosition | undefined {
  if (cursor.length > MAX_CURSOR_CHARS || !BASE64URL.test(cursor)) return undefined;
  const bytes = Buffer.from(cursor, 'base64url');
  if (bytes.length <= 1 + IV_BYTES + TAG_BYTES || bytes[0] !== FORMAT_VERSION) return undefined;
  const iv = bytes.subarray(1, 1 + IV_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  const decipher = createDecipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(associatedData(connection));
  decipher.setAuthTag(tag);
  let plaintext: string;
  try {
    plaintext = Buffer.concat([decipher.update(bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
  const position: unknown = JSON.parse(plaintext);
  return Array.isArray(position) && position.every((value) => typeof value === 'string') ? position : undefined;
}
