// The upload spool: a submission's bytes are received in full BEFORE any database connection
// or transaction is taken, so a partner trickling a file byte by byte holds a temporary file,
// never a connection other agencies need. While receiving, the size limit is enforced on every
// chunk (PAYLOAD_TOO_LARGE as soon as it is crossed) and an upload that sends nothing for
// `idleTimeoutMs` is abandoned (408). The file holds raw partner data, so it is written
// encrypted (AES-256-CTR) under a key that exists only in this process's memory: a crash
// leaves unreadable bytes, never raw identifiers at rest. It is owner-only (0600 in a 0700
// directory) and removed by dispose().
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, LiaisonError } from '../kernel/errors.ts';

export type SpoolOptions = {
  maxBytes: number;
  /** An upload that sends no byte for this long is abandoned with 408. */
  idleTimeoutMs: number;
  /** Where the temporary directory is made (default: the OS temp directory). */
  dir?: string;
};

/** Where a spool's bytes are and how to decrypt them: handed to the parse worker, never logged. */
export type SpoolSource = { path: string; key: Uint8Array; iv: Uint8Array };

export type Spool = {
  readonly bytes: number;
  /** For a reader in another thread (ingest/parse-worker.ts), which decrypts with readSpool. */
  readonly source: SpoolSource;
  /** Hex SHA-256 of the whole upload. */
  readonly sha256: string;
  /** The upload again, decrypted, as the adapter reads it. */
  chunks(): AsyncGenerator<Uint8Array>;
  dispose(): Promise<void>;
};

const CIPHER = 'aes-256-ctr';

export const uploadTooLarge = (maxBytes: number) =>
  new LiaisonError(ErrorCode.PAYLOAD_TOO_LARGE, `The file is over the limit of ${maxBytes} bytes.`, {
    issues: [{ field: '(file)', code: 'TOO_LARGE', message: `at most ${maxBytes} bytes` }],
  });

export const uploadStalled = (idleTimeoutMs: number) =>
  new LiaisonError(ErrorCode.BAD_USER_INPUT, `No data arrived for ${Math.round(idleTimeoutMs / 1000)} s; the upload was abandoned.`, {
    status: 408,
    issues: [{ field: '(file)', code: 'UPLOAD_STALLED', message: `at most ${Math.round(idleTimeoutMs / 1000)} s between bytes` }],
  });

/** The next chunk, or `stalled` after `ms` without one (the source is then closed). */
async function nextWithin<T>(source: AsyncIterator<T>, ms: number): Promise<IteratorResult<T> | 'stalled'> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<'stalled'>((resolve) => {
    timer = setTimeout(() => resolve('stalled'), ms);
  });
  try {
    return await Promise.race([source.next(), stalled]);
  } finally {
    clearTimeout(timer);
  }
}

/** Receives the whole upload into an encrypted temporary file; throws 413/408 LiaisonErrors. */
export async function spoolBody(body: AsyncIterable<Uint8Array>, options: SpoolOptions): Promise<Spool> {
  const dir = await mkdtemp(join(options.dir ?? tmpdir(), 'liaison-spool-'));
  const path = join(dir, 'upload.bin');
  const key = randomBytes(32);
  const iv = randomBytes(16);
  const cipher = createCipheriv(CIPHER, key, iv);
  const hash = createHash('sha256');
  const source = body[Symbol.asyncIterator]();
  let bytes = 0;
  const file = await open(path, 'wx', 0o600);
  try {
    for (;;) {
      const step = await nextWithin(source, options.idleTimeoutMs);
      if (step === 'stalled') {
        void Promise.resolve(source.return?.()).catch(() => {});
        throw uploadStalled(options.idleTimeoutMs);
      }
      if (step.done) break;
      bytes += step.value.byteLength;
      if (bytes > options.maxBytes) {
        void Promise.resolve(source.return?.()).catch(() => {});
        throw uploadTooLarge(options.maxBytes);
      }
      hash.update(step.value);
      await file.write(cipher.update(step.value));
    }
    await file.write(cipher.final());
    await file.close();
  } catch (error) {
    await file.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  const sha256 = hash.digest('hex');
  const stored: SpoolSource = { path, key, iv };
  return {
    bytes,
    sha256,
    source: stored,
    chunks: () => readSpool(stored),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The spooled upload, decrypted, in chunks of at most 64 KiB (in any thread). */
export async function* readSpool(source: SpoolSource): AsyncGenerator<Uint8Array> {
  const decipher = createDecipheriv(CIPHER, source.key, source.iv);
  for await (const chunk of createReadStream(source.path, { highWaterMark: 64 * 1024 })) {
    const plain = decipher.update(chunk as Buffer);
    if (plain.byteLength > 0) yield plain;
  }
  const rest = decipher.final();
  if (rest.byteLength > 0) yield rest;
}
