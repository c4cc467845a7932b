// Streaming reader of an es-pn-csv file (csv-parse): UTF-8 with an optional BOM, `;`
// delimiter, `"` quotes, a header row naming the columns in any order (matched ignoring case
// and surrounding spaces; unknown columns ignored). A missing required column or a column
// named twice is a file error; a row longer than 64 KiB is TOO_LARGE; broken quoting or bad
// UTF-8 is MALFORMED_FILE. A row whose cell count differs from the header's is a record
// error MALFORMED_ROW with its line (nothing is relaxed silently). Lines are 1-based; the header is line 1.
import { once } from 'node:events';
import { parse, type Info } from 'csv-parse';
import type { Item, ParseContext } from '../contract.ts';
import { decodeUtf8, FileError } from '../shared/bytes.ts';
import { FILE_FIELD, makeIssue, ROW_FIELD } from '../shared/issues.ts';
import { endOnFileError, itemsOf, RefTracker } from '../shared/records.ts';
import { foldForMatch } from '../shared/text.ts';
import { ES_PN_COLUMNS, ES_PN_REQUIRED_COLUMNS, mapEsPnRow, type EsPnColumn, type EsPnRow } from './map.ts';

const MAX_RECORD_BYTES = 64 * 1024;

type CsvRecord = { record: string[]; info: Info };

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
  for (const required of ES_PN_REQUIRED_COLUMNS) {
    if (!columns.has(required)) issues.push(makeIssue('MISSING_COLUMN', required, { line: 1 }));
  }
  return issues.length > 0 ? { issues } : { columns };
}

function toRow(cells: string[], columns: Map<EsPnColumn, number>): EsPnRow {
  const row: EsPnRow = {};
  for (const [name, index] of columns) row[name] = cells[index];
  return row;
}

/** csv-parse's error codes that mean "this file is not CSV we can read". */
function csvFileError(error: unknown): FileError {
  const code = (error as { code?: unknown }).code;
  const lines = (error as { lines?: unknown }).lines;
  const line = typeof lines === 'number' ? lines : undefined;
  return new FileError(code === 'CSV_MAX_RECORD_SIZE' ? 'TOO_LARGE' : 'MALFORMED_FILE', { line, field: FILE_FIELD });
}

/** Parses CSV records from the byte stream, feeding the parser as the consumer pulls. */
async function* csvRecords(input: AsyncIterable<Uint8Array>): AsyncGenerator<CsvRecord> {
  const parser = parse({
    bom: true,
    delimiter: ';',
    quote: '"',
    max_record_size: MAX_RECORD_BYTES,
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
  });
  const feeding = (async () => {
    for await (const text of decodeUtf8(input)) {
      if (!parser.write(text)) await once(parser, 'drain');
    }
    parser.end();
  })().catch((error: unknown) => parser.destroy(error instanceof Error ? error : new Error(String(error))));
  try {
    for await (const record of parser) yield record as CsvRecord;
  } catch (error) {
    throw error instanceof FileError ? error : csvFileError(error);
  } finally {
    parser.destroy();
    await feeding;
  }
}

async function* readEsPnCsv(input: AsyncIterable<Uint8Array>, context: ParseContext): AsyncGenerator<Item> {
  const refs = new RefTracker();
  let columns: Map<EsPnColumn, number> | undefined;
  let headerWidth = 0;
  let previousEnd = 0;
  let previousEmpty = 0;
  for await (const { record: cells, info } of csvRecords(input)) {
    // info.lines is the record's last line; skipped blank lines sit between records.
    const line = previousEnd + 1 + (info.empty_lines - previousEmpty);
    previousEnd = info.lines;
    previousEmpty = info.empty_lines;
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
    const result = mapEsPnRow(toRow(cells, columns), { at: () => ({ line }), today: context.today, defaultSharing: 'AMBER' });
    yield* itemsOf(result, { line }, refs, 'referencia', { line });
  }
  if (!columns) yield makeIssue('MALFORMED_FILE', FILE_FIELD, { line: 1 });
}

export function parseEsPnCsv(input: AsyncIterable<Uint8Array>, context: ParseContext): AsyncIterable<Item> {
  return endOnFileError(readEsPnCsv(input, context));
}
