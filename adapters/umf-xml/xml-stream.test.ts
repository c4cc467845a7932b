// The incremental umf-xml reader: the same elements, paths and refusals however the file is cut
// into chunks, the refusals the whole-document reader had, and records handed out while the
// file is still arriving.
import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { FileError } from '../shared/bytes.ts';
import { chunksOf, SAMPLES_DIR } from '../test-support.ts';
import { streamXmlMessage, type XmlElement, type XmlMessageEvent } from './xml-stream.ts';

const FIXTURES = new URL('./fixtures/', import.meta.url);

type Outcome = { attrs: Record<string, string>; elements: XmlElement[] } | { error: string };

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
  it('reads every fixture and the shared sample the same in one chunk and in tiny ones', async () => {
    const files = [
      ...(await readdir(FIXTURES)).map((name) => new URL(name, FIXTURES)),
      new URL('umf-xml.xml', SAMPLES_DIR),
    ];
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const bytes = new Uint8Array(await readFile(file));
      const whole = await streamed(bytes);
      expect(await streamed(bytes, [1, 7, 3, 64]), `${file.pathname} in small chunks`).toEqual(whole);
    }
    const sample = await streamed(new Uint8Array(await readFile(new URL('umf-xml.xml', SAMPLES_DIR))));
    expect('elements' in sample && sample.elements.map((e) => e.path)).toEqual([
      '/Message/Location[1]', '/Message/Person[1]', '/Message/Person[2]', '/Message/MonetaryValue[1]', '/Message/MonetaryValue[2]',
    ]);
    expect('elements' in sample && sample.elements[1]!.children.filter((c) => c.name === 'Document').map((c) => c.path)).toEqual([
      '/Message/Person[1]/Document[1]', '/Message/Person[1]/Document[2]', '/Message/Person[1]/Document[3]',
    ]);
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

  it('ISO-08 hands out each record as soon as it closes, long before the end of a large file', async () => {
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
