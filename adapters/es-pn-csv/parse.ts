// Streaming reader of an es-pn-csv file (csv-parse): UTF-8 with an optional BOM, `;`
// delimiter, `"` quotes, a header row naming the columns in any order (matched ignoring case
// and surrounding spaces; unknown columns ignored). A missing required column or a column
// named twice is a file error; a row longer than 64 KiB is TOO_LARGE; broken quoting or bad
// UTF-8 is MALFORMED_FILE. A row whose cell count differs from the header's is a record
// error MALFORMED_ROW with its line (nothing is relaxed silently). Lines are 1-based; the header is line 1.
import { parse, type Info } from 'csv-parse';
import type { Item, ParseContext } from '../contract.ts';
import { decodeUtf8, FileError } from '../shared/bytes.ts';
import { FILE_FIELD, makeIssue, ROW_FIELD } from '../shared/issues.ts';
import { endOnFileError, itemsOf, RefTracker } from '../shared/records.ts';
import { foldForMatch } from '../shared/text.ts';
import { ES_PN_COLUMNS, ES_PN_REQUIRED_BY_TIPO, ES_PN_REQUIRED_COLUMNS, mapEsPnRow, type EsPnColumn, type EsPnRow } from './map.ts';

export const MAX_RECORD_BYTES = 64 * 1024;
export const ES_PN_DELIMITER = ';';
/** Delimiters other exports use: a header split by one of these names the mistake. */
const OTHER_DELIMITERS = [',', '\t', '|'];

type CsvInfo = Pick<Info, 'lines' | 'empty_lines'>;
type CsvRecord = { record: string[]; lines: number; emptyLines: number };

/** Column index of each known column, or file-level issues. */
function readHeader(cells: string[]): { columns: Map<EsPnColumn, number> } | { issues: Item[] } {
  const known = new Set<string>(ES_PN_COLUMNS);
  const columns = new Map<EsPnColumn, number>();
  const issues: Item[] = [];
  cells.forEach((cell, index) => {
    const name = foldForMatch(cell);
    if (!known.has(name)) return;
    if (columns.has(name as EsPnColumn)) issues.push(makeIssue('MALFORMED_FILE', name, { line: 1 }));
    columns.set(name as EsPnColumn, index);
  });
  const missing = ES_PN_REQUIRED_COLUMNS.filter((required) => !columns.has(required));
  const found = missing.length > 0 ? otherDelimiter(cells) : undefined;
  if (found !== undefined) return { issues: [makeIssue('WRONG_DELIMITER', FILE_FIELD, { line: 1 }, { detail: { found, expected: ES_PN_DELIMITER } })] };
  for (const required of missing) issues.push(makeIssue('MISSING_COLUMN', required, { line: 1 }));
  return issues.length > 0 ? { issues } : { columns };
}

/** The delimiter a header is split by when it is not `;` (its one cell names our columns split by it). */
function otherDelimiter(cells: string[]): string | undefined {
  const [only] = cells;
  if (cells.length !== 1 || only === undefined) return undefined;
  const known = new Set<string>(ES_PN_COLUMNS);
  return OTHER_DELIMITERS.find((d) => only.split(d).filter((name) => known.has(foldForMatch(name))).length >= 2);
}

function toRow(cells: string[], columns: Map<EsPnColumn, number>): EsPnRow {
  const row: EsPnRow = {};
  for (const [name, index] of columns) row[name] = cells[index];
  return row;
}

/** csv-parse's error codes that mean "this file is not CSV we can read". */
function csvFileError(error: unknown): FileError {
  const { code, lines, column } = error as { code?: unknown; lines?: unknown; column?: unknown };
  const at = {
    field: FILE_FIELD,
    ...(typeof lines === 'number' ? { line: lines } : {}),
    // csv-parse counts cells from 0; officers count them from 1.
    ...(typeof column === 'number' ? { column: column + 1 } : {}),
  };
  if (code === 'CSV_MAX_RECORD_SIZE') return new FileError('TOO_LARGE', at, { limit: MAX_RECORD_BYTES });
  return new FileError('MALFORMED_FILE', at, { expected: 'cells quoted with "…", a " inside a quoted cell doubled ("")' });
}

/**
 * Parses CSV records from the byte stream. Records are taken synchronously in `on_record` and
 * errors read from `errored` after each write, so a parse error never discards records that
 * came before it and the output does not depend on how the bytes were chunked.
 */
async function* csvRecords(input: AsyncIterable<Uint8Array>): AsyncGenerator<CsvRecord> {
  const pending: CsvRecord[] = [];
  const parser = parse({
    bom: true,
    delimiter: ES_PN_DELIMITER,
    quote: '"',
    max_record_size: MAX_RECORD_BYTES,
    relax_column_count: true,
    skip_empty_lines: true,
    on_record: (record: string[], info: CsvInfo) => {
      pending.push({ record, lines: info.lines, emptyLines: info.empty_lines });
      return null;
    },
  });
  parser.on('error', () => {}); // read through `errored` below
  for await (const text of decodeUtf8(input)) {
    parser.write(text);
    yield* pending.splice(0);
    if (parser.errored) throw csvFileError(parser.errored);
  }
  parser.end();
  // The final flush runs on a later tick.
  await new Promise((resolve) => setImmediate(resolve));
  yield* pending.splice(0);
  if (parser.errored) throw csvFileError(parser.errored);
}

/** The first column a row's tipo needs that the header lacks (checked once per tipo as the file spells it). */
function missingForTipo(row: EsPnRow, columns: Map<EsPnColumn, number>, checked: Set<string>): EsPnColumn | undefined {
  const spelled = row.tipo ?? '';
  if (checked.has(spelled)) return undefined;
  checked.add(spelled);
  return ES_PN_REQUIRED_BY_TIPO[foldForMatch(spelled).toUpperCase()]?.find((column) => !columns.has(column));
}

async function* readEsPnCsv(input: AsyncIterable<Uint8Array>, context: ParseContext): AsyncGenerator<Item> {
  const refs = new RefTracker();
  let columns: Map<EsPnColumn, number> | undefined;
  let headerWidth = 0;
  let previousEnd = 0;
  let previousEmpty = 0;
  const checkedTipos = new Set<string>();
  for await (const { record: cells, lines, emptyLines } of csvRecords(input)) {
    // `lines` is the record's last line; skipped blank lines sit between records.
    const line = previousEnd + 1 + (emptyLines - previousEmpty);
    previousEnd = lines;
    previousEmpty = emptyLines;
    if (!columns) {
      const header = readHeader(cells);
      if ('issues' in header) return yield* header.issues;
      columns = header.columns;
      headerWidth = cells.length;
      continue;
    }
    if (cells.length !== headerWidth) {
      yield makeIssue('MALFORMED_ROW', ROW_FIELD, { line });
      continue;
    }
    const row = toRow(cells, columns);
    const missing = missingForTipo(row, columns, checkedTipos);
    if (missing !== undefined) return yield makeIssue('MISSING_COLUMN', missing, { line: 1 });
    const result = mapEsPnRow(row, { at: () => ({ line }), today: context.today, defaultSharing: undefined });
    yield* itemsOf(result, { line }, refs, 'referencia', { line });
  }
  if (!columns) yield makeIssue('MALFORMED_FILE', FILE_FIELD, { line: 1 });
}

export function parseEsPnCsv(input: AsyncIterable<Uint8Array>, context: ParseContext): AsyncIterable<Item> {
  return endOnFileError(readEsPnCsv(input, context));
}
