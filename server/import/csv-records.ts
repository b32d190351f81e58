import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { CSV_RECORD_LIMITS } from '../validation/csv-limits';

/**
 * Reads CSV records from decoded text, as csv-parse does with the importer's
 * options (`bom`, `relax_column_count`, `skip_empty_lines`, the record size
 * limit), but in a plain loop over the text: csv-parse spends about a quarter
 * of an import's staging time on per-character bookkeeping a Tally file never
 * needs.
 *
 * The loop reads only what it is sure of: records ended by "\r\n" or "\n"
 * (the first line break of the file decides, as csv-parse's discovery does),
 * cells either plain (no quote) or wholly quoted (a quote written "" inside),
 * records well under the size limit. At anything else — a lone "\r", a quote
 * inside a plain cell, text after a closing quote, a quote never closed, a
 * line break of the other kind, a very long record — it hands the rest of
 * the file, from the start of that record, to csv-parse itself, preceded by
 * as many empty lines as csv-parse would have counted before it (empty lines
 * are skipped and only counted), so every record, error and line number is
 * csv-parse's. test/import/csv-records.test.ts holds the two to the same
 * records and the same errors over generated files.
 */

/** Records longer than this (in characters of the file) are left to csv-parse, whose limit is larger. */
const FAST_RECORD_CHARS = 50_000;

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;

/** One record scanned from `start`: its cells, where the next begins, the lines csv-parse counts in it and how it ended. */
type Scan =
  | { kind: 'record'; cells: string[]; next: number; lines: number; crlf: boolean | null }
  | { kind: 'empty'; next: number; crlf: boolean }
  | { kind: 'more' }
  | { kind: 'irregular' };

/**
 * Scans one record of `text` from `start`. `crlf` is null until the file's
 * first line break is seen. `final` says no text follows. A record's `lines`
 * is how many lines csv-parse counts in it: each "\r" and each "\n" inside a
 * quoted cell, and its own line break once.
 */
function scanRecord(text: string, start: number, crlf: boolean | null, final: boolean): Scan {
  const cells: string[] = [];
  let pos = start;
  let lines = 0;
  const end = text.length;
  const limit = start + FAST_RECORD_CHARS;
  const c0 = text.charCodeAt(pos);
  if (c0 === LF) return crlf === true ? { kind: 'irregular' } : { kind: 'empty', next: pos + 1, crlf: false };
  if (c0 === CR) {
    if (pos + 1 >= end) return final ? { kind: 'irregular' } : { kind: 'more' };
    return crlf !== false && text.charCodeAt(pos + 1) === LF ? { kind: 'empty', next: pos + 2, crlf: true } : { kind: 'irregular' };
  }
  for (;;) {
    if (pos < end && text.charCodeAt(pos) === QUOTE) {
      // A quoted cell: up to the quote not followed by another; "" is one quote.
      let from = pos + 1;
      let value = '';
      for (;;) {
        const q = text.indexOf('"', from);
        if (q === -1 || q > limit) return final || end > limit ? { kind: 'irregular' } : { kind: 'more' };
        if (q + 1 >= end) {
          if (!final) return { kind: 'more' };
          value += text.slice(from, q);
          pos = q + 1;
          break;
        }
        if (text.charCodeAt(q + 1) === QUOTE) {
          value += text.slice(from, q + 1);
          from = q + 2;
          continue;
        }
        value += text.slice(from, q);
        pos = q + 1;
        break;
      }
      // Line breaks inside the cell: csv-parse counts every "\r" and "\n" there as a line.
      for (let i = 0; i < value.length; i++) {
        const c = value.charCodeAt(i);
        if (c === CR || c === LF) lines += 1;
      }
      cells.push(value);
      if (pos < end) {
        const c = text.charCodeAt(pos);
        if (c !== COMMA && c !== CR && c !== LF) return { kind: 'irregular' };
      }
    } else {
      let i = pos;
      for (; i < end; i++) {
        const c = text.charCodeAt(i);
        if (c === COMMA || c === CR || c === LF) break;
        if (c === QUOTE) return { kind: 'irregular' };
      }
      if (i > limit) return { kind: 'irregular' };
      if (i >= end && !final) return { kind: 'more' };
      cells.push(text.slice(pos, i));
      pos = i;
    }
    if (pos >= end) return final ? { kind: 'record', cells, next: pos, lines, crlf } : { kind: 'more' };
    const c = text.charCodeAt(pos);
    if (c === COMMA) {
      pos += 1;
      continue;
    }
    if (c === LF) return crlf === true ? { kind: 'irregular' } : { kind: 'record', cells, next: pos + 1, lines: lines + 1, crlf: false };
    // "\r": a record break only as "\r\n", in a file whose breaks are "\r\n".
    if (pos + 1 >= end) return final ? { kind: 'irregular' } : { kind: 'more' };
    if (crlf === false || text.charCodeAt(pos + 1) !== LF) return { kind: 'irregular' };
    return { kind: 'record', cells, next: pos + 2, lines: lines + 1, crlf: true };
  }
}

/**
 * Yields the records of decoded text chunks (strings), a chunk's worth at a
 * time. The chunks' iterator is read by hand and never left early, so an
 * upstream error (bad UTF-8, an over-long line) arrives here as it would at
 * csv-parse.
 */
export async function* csvRecordBatches(chunks: AsyncIterable<string>): AsyncGenerator<string[][]> {
  const it = chunks[Symbol.asyncIterator]();
  let text = '';
  let pos = 0;
  let first = true;
  let final = false;
  let crlf: boolean | null = null;
  // The lines csv-parse would have counted before the record at `pos`.
  let lines = 0;
  for (;;) {
    const next = await it.next();
    if (next.done) final = true;
    else {
      text = pos === 0 ? text + next.value : text.slice(pos) + next.value;
      pos = 0;
      if (first) {
        if (text.length === 0) continue;
        first = false;
        if (text.charCodeAt(0) === 0xfeff) pos = 1;
      }
    }
    const batch: string[][] = [];
    while (pos < text.length) {
      const scan = scanRecord(text, pos, crlf, final);
      if (scan.kind === 'more') break;
      if (scan.kind === 'irregular') {
        if (batch.length > 0) yield batch;
        for await (const record of csvParseRest(text.slice(pos), it, lines, crlf)) yield [record];
        return;
      }
      if (scan.crlf !== null) crlf = scan.crlf;
      if (scan.kind === 'record') {
        batch.push(scan.cells);
        lines += scan.lines;
      } else lines += 1;
      pos = scan.next;
    }
    if (batch.length > 0) yield batch;
    if (final) return;
  }
}

/**
 * The rest of the file, from the start of a record the loop left, read by
 * csv-parse after `lines` empty lines of the file's kind, so that its line
 * numbers are the file's.
 */
function csvParseRest(rest: string, it: AsyncIterator<string>, lines: number, crlf: boolean | null): AsyncIterable<string[]> {
  const parser = parse({ relax_column_count: true, skip_empty_lines: true, ...CSV_RECORD_LIMITS });
  async function* source(): AsyncGenerator<string> {
    yield (crlf === true ? '\r\n' : '\n').repeat(lines) + rest;
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield next.value;
    }
  }
  const input = Readable.from(source(), { objectMode: false });
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);
  return parser as AsyncIterable<string[]>;
}
