import type { Writable } from 'node:stream';
import { EXPORT_COLUMNS, type ExportRow } from '../../db/queries/export';

/** The HXL hashtag row (https://hxlstandard.org/standard/dictionary/) under the header, column for column. */
export const HXL_TAGS: Record<(typeof EXPORT_COLUMNS)[number], string> = {
  figure_id: '#meta+id',
  indicator_code: '#indicator+code',
  indicator_name: '#indicator+name',
  unit: '#indicator+unit',
  location_code: '#loc+code',
  location_name: '#loc+name',
  admin_level: '#loc+level',
  reference_period_start: '#date+start',
  reference_period_end: '#date+end',
  value: '#value',
  value_low: '#value+min',
  value_high: '#value+max',
  qualifier: '#value+qualifier',
  verification: '#status+verification',
  reported_by: '#org+reported',
  claimed_by: '#org+claimant',
  source_title: '#meta+source+title',
  source_publisher: '#meta+source+publisher',
  source_url: '#meta+source+url',
  source_published_on: '#date+published',
  source_quote: '#description+quote',
  notes: '#description+notes',
  status: '#status+publication',
  updated_at: '#date+updated',
};

/** Cells a spreadsheet would run as a formula start with one of these. */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One text cell, RFC 4180 quoted when it holds a comma, quote or line break.
 * A cell a spreadsheet would run as a formula gets a leading apostrophe, which
 * spreadsheets show as text; the importer strips it again. Numbers never pass
 * through here, so they are never altered.
 */
export function textCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function cell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  return textCell(value);
}

export function csvLine(values: readonly (string | number | null)[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += ',';
    line += cell(values[i] ?? null);
  }
  return `${line}\r\n`;
}

/** Resolves when the stream can take more, or when it has closed (a client that went away never drains). */
function drained(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

export interface CsvOptions {
  hxl: boolean;
  bom: boolean;
}

/**
 * Streams rows page by page to `out`, waiting for 'drain' whenever the socket
 * is full, so memory stays bounded whatever the number of rows. `nextPage`
 * returns the rows after a figure id (empty when done). Resolves with the
 * number of rows written; stops early if the client goes away.
 */
export async function writeCsv(
  out: Writable,
  nextPage: (afterId: number) => ExportRow[],
  options: CsvOptions,
): Promise<number> {
  let closed = false;
  out.once('close', () => {
    closed = true;
  });
  let head = options.bom ? '\uFEFF' : '';
  head += csvLine(EXPORT_COLUMNS);
  if (options.hxl) head += csvLine(EXPORT_COLUMNS.map((c) => HXL_TAGS[c]));
  let pending = head;
  let written = 0;
  let afterId = 0;
  for (;;) {
    const rows = nextPage(afterId);
    if (rows.length === 0) break;
    for (const row of rows) pending += csvLine(row);
    written += rows.length;
    afterId = rows[rows.length - 1]?.[0] as number;
    if (!out.write(pending)) await drained(out);
    pending = '';
    if (closed) return written;
  }
  if (pending) out.write(pending);
  out.end();
  return written;
}
