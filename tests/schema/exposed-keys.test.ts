// The keys the API shows (schema/exposed-keys.ts): a sealing of (owner, stored key) for each
// viewer, deterministic for one viewer and unrelated across viewers and owners, which only the
// viewer it was shown to can open. Kept lately shown keys answer exactly as a fresh sealing.
import { createSecretKey, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { exposedKeyForViewer, exposedKeysOf, exposeKey, openExposedKey } from '../../schema/exposed-keys.ts';

const secret = createSecretKey(randomBytes(32));
const keys = exposedKeysOf(secret);
const [viewerA, viewerB, owner, otherOwner] = ['1', '2', '3', '4'].map((d) => `${d.repeat(8)}-${d.repeat(4)}-4${d.repeat(3)}-8${d.repeat(3)}-${d.repeat(12)}`) as [string, string, string, string];
const stored = 'a'.repeat(64);

describe('keys shown to viewers', () => {
  it('AUZ-34 answers the same sealing whether or not it was shown lately, per viewer and owner, and only its viewer opens it', () => {
    const first = exposedKeyForViewer(secret, viewerA, owner, stored);
    expect(exposedKeyForViewer(secret, viewerA, owner, stored)).toBe(first);
    expect(first).toBe(exposeKey(keys, viewerA, owner, stored));
    // Kept per viewer and owner: never another's token.
    const forB = exposedKeyForViewer(secret, viewerB, owner, stored);
    const otherOwners = exposedKeyForViewer(secret, viewerA, otherOwner, stored);
    expect(new Set([first, forB, otherOwners]).size).toBe(3);
    expect(forB).toBe(exposeKey(keys, viewerB, owner, stored));
    expect(openExposedKey(keys, viewerA, first)).toEqual({ ownerId: owner, storedKey: stored });
    expect(openExposedKey(keys, viewerB, first)).toBeUndefined();
    // Another gateway secret shows other tokens for the same record.
    expect(exposedKeyForViewer(createSecretKey(randomBytes(32)), viewerA, owner, stored)).not.toBe(first);
  });

  it('AUZ-34 answers each viewer and owner of one stored key its own sealing, also past the views kept per key', () => {
    const viewers = Array.from({ length: 9 }, (_, i) => `${String(i).repeat(8)}-0000-4000-8000-${String(i).repeat(12)}`);
    const shared = 'b'.repeat(64);
    // Three rounds over 18 views of one stored key: more than it keeps, so later rounds seal some again.
    for (let round = 0; round < 3; round++) {
      for (const viewer of viewers) {
        for (const ownerId of [owner, otherOwner]) {
          const token = exposedKeyForViewer(secret, viewer, ownerId, shared);
          expect(token).toBe(exposeKey(keys, viewer, ownerId, shared));
          expect(openExposedKey(keys, viewer, token)).toEqual({ ownerId, storedKey: shared });
        }
      }
    }
  });
});
