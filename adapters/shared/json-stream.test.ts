import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FileError } from './bytes.ts';
import { JsonNumber, packJson, readJsonStream, unpackJson, type JsonEvent, type JsonObject } from './json-stream.ts';
import { chunksOf } from '../test-support.ts';

async function events(text: string, sizes?: number[]): Promise<JsonEvent[] | string> {
  const out: JsonEvent[] = [];
  try {
    for await (const e of readJsonStream(chunksOf(new TextEncoder().encode(text), sizes), { streamed: new Set(['records']) })) out.push(e);
  } catch (error) {
    if (error instanceof FileError) return `${error.code}${error.at.path ?? ''}`;
    throw error;
  }
  return out;
}

describe('readJsonStream', () => {
  it('streams array elements and keeps number text exact', async () => {
    const result = await events('{"v":1,"records":[{"a":12.50,"b":[1e309]}, "x"]}');
    expect(result).toEqual([
      { kind: 'member', key: 'v', value: new JsonNumber('1') },
      { kind: 'element', key: 'records', index: 0, value: { a: new JsonNumber('12.50'), b: [new JsonNumber('1e309')] } },
      { kind: 'element', key: 'records', index: 1, value: 'x' },
    ]);
  });

  it('rejects __proto__, constructor and prototype keys with their pointer', async () => {
    expect(await events('{"records":[{"__proto__":{"isAdmin":true}}]}')).toBe('MALFORMED_FILE/records/0/__proto__');
    expect(await events('{"constructor":{"prototype":{}}}')).toBe('MALFORMED_FILE/constructor');
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('rejects a duplicate key, a top-level array and truncated input', async () => {
    expect(await events('{"records":[{"a":1,"a":2}]}')).toBe('MALFORMED_FILE/records/0/a');
    expect(await events('[1,2]')).toMatch(/^MALFORMED_FILE/);
    expect(await events('{"records":[{"a":1}')).toMatch(/^MALFORMED_FILE/);
    expect(await events('')).toMatch(/^MALFORMED_FILE/);
  });

  it('rejects nesting deeper than 32 without overflowing the stack', async () => {
    expect(await events(`{"records":[${'['.repeat(100_000)}`)).toMatch(/^TOO_DEEP/);
    expect(await events(`{"records":[${'['.repeat(29)}${']'.repeat(29)}]}`)).toHaveLength(1);
  });

  it('rejects invalid UTF-8 such as a UTF-16 file', async () => {
    const utf16 = new Uint8Array([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]);
    await expect(async () => {
      for await (const _ of readJsonStream(chunksOf(utf16), { streamed: new Set() })) void _;
    }).rejects.toMatchObject({ code: 'MALFORMED_FILE' });
  });

  it('gives the same events however the bytes are chunked', async () => {
    const text = '\uFEFF{"op":"行动","records":[{"姓名":"张伟","n":-0.5e-3,"s":"\\u00e9\\n"},[true,false,null]]}';
    const whole = await events(text);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 20 }), async (sizes) => {
        expect(await events(text, sizes)).toEqual(whole);
      }),
    );
  });
});

describe('packJson / unpackJson', () => {
  it('gives back what the reader read: numbers as JsonNumbers with their text, at any depth', async () => {
    const text =
      '{"records":[{"a":12.50,"b":[1e309,-0,{"c":0.1}],"text":"12.5","s":"__proto__","t":"\\"__proto__\\"","n":null,"f":false,"u":"\u00e9\ud83d\ude00"}]}';
    const [element] = (await events(text)) as JsonEvent[];
    const value = element!.value as JsonObject;
    const back = unpackJson(packJson(value));
    expect(back).toStrictEqual(value);
    expect((back.b as unknown[])[0]).toBeInstanceOf(JsonNumber);
    // A string member named like the mark, or an object { text }, stays what it was.
    expect(back.s).toBe('__proto__');
    expect(back.text).toBe('12.5');
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
  });

  it('round-trips any element the reader accepts (property)', async () => {
    const number = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })).map((n) => new JsonNumber(JSON.stringify(n)));
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.string(), number, fc.array(tie('tree')), tie('object')),
      object: fc.dictionary(fc.string().filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k)), tie('tree')),
    }));
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string().filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k)), tree), async (object) => {
        const written = JSON.stringify({ records: [object] }, (_, v: unknown) => (v instanceof JsonNumber ? Number(v.text) : v));
        const [element] = (await events(written)) as JsonEvent[];
        const value = element!.value as JsonObject;
        expect(unpackJson(packJson(value))).toStrictEqual(value);
      }),
      { numRuns: 300 },
    );
  });
});

describe('syntax error positions', () => {
  /** The FileError of reading `input` whole (code, line, column, path), or 'none'. */
  async function errorOf(input: AsyncIterable<Uint8Array>): Promise<FileError['at'] & { code?: string } | 'none'> {
    try {
      for await (const _ of readJsonStream(input, { streamed: new Set(['records']) }));
    } catch (error) {
      if (error instanceof FileError) return { code: error.code, ...error.at };
      throw error;
    }
    return 'none';
  }
  const again = (bytes: Uint8Array, sizes?: number[]): AsyncIterable<Uint8Array> => ({ [Symbol.asyncIterator]: () => chunksOf(bytes, sizes) });

  it('places an error read again exactly where the shadowing reader does', async () => {
    // Line 3, column 7: the `:` after an array element (a string), where `,` or `]` must be.
    const bytes = new TextEncoder().encode('{"records":[\n  {"ref":"é€😀"},\n   "x": ]},\n  {"ref":"A-2"}]}');
    const expected = { code: 'MALFORMED_FILE', line: 3, column: 7 };
    expect(await errorOf(chunksOf(bytes))).toEqual(expected);
    expect(await errorOf(again(bytes))).toEqual(expected);
    expect(await errorOf(again(bytes, [3, 5]))).toMatchObject({ line: 3, column: 7 });
  });

  it('gives the same line and column read again or shadowed, however the file is cut (property)', async () => {
    const text = fc.json({ maxDepth: 3 }).map((record) => `{"records":[\n${record},\n${record}]}`);
    const corruption = fc.constantFrom('}', ']', ',', ':', 'x', '"', '\n', '0', '-', 'é', '😀');
    await fc.assert(
      fc.asyncProperty(text, fc.nat(), corruption, fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 4 }), async (valid, at, bad, sizes) => {
        const i = at % (valid.length + 1);
        const bytes = new TextEncoder().encode(valid.slice(0, i) + bad + valid.slice(i));
        const shadowed = await errorOf(chunksOf(bytes, sizes));
        // Cut alike, the same error, path included (the path depends on where the chunks end).
        expect(await errorOf(again(bytes, sizes))).toEqual(shadowed);
        // Cut otherwise, the same place for a syntax error. A refusal of what the tokens say (a
        // `__proto__` key, a repeated one, which a corruption can make) is met where the reader
        // reaches it, and the members of a chunk the tokenizer refuses are never reached: which
        // of the two a file gets can depend on where its chunks end. Both say where they are.
        const whole = await errorOf(again(bytes));
        if (shadowed === 'none' || whole === 'none') expect(whole).toEqual(shadowed);
        else if (whole.line !== undefined && shadowed.line !== undefined) {
          expect({ line: whole.line, column: whole.column }).toEqual({ line: shadowed.line, column: shadowed.column });
        } else expect([whole.code, shadowed.code]).toEqual(['MALFORMED_FILE', 'MALFORMED_FILE']);
      }),
      { numRuns: 400 },
    );
  });
});
