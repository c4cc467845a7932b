// The raw bytes of a submission on their way to the adapter: counted against the size limit
// and hashed (SHA-256) as they stream, never buffered whole. The adapter may stop reading
// early (a file error ends its stream); `drain()` then reads the rest so that the hash is of
// the whole file, still under the limit. Exceeding the limit is a PAYLOAD_TOO_LARGE
// LiaisonError thrown into the adapter and remembered, so it wins over whatever the adapter
// makes of the aborted stream.
import { createHash, type Hash } from 'node:crypto';
import { ErrorCode, LiaisonError } from '../kernel/errors.ts';

export class MeteredBody {
  private readonly source: AsyncIterator<Uint8Array>;
  private readonly hash: Hash = createHash('sha256');
  private done = false;
  bytes = 0;
  overLimit: LiaisonError | undefined;

  constructor(
    body: AsyncIterable<Uint8Array>,
    private readonly maxBytes: number,
  ) {
    this.source = body[Symbol.asyncIterator]();
  }

  private async next(): Promise<Uint8Array | undefined> {
    if (this.done) return undefined;
    if (this.overLimit) throw this.overLimit;
    const step = await this.source.next();
    if (step.done) {
      this.done = true;
      return undefined;
    }
    const chunk = step.value;
    this.bytes += chunk.byteLength;
    if (this.bytes > this.maxBytes) {
      this.overLimit = new LiaisonError(ErrorCode.PAYLOAD_TOO_LARGE, `The file is over the limit of ${this.maxBytes} bytes.`);
      this.done = true;
      await this.source.return?.();
      throw this.overLimit;
    }
    this.hash.update(chunk);
    return chunk;
  }

  /** The chunks for the adapter. Stopping early does not close the source (see drain). */
  async *chunks(): AsyncGenerator<Uint8Array> {
    for (let chunk = await this.next(); chunk !== undefined; chunk = await this.next()) yield chunk;
  }

  /** Reads what the adapter left, for the hash and the limit. */
  async drain(): Promise<void> {
    while ((await this.next()) !== undefined);
  }

  /** Hex SHA-256 of the whole body; call after drain(). */
  sha256(): string {
    return this.hash.copy().digest('hex');
  }
}
