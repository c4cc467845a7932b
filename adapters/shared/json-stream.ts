// A streaming JSON reader for partner files whose records sit in top-level arrays
// (`records`, `窝点`/`嫌疑人`/`涉案资金`, `objects`). It tokenizes UTF-8 bytes incrementally
// (stream-json) and assembles one array element at a time, so a 50 MB file never becomes
// one object graph. Numbers keep their exact source text (JsonNumber) so money is never read
// through a float. Nesting deeper than `maxDepth` is TOO_DEEP; `__proto__`, `constructor`
// and `prototype` keys and duplicate keys are MALFORMED_FILE (FIL-06); one element of more
// than `maxElementValues` values is TOO_LARGE. All of these end the stream with an error
// event carrying a JSON pointer, never a value.
import { jsonParser } from 'stream-json/core/parser.js';
import { getManyValues, isMany, none } from 'stream-chain/core';
import type { Token } from 'stream-json/core/parser.js';
import { decodeUtf8, FileError } from './bytes.ts';

/** A JSON number as written in the file (`12.5`, `1e309`), never converted to a float here. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;
export type JsonObject = { [key: string]: JsonValue };

export type JsonEvent =
  /** A top-level member that is not streamed, assembled whole. */
  | { kind: 'member'; key: string; value: JsonValue }
  /** One element of a streamed top-level array. */
  | { kind: 'element'; key: string; index: number; value: JsonValue };

export type JsonStreamOptions = {
  /** Top-level keys whose array values are streamed element by element. */
  streamed: ReadonlySet<string>;
  maxDepth?: number;
  maxElementValues?: number;
};

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
export const DEFAULT_MAX_DEPTH = 32;
const DEFAULT_MAX_ELEMENT_VALUES = 10_000;

export const isJsonObject = (value: JsonValue | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber);

/**
 * Packed as JSON text, a JsonNumber is an object whose one member is `__proto__`: a key that
 * no object read here can have (the reader refuses it, FIL-06), so the mark is unambiguous.
 */
const NUMBER_MARK = '__proto__';
const packValue = (_key: string, value: unknown): unknown => (value instanceof JsonNumber ? { [NUMBER_MARK]: value.text } : value);
const unpackValue = (_key: string, value: unknown): unknown =>
  typeof value === 'object' && value !== null && Object.hasOwn(value, NUMBER_MARK) ? new JsonNumber((value as Record<string, string>)[NUMBER_MARK]!) : value;

/**
 * An object read by readJsonStream as one string, for a reader that must hold many until the
 * end of the file: one string is one object for the garbage collector to trace, where the
 * object itself is dozens (100,000 STIX objects: 195 MB of heap parsed, 84 MB packed).
 */
export const packJson = (object: JsonObject): string => JSON.stringify(object, packValue);

/** The object packJson packed, JsonNumbers included. */
export const unpackJson = (text: string): JsonObject =>
  // Only text with a packed number needs the (slower) reviver.
  (text.includes(`"${NUMBER_MARK}"`) ? JSON.parse(text, unpackValue) : JSON.parse(text)) as JsonObject;

/** RFC 6901 JSON pointer from path segments. */
export const jsonPointer = (segments: readonly (string | number)[]): string =>
  segments.map((s) => `/${String(s).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');

type Frame =
  | { kind: 'object'; value: JsonObject; key: string | undefined }
  | { kind: 'array'; value: JsonValue[] }
  | { kind: 'stream'; key: string; index: number };

/** Turns tokens into events; throws FileError on a structural problem. */
class Assembler {
  private readonly frames: Frame[] = [];
  private started = false;
  private elementValues = 0;
  private readonly maxDepth: number;
  private readonly maxElementValues: number;

  constructor(private readonly options: JsonStreamOptions) {
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.maxElementValues = options.maxElementValues ?? DEFAULT_MAX_ELEMENT_VALUES;
  }

  /** Path of the current position, for error reports. */
  pointer(): string {
    const segments: (string | number)[] = [];
    for (const frame of this.frames) {
      if (frame.kind === 'object' && frame.key !== undefined) segments.push(frame.key);
      if (frame.kind === 'array') segments.push(frame.value.length);
      if (frame.kind === 'stream') segments.push(frame.index);
    }
    return jsonPointer(segments);
  }

  /** An error at the current position; the whole document (pointer "") names no path. */
  error(code: 'MALFORMED_FILE' | 'TOO_DEEP' | 'TOO_LARGE'): FileError {
    const path = this.pointer();
    const limit = code === 'TOO_DEEP' ? this.maxDepth : code === 'TOO_LARGE' ? this.maxElementValues : undefined;
    return new FileError(code, path ? { path } : {}, limit === undefined ? undefined : { limit });
  }

  push(token: Token, out: JsonEvent[]): void {
    switch (token.name) {
      case 'startObject':
        return this.open({ kind: 'object', value: {}, key: undefined });
      case 'startArray':
        return this.openArray();
      case 'endObject':
      case 'endArray':
        return this.close(out);
      case 'keyValue':
        return this.key(token.value);
      case 'stringValue':
        return this.value(token.value, out);
      case 'numberValue':
        return this.value(new JsonNumber(token.value), out);
      case 'nullValue':
      case 'trueValue':
      case 'falseValue':
        return this.value(token.value, out);
      default:
        return;
    }
  }

  end(): void {
    if (!this.started || this.frames.length > 0) throw this.error('MALFORMED_FILE');
  }

  private key(key: string): void {
    const top = this.frames.at(-1);
    if (top?.kind !== 'object') throw this.error('MALFORMED_FILE');
    top.key = key;
    if (FORBIDDEN_KEYS.has(key) || Object.hasOwn(top.value, key)) throw this.error('MALFORMED_FILE');
  }

  private openArray(): void {
    const top = this.frames.at(-1);
    if (this.frames.length === 1 && top?.kind === 'object' && top.key !== undefined && this.options.streamed.has(top.key)) {
      this.frames.push({ kind: 'stream', key: top.key, index: 0 });
      return;
    }
    this.open({ kind: 'array', value: [] });
  }

  private open(frame: Frame): void {
    if (!this.started) {
      this.started = true;
      if (frame.kind !== 'object') throw this.error('MALFORMED_FILE');
    } else if (this.frames.length === 0) {
      throw this.error('MALFORMED_FILE');
    }
    if (this.frames.length >= this.maxDepth) throw this.error('TOO_DEEP');
    this.countValue();
    this.frames.push(frame);
  }

  private close(out: JsonEvent[]): void {
    const frame = this.frames.pop();
    if (!frame) throw this.error('MALFORMED_FILE');
    if (frame.kind === 'stream') {
      const top = this.frames.at(-1);
      if (top?.kind === 'object') top.key = undefined;
      return;
    }
    if (this.frames.length > 0) this.value(frame.value, out);
  }

  private countValue(): void {
    if (this.frames.length >= 2 && ++this.elementValues > this.maxElementValues) throw this.error('TOO_LARGE');
  }

  private value(value: JsonValue, out: JsonEvent[]): void {
    const top = this.frames.at(-1);
    if (!top) throw this.error('MALFORMED_FILE');
    if (!(typeof value === 'object' && value !== null && !(value instanceof JsonNumber))) this.countValue();
    if (top.kind === 'stream') {
      out.push({ kind: 'element', key: top.key, index: top.index++, value });
      this.elementValues = 0;
    } else if (top.kind === 'array') {
      top.value.push(value);
    } else if (top.key !== undefined) {
      if (this.frames.length === 1) {
        out.push({ kind: 'member', key: top.key, value });
        this.elementValues = 0;
      } else {
        top.value[top.key] = value;
      }
      top.key = undefined;
    }
  }
}

type Tokenizer = (chunk: string | typeof none) => unknown;
// stream-chain flushes a stage by calling it with `none`; its typings only name the text input.
const newTokenizer = (): Tokenizer => jsonParser({ packValues: true, streamValues: false }) as Tokenizer;

/**
 * Where a syntax error is, as 1-based line and column (UTF-16 units). The tokenizer does not say,
 * so a second one (`shadow`) takes the same text up to the chunk the first refused, then that
 * chunk one character at a time up to the one it refuses.
 */
class SyntaxLocator {
  private readonly shadow = newTokenizer();
  private line = 1;
  private column = 1;

  /** Text the first tokenizer accepted: the shadow takes it too, and the position moves past it. */
  accepted(text: string): void {
    this.shadow(text);
    let newline = text.indexOf('\n');
    if (newline < 0) {
      this.column += text.length;
      return;
    }
    let last = newline;
    while (newline >= 0) {
      this.line++;
      last = newline;
      newline = text.indexOf('\n', newline + 1);
    }
    this.column = text.length - last;
  }

  /** Takes `text` one character at a time: true, standing at it, when one is refused. */
  refusesIn(text: string): boolean {
    for (const ch of text) {
      try {
        this.shadow(ch);
      } catch {
        return true;
      }
      if (ch === '\n') {
        this.line++;
        this.column = 1;
      } else this.column += ch.length;
    }
    return false;
  }

  get position(): { line: number; column: number } {
    return { line: this.line, column: this.column };
  }
}

/**
 * The position of a syntax error, found by reading the input again: the first `offset`
 * characters were accepted, the next `length` (none: the end of the input) refused.
 */
async function locateAgain(input: AsyncIterable<Uint8Array>, offset: number, length: number): Promise<{ line: number; column: number }> {
  const locator = new SyntaxLocator();
  let seen = 0;
  for await (const text of decodeUtf8(input)) {
    const before = Math.min(text.length, Math.max(0, offset - seen));
    if (before > 0) locator.accepted(text.slice(0, before));
    const refused = text.slice(before, Math.max(before, offset + length - seen));
    if (refused && locator.refusesIn(refused)) break;
    seen += text.length;
    if (seen >= offset + length) break;
  }
  return locator.position;
}

/**
 * Streams the top-level members and array elements of a JSON object; throws FileError.
 * An input that starts over each time it is iterated (the spool, ingest/spool.ts) is read again
 * only to place a syntax error; a one-shot input (a generator) has its text shadowed by a second
 * tokenizer as it goes, which costs a second tokenization of every file.
 */
export async function* readJsonStream(input: AsyncIterable<Uint8Array>, options: JsonStreamOptions): AsyncGenerator<JsonEvent> {
  const tokenize = newTokenizer();
  const assembler = new Assembler(options);
  const iterator = input[Symbol.asyncIterator]();
  const again = (iterator as unknown) === input ? undefined : input;
  const shadowed = again ? undefined : new SyntaxLocator();
  let offset = 0;
  // Where in `text` (empty: at the end of the input) the tokenizer stopped.
  const placeIn = async (text: string): Promise<{ line: number; column: number }> => {
    if (again) return locateAgain(again, offset, text.length);
    shadowed!.refusesIn(text);
    return shadowed!.position;
  };
  const refused = async (chunk: string | typeof none): Promise<FileError> => {
    const path = assembler.pointer();
    const position = await placeIn(typeof chunk === 'string' ? chunk : '');
    return new FileError('MALFORMED_FILE', { ...position, ...(path ? { path } : {}) });
  };
  // The chunk's events, or undefined when the tokenizer refused it.
  const feed = (chunk: string | typeof none): JsonEvent[] | undefined => {
    const events: JsonEvent[] = [];
    let result: unknown;
    try {
      result = tokenize(chunk);
    } catch {
      return undefined;
    }
    if (typeof chunk === 'string') {
      shadowed?.accepted(chunk);
      offset += chunk.length;
    }
    if (result === none) return events;
    const tokens = (isMany(result) ? getManyValues(result) : [result]) as Token[];
    for (const token of tokens) assembler.push(token, events);
    return events;
  };
  for await (const text of decodeUtf8({ [Symbol.asyncIterator]: () => iterator })) {
    const events = feed(text);
    if (!events) throw await refused(text);
    yield* events;
  }
  const last = feed(none);
  if (!last) throw await refused(none);
  yield* last;
  assembler.end();
}
