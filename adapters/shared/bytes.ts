// Byte input shared by the adapters: strict UTF-8 decoding of a chunked byte stream (a
// multi-byte character split across chunks is joined; invalid UTF-8, such as a UTF-16 file,
// is a FileError MALFORMED_FILE rather than silent U+FFFD), and a leading BOM dropped. Every
// format reads incrementally; none holds a whole file.
import type { IssueCode, IssueDetail } from '../contract.ts';

/** A file-level problem found while reading; adapters turn it into an error issue. */
export class FileError extends Error {
  constructor(
    readonly code: IssueCode,
    readonly at: { line?: number; column?: number; path?: string; field?: string } = {},
    readonly detail?: IssueDetail,
  ) {
    super(code);
    this.name = 'FileError';
  }
}

export async function* decodeUtf8(input: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of input) {
      const text = decoder.decode(chunk, { stream: true });
      if (text) yield text;
    }
    const tail = decoder.decode();
    if (tail) yield tail;
  } catch (error) {
    if (error instanceof TypeError) throw new FileError('MALFORMED_FILE', {}, { expected: 'UTF-8 text' });
    throw error;
  }
}
