// The incremental umf-xml reader: it must see every file exactly as the whole-document reader
// did (same elements, paths, refusals), and hand out records while the file is still arriving.
import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { FileError } from '../shared/bytes.ts';
import { chunksOf, SAMPLES_DIR } from '../test-support.ts';
import { streamXmlMessage, type XmlMessageEvent } from './xml-stream.ts';
import { readXmlDocument, type XmlElement } from './xml-tree.ts';

const FIXTURES = new URL('./fixtures/', import.meta.url);

type Outcome = { attrs: Record<string, string>; elements: XmlElement[] } | { error: string };

async function wholeDocument(bytes: Uint8Array): Promise<Outcome> {
  try {
    const root = await readXmlDocument(chunksOf(bytes));
    return { attrs: root.attrs, elements: root.children };
  } catch (error) {
    if (error instanceof FileError) return { error: error.code };
    throw error;
  }
}

async function streamed(bytes: Uint8Array, sizes?: number[]): Promise<Outcome> {
  let attrs: Record<string, string> = {};
  const elements: XmlElement[] = [];
  try {
    for await (const event of streamXmlMessage(chunksOf(bytes, sizes))) {
      if (event.kind === 'message') attrs = event.attrs;
      else elements.push(event.element);
    }
    return { attrs, elements };
  } catch (error) {
    if (error instanceof FileError) return { error: error.code };
    throw error;
  }
}

describe('streamXmlMessage', () => {
  it('reads every fixture and the shared sample exactly as the whole-document reader, in any chunking', async () => {
    const files = [
      ...(await readdir(FIXTURES)).map((name) => new URL(name, FIXTURES)),
      new URL('umf-xml.xml', SAMPLES_DIR),
    ];
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const bytes = new Uint8Array(await readFile(file));
      const expected = await wholeDocument(bytes);
      expect(await streamed(bytes), file.pathname).toEqual(expected);
      expect(await streamed(bytes, [1, 7, 3, 64]), `${file.pathname} in small chunks`).toEqual(expected);
    }
  });

  it('refuses a DOCTYPE, another encoding, a second root, a prototype name and depth over 32', async () => {
    const enc = new TextEncoder();
    const cases: [string, string][] = [
      ['<!DOCTYPE m [<!ENTITY x "y">]><Message sender="DE-BKA"/>', 'DOCTYPE_FORBIDDEN'],
      ['<?xml version="1.0" encoding="ISO-8859-1"?><Message sender="DE-BKA"/>', 'MALFORMED_FILE'],
      ['<Message sender="DE-BKA"/><Message/>', 'MALFORMED_FILE'],
      ['<Message><Person><__proto__>x</__proto__></Person></Message>', 'MALFORMED_FILE'],
      ['<Message><Person constructor="x"/></Message>', 'MALFORMED_FILE'],
      [`<Message>${'<a>'.repeat(32)}${'</a>'.repeat(32)}</Message>`, 'TOO_DEEP'],
      ['<Message><Person>&undefined;</Person></Message>', 'MALFORMED_FILE'],
      ['<Other/>', 'MALFORMED_FILE'],
      ['', 'MALFORMED_FILE'],
    ];
    for (const [xml, code] of cases) expect(await streamed(enc.encode(xml)), xml.slice(0, 60)).toEqual({ error: code });
  });

  it('hands out each record as soon as it closes, long before the end of a large file', async () => {
    const record = (i: number) => `<Person id="P-${i}"><Role>MEMBER</Role><Status>WANTED</Status></Person>\n`;
    const total = 20_000;
    let produced = 0;
    async function* arriving(): AsyncGenerator<Uint8Array> {
      const enc = new TextEncoder();
      yield enc.encode('<Message sender="DE-BKA">\n');
      for (let i = 0; i < total; i++) {
        produced++;
        yield enc.encode(record(i));
      }
      yield enc.encode('</Message>');
    }
    const seenAt: number[] = [];
    let count = 0;
    for await (const event of streamXmlMessage(arriving()) as AsyncGenerator<XmlMessageEvent>) {
      if (event.kind !== 'element') continue;
      if (count++ === 0) seenAt.push(produced);
    }
    expect(count).toBe(total);
    expect(seenAt[0]).toBeLessThan(10);
  });
});
