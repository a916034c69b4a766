import { parse as parseCsv } from 'csv-parse';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** One row of an import file: the parsed value with its 1-based line, or why it could not be parsed. */
export type ParsedRow = { line: number; value: Record<string, unknown>; csv?: boolean } | { line: number; error: { code: string; message: string } };

export type ImportFormat = 'jsonl' | 'json' | 'csv';

/** Longest accepted line or JSON element: larger rows are reported, not buffered without bound. */
export const MAX_ROW_BYTES = 4 * 1024 * 1024;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJsonRow(line: number, text: string): ParsedRow {
  try {
    const value = JSON.parse(text);
    if (!isRecord(value)) return { line, error: { code: 'invalid_row', message: 'each row must be a JSON object' } };
    return { line, value };
  } catch (e) {
    return { line, error: { code: 'invalid_json', message: `malformed JSON: ${(e as Error).message}` } };
  }
}

/** Splits a byte stream into lines without holding more than one partial line. */
async function* lines(input: AsyncIterable<Buffer | string>): AsyncGenerator<{ line: number; text: string }> {
  let pending: Buffer = Buffer.alloc(0);
  let line = 0;
  let oversized = false;
  for await (const chunk of input) {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (pending.length) buf = Buffer.concat([pending, buf]);
    let start = 0;
    let nl = buf.indexOf(10, start);
    while (nl !== -1) {
      line++;
      if (oversized) {
        oversized = false;
        yield { line, text: '\u0000oversized' };
      } else {
        yield { line, text: buf.toString('utf8', start, nl > start && buf[nl - 1] === 13 ? nl - 1 : nl) };
      }
      start = nl + 1;
      nl = buf.indexOf(10, start);
    }
    pending = buf.subarray(start);
    if (pending.length > MAX_ROW_BYTES) {
      // Drop the rest of this line; it is reported once its end arrives.
      oversized = true;
      pending = Buffer.alloc(0);
    }
  }
  if (oversized) yield { line: line + 1, text: '\u0000oversized' };
  else if (pending.length) yield { line: line + 1, text: pending.toString('utf8') };
}

/** JSON Lines: one object per line; blank lines are skipped. */
export async function* jsonlRows(input: AsyncIterable<Buffer | string>): AsyncGenerator<ParsedRow> {
  for await (const { line, text } of lines(input)) {
    if (text === '\u0000oversized') yield { line, error: { code: 'row_too_large', message: `row is larger than ${MAX_ROW_BYTES} bytes` } };
    else if (text.trim() !== '') yield parseJsonRow(line, text);
  }
}

/**
 * A JSON array of objects, streamed element by element with the line each starts on.
 * A small scanner rather than a streaming JSON library: we need per-element line numbers for
 * error reports, and JSON.parse of each element is the fast path anyway.
 */
export async function* jsonArrayRows(input: AsyncIterable<Buffer | string>): AsyncGenerator<ParsedRow> {
  let state: 'before' | 'between' | 'element' | 'after' = 'before';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let line = 1;
  let elementLine = 1;
  let parts: string[] = [];
  let partBytes = 0;
  let elementStart = 0;
  // A decoder keeps a multi-byte character split across two chunks whole.
  const decoder = new StringDecoder('utf8');
  for await (const chunk of input) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    elementStart = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) line++;
      if (state === 'element') {
        if (inString) {
          if (escaped) escaped = false;
          else if (c === 92) escaped = true;
          else if (c === 34) inString = false;
          continue;
        }
        if (c === 34) inString = true;
        else if (c === 123 || c === 91) depth++;
        else if (c === 125 || c === 93) {
          if (depth === 0) {
            // `]` closes the array right after an element without a trailing comma.
            parts.push(text.slice(elementStart, i));
            yield parseJsonRow(elementLine, parts.join(''));
            parts = [];
            partBytes = 0;
            state = 'after';
            continue;
          }
          depth--;
        } else if (c === 44 && depth === 0) {
          parts.push(text.slice(elementStart, i));
          yield parseJsonRow(elementLine, parts.join(''));
          parts = [];
          partBytes = 0;
          state = 'between';
        }
        continue;
      }
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 0xfeff) continue;
      if (state === 'before') {
        if (c !== 91) throw new ImportFileError('a JSON import must be an array of objects');
        state = 'between';
      } else if (state === 'between') {
        if (c === 93) {
          state = 'after';
          continue;
        }
        state = 'element';
        elementLine = line;
        elementStart = i;
        inString = c === 34;
        // An element opening with a bracket is one level deep until its closing bracket.
        depth = c === 123 || c === 91 ? 1 : 0;
      } else if (state === 'after') {
        throw new ImportFileError(`unexpected content after the closing ] on line ${line}`);
      }
    }
    if (state === 'element') {
      parts.push(text.slice(elementStart));
      partBytes += text.length - elementStart;
      if (partBytes > MAX_ROW_BYTES) throw new ImportFileError(`element starting on line ${elementLine} is larger than ${MAX_ROW_BYTES} bytes`);
    }
  }
  if ((state as string) !== 'after') throw new ImportFileError('the JSON array is not closed');
}

/** A file-level problem that makes the rest of the file unreadable (rows before it have landed). */
export class ImportFileError extends Error {}

/**
 * CSV with a header row. A row with more or fewer fields than the header is reported by line;
 * values stay strings (the row normaliser converts them by the type's schema).
 */
export async function* csvRows(input: AsyncIterable<Buffer | string>): AsyncGenerator<ParsedRow> {
  const parser = Readable.from(input).pipe(
    parseCsv({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true, max_record_size: MAX_ROW_BYTES }),
  );
  let header: string[] | undefined;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = info.lines;
      if (!header) {
        header = record.map((h) => h.trim());
        if (header.some((h) => h === '')) throw new ImportFileError('the CSV header has an empty column name');
        if (new Set(header).size !== header.length) throw new ImportFileError('the CSV header repeats a column name');
        continue;
      }
      if (record.length !== header.length) {
        yield { line, error: { code: 'csv_column_count', message: `expected ${header.length} fields (${header.join(', ')}), found ${record.length}` } };
        continue;
      }
      const value: Record<string, unknown> = {};
      for (let i = 0; i < header.length; i++) if (record[i] !== '') value[header[i]] = record[i];
      yield { line, value, csv: true };
    }
  } catch (e) {
    if (e instanceof ImportFileError) throw e;
    throw new ImportFileError(`CSV is malformed: ${(e as Error).message}`);
  }
}

/** The row reader for a format. */
export function rowsOf(format: ImportFormat, input: AsyncIterable<Buffer | string>): AsyncGenerator<ParsedRow> {
  if (format === 'csv') return csvRows(input);
  if (format === 'json') return jsonArrayRows(input);
  return jsonlRows(input);
}

/** Guesses the format from a file name or content type; undefined when neither says. */
export function formatFrom(nameOrType: string | undefined): ImportFormat | undefined {
  if (!nameOrType) return undefined;
  const s = nameOrType.toLowerCase();
  if (s.endsWith('.csv') || s.includes('text/csv')) return 'csv';
  if (s.endsWith('.jsonl') || s.endsWith('.ndjson') || s.includes('ndjson') || s.includes('jsonl') || s.includes('json-seq')) return 'jsonl';
  if (s.endsWith('.json') || s.includes('application/json')) return 'json';
  return undefined;
}
