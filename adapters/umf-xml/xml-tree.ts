// The XML side of umf-xml: decoding, the checks that must happen before any parser sees the
// text (DOCTYPE or ENTITY declarations: DOCTYPE_FORBIDDEN; a non-UTF-8 encoding declaration:
// MALFORMED_FILE), well-formedness, and a small element tree with XPath-like paths
// (`/Message/Person[2]/BirthDate`). fast-xml-parser runs with entity processing off and at
// most 32 nested tags (deeper is TOO_DEEP); `__proto__`/`constructor` element names make it
// throw, which is MALFORMED_FILE. The five predefined entities and numeric character
// references are decoded here, one character each, so nothing can expand.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { FileError, readText } from '../shared/bytes.ts';

export type XmlElement = {
  name: string;
  attrs: Record<string, string>;
  text: string;
  children: XmlElement[];
  /** XPath-like: `[n]` (1-based among same-name siblings) on record elements and repeated children. */
  path: string;
};

export const MAX_XML_BYTES = 64 * 1024 * 1024;
export const MAX_XML_DEPTH = 32;

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeReferences(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (whole, name: string) => {
    if (!name.startsWith('#')) return PREDEFINED[name] ?? whole;
    const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/** Rejects what must never reach a parser. */
export function precheckXml(text: string): void {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new FileError('DOCTYPE_FORBIDDEN');
  const declared = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']*)["']/.exec(text)?.[1];
  if (declared !== undefined && !/^utf-?8$/i.test(declared)) throw new FileError('MALFORMED_FILE');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new FileError('MALFORMED_FILE', { line: valid.err.line, column: valid.err.col });
}

type OrderedNode = Record<string, unknown>;

function toElement(node: OrderedNode, name: string, path: string, depth: number): XmlElement {
  // The parser's own limit counts open tags only; this one counts every element level.
  if (depth > MAX_XML_DEPTH) throw new FileError('TOO_DEEP', {}, { limit: MAX_XML_DEPTH });
  const rawAttrs = (node[':@'] ?? {}) as Record<string, unknown>;
  const attrs: Record<string, string> = {};
  for (const [key, value] of Object.entries(rawAttrs)) attrs[key] = decodeReferences(String(value));
  const element: XmlElement = { name, attrs, text: '', children: [], path };
  const content = (node[name] ?? []) as OrderedNode[];
  const counts = new Map<string, number>();
  const totals = new Map<string, number>();
  const named = content.map((child) => Object.keys(child).find((k) => k !== ':@') ?? '');
  for (const n of named) totals.set(n, (totals.get(n) ?? 0) + 1);
  content.forEach((child, i) => {
    const childName = named[i] ?? '';
    if (childName === '#text') {
      element.text += decodeReferences(String(child['#text']));
      return;
    }
    if (!childName || childName.startsWith('?') || childName === '#comment') return;
    const position = (counts.get(childName) ?? 0) + 1;
    counts.set(childName, position);
    const indexed = (totals.get(childName) ?? 0) > 1 || path === '/Message';
    element.children.push(toElement(child, childName, `${path}/${childName}${indexed ? `[${position}]` : ''}`, depth + 1));
  });
  element.text = element.text.trim();
  return element;
}

/** Reads, checks and parses a whole UMF document into its root element. */
export async function readXmlDocument(input: AsyncIterable<Uint8Array>): Promise<XmlElement> {
  const text = await readText(input, MAX_XML_BYTES);
  precheckXml(text);
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    processEntities: false,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    maxNestedTags: MAX_XML_DEPTH,
  });
  let nodes: OrderedNode[];
  try {
    nodes = parser.parse(text) as OrderedNode[];
  } catch (error) {
    // fast-xml-parser throws plain Errors; its nesting limit is the only one we map apart.
    if (error instanceof Error && /nested tags/i.test(error.message)) throw new FileError('TOO_DEEP', {}, { limit: MAX_XML_DEPTH });
    throw new FileError('MALFORMED_FILE');
  }
  const roots = nodes.filter((node) => !Object.keys(node).some((k) => k.startsWith('?') || k === '#comment'));
  const [root] = roots;
  if (roots.length !== 1 || !root || !('Message' in root)) throw new FileError('MALFORMED_FILE');
  return toElement(root, 'Message', '/Message', 1);
}

export const childrenNamed = (element: XmlElement, name: string): XmlElement[] => element.children.filter((c) => c.name === name);
export const child = (element: XmlElement, name: string): XmlElement | undefined => element.children.find((c) => c.name === name);
