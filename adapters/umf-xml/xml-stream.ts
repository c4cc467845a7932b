// Incremental reading of a umf-xml message with saxes: the file is fed to the parser chunk by
// chunk as it arrives and each record element (a child of the root `Message`) is handed out as
// soon as it closes, so memory holds one record at a time whatever the file's size, and the
// event loop gets a turn between chunks. The same refusals as before: a DOCTYPE (and with it
// any ENTITY declaration) is DOCTYPE_FORBIDDEN the moment the parser meets it; an encoding
// other than UTF-8 is MALFORMED_FILE; more than MAX_XML_DEPTH nested elements is TOO_DEEP;
// `__proto__`/`constructor`/`prototype` as an element or attribute name is MALFORMED_FILE.
// Only the five predefined entities and numeric character references are decoded (saxes knows
// no others without a DTD), so nothing can expand. Names lose their namespace prefix.
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { decodeUtf8, FileError } from '../shared/bytes.ts';

export type XmlElement = {
  name: string;
  attrs: Record<string, string>;
  text: string;
  children: XmlElement[];
  /** XPath-like: `[n]` (1-based among same-name siblings) on record elements and repeated children. */
  path: string;
};

export const MAX_XML_DEPTH = 32;

export const childrenNamed = (element: XmlElement, name: string): XmlElement[] => element.children.filter((c) => c.name === name);
export const child = (element: XmlElement, name: string): XmlElement | undefined => element.children.find((c) => c.name === name);

export type XmlMessageEvent =
  | { kind: 'message'; attrs: Record<string, string> }
  | { kind: 'element'; element: XmlElement };

const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

type OpenNode = { name: string; attrs: Record<string, string>; text: string; children: OpenNode[] };

const localName = (name: string): string => name.slice(name.indexOf(':') + 1);

function attributesOf(tag: SaxesTagPlain): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const [rawName, value] of Object.entries(tag.attributes)) {
    if (rawName === 'xmlns' || rawName.startsWith('xmlns:')) continue;
    const name = localName(rawName);
    if (FORBIDDEN_NAMES.has(name)) throw new FileError('MALFORMED_FILE');
    attrs[name] = value;
  }
  return attrs;
}

/** Gives a closed record its XPath-like paths: `[n]` on repeated same-name children. */
function finish(node: OpenNode, path: string): XmlElement {
  const totals = new Map<string, number>();
  for (const c of node.children) totals.set(c.name, (totals.get(c.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  const children = node.children.map((c) => {
    const position = (seen.get(c.name) ?? 0) + 1;
    seen.set(c.name, position);
    return finish(c, `${path}/${c.name}${(totals.get(c.name) ?? 0) > 1 ? `[${position}]` : ''}`);
  });
  return { name: node.name, attrs: node.attrs, text: node.text.trim(), children, path };
}

/**
 * The root's attributes first (`message`), then each record element as it closes
 * (`element`, path `/Message/Name[n]`). Throws FileError for a file that is not a
 * well-formed UTF-8 umf-xml message; the line is the parser's.
 */
export async function* streamXmlMessage(input: AsyncIterable<Uint8Array>): AsyncGenerator<XmlMessageEvent> {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const ready: XmlMessageEvent[] = [];
  const stack: OpenNode[] = [];
  const positions = new Map<string, number>();
  let failure: FileError | undefined;
  let sawRoot = false;

  const fail = (error: FileError) => {
    failure ??= error;
  };
  // saxes counts the characters read on the line: the last one read is the culprit (1-based).
  const here = () => ({ line: parser.line, column: Math.max(1, parser.column) });
  parser.on('error', (error) => {
    fail(new FileError('MALFORMED_FILE', here()));
    throw error;
  });
  parser.on('xmldecl', (decl) => {
    if (decl.encoding !== undefined && !/^utf-?8$/i.test(decl.encoding)) fail(new FileError('MALFORMED_FILE', {}, { expected: 'UTF-8 text' }));
  });
  parser.on('doctype', () => fail(new FileError('DOCTYPE_FORBIDDEN')));
  parser.on('opentag', (tag) => {
    const name = localName(tag.name);
    if (FORBIDDEN_NAMES.has(name)) return fail(new FileError('MALFORMED_FILE', here()));
    if (stack.length + 1 > MAX_XML_DEPTH) return fail(new FileError('TOO_DEEP', here(), { limit: MAX_XML_DEPTH }));
    const node: OpenNode = { name, attrs: attributesOf(tag), text: '', children: [] };
    if (stack.length === 0) {
      if (sawRoot || name !== 'Message') return fail(new FileError('MALFORMED_FILE', here()));
      sawRoot = true;
      ready.push({ kind: 'message', attrs: node.attrs });
    } else if (stack.length > 1) {
      stack[stack.length - 1]!.children.push(node);
    }
    stack.push(node);
  });
  const addText = (text: string) => {
    // Text directly inside Message (between records) is layout, never kept.
    if (stack.length > 1) stack[stack.length - 1]!.text += text;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.on('closetag', () => {
    const node = stack.pop();
    if (node && stack.length === 1) {
      const position = (positions.get(node.name) ?? 0) + 1;
      positions.set(node.name, position);
      ready.push({ kind: 'element', element: finish(node, `/Message/${node.name}[${position}]`) });
    }
  });

  const feed = (text: string | null) => {
    try {
      if (text === null) parser.close();
      else parser.write(text);
    } catch (error) {
      if (error instanceof FileError) fail(error);
      else if (!failure) fail(new FileError('MALFORMED_FILE', here()));
    }
  };

  for await (const text of decodeUtf8(input)) {
    feed(text);
    if (failure) throw failure;
    yield* ready.splice(0);
  }
  feed(null);
  if (failure) throw failure;
  if (!sawRoot) throw new FileError('MALFORMED_FILE');
  yield* ready.splice(0);
}
