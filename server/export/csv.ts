import type { Writable } from 'node:stream';
import { EXPORT_COLUMNS, LIVE, lineId, type CsvLine, type ExportLookups, type FigureCells } from '../../db/queries/export';

export { lineId };

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
  measure: '#meta+measure',
  source_id: '#meta+source+id',
  version: '#meta+version',
  attributed_to: '#org+attributed',
  disputed_by: '#org+disputing',
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

/** A figure that left the pulled set: its id, why, when and at which version; nothing else. */
export function tombstoneLine(f: FigureCells): string {
  return `${f[0]}${','.repeat(22)}${f[15] === 'retired' ? 'retired' : 'withdrawn'},${f[16]},,,${f[18]},,\r\n`;
}

/** The CSV cells of the indicators, places and sources, each written once per export. */
class CellCache {
  private indicators = new Map<number, string>();
  private locations = new Map<number, string>();
  private sources = new Map<number, string>();

  constructor(private readonly load: () => ExportLookups) {
    this.reload();
  }

  private reload(): void {
    const { indicators, locations, sources } = this.load();
    this.indicators = new Map(indicators.map((i) => [i.id, csvLine([i.code, i.name, i.unit]).slice(0, -2)]));
    this.locations = new Map(locations.map((l) => [l.id, csvLine([l.code, l.name, l.admin_level]).slice(0, -2)]));
    this.sources = new Map(sources.map((x) => [x.id, csvLine([x.title, x.publisher, x.url, x.published_on]).slice(0, -2)]));
  }

  /** A figure's whole line; an id unknown to the lookups (created meanwhile) reloads them once. */
  line(f: FigureCells): string {
    if (f[LIVE] !== 1) return tombstoneLine(f);
    let indicator = this.indicators.get(f[1]);
    let location = this.locations.get(f[2]);
    let source = this.sources.get(f[3]);
    if (indicator === undefined || location === undefined || source === undefined) {
      this.reload();
      indicator = this.indicators.get(f[1]) ?? ',,';
      location = this.locations.get(f[2]) ?? ',,';
      source = this.sources.get(f[3]) ?? ',,,';
    }
    const t = (v: string | null): string => (v === null ? '' : textCell(v));
    const n = (v: number | null): string => (v === null ? '' : String(v));
    return `${f[0]},${indicator},${location},${f[4]},${f[5]},${f[6]},${n(f[7])},${n(f[8])},${f[9]},${f[10]},${t(f[11])},${t(f[12])},${source},${t(f[13])},${t(f[14])},${f[15]},${f[16]},${f[17]},${f[3]},${f[18]},${t(f[19])},${t(f[20])}\r\n`;
  }
}

/** One page of CSV text, the number of rows it holds and the last figure id (where the next page starts). */
interface TextPage {
  text: string;
  rows: number;
  lastId: number;
}

function headOf(options: CsvOptions): string {
  let head = options.bom ? '\uFEFF' : '';
  head += csvLine(EXPORT_COLUMNS);
  if (options.hxl) head += csvLine(EXPORT_COLUMNS.map((c) => HXL_TAGS[c]));
  return head;
}

/**
 * Writes the head, then page after page, waiting for 'drain' whenever the
 * stream is full; stops if it closes. The next page is read while the socket
 * sends the last one (at most one page ahead), so reading and sending overlap.
 */
async function streamPages(out: Writable, head: string, afterId: number, nextPage: (afterId: number) => TextPage | null): Promise<number> {
  let closed = false;
  out.once('close', () => {
    closed = true;
  });
  let written = 0;
  let page = nextPage(afterId);
  let pending = head;
  while (page !== null) {
    written += page.rows;
    const full = !out.write(pending + page.text);
    pending = '';
    page = nextPage(page.lastId);
    if (full) await drained(out);
    if (closed) return written;
  }
  if (pending) out.write(pending);
  out.end();
  return written;
}

/**
 * Streams the export page by page to `out`, waiting for 'drain' whenever the
 * socket is full, so memory stays bounded whatever the number of rows.
 * `nextPage` returns the figures after an id (empty when done); `lookups`
 * gives the names their ids stand for. Resolves with the number of rows
 * written; stops early if the client goes away.
 */
export async function writeCsv(
  out: Writable,
  nextPage: (afterId: number) => FigureCells[],
  lookups: () => ExportLookups,
  options: CsvOptions & { afterId?: number },
): Promise<number> {
  const cells = new CellCache(lookups);
  return streamPages(out, headOf(options), options.afterId ?? 0, (afterId) => {
    const rows = nextPage(afterId);
    if (rows.length === 0) return null;
    let text = '';
    for (const row of rows) text += cells.line(row);
    return { text, rows: rows.length, lastId: rows[rows.length - 1]?.[0] as number };
  });
}

/**
 * As writeCsv, for pages whose lines SQLite built (db/queries/export.ts,
 * figureLines): JavaScript only joins and writes them, byte for byte what
 * writeCsv writes for the same figures.
 */
export async function writeCsvLines(out: Writable, nextPage: (afterId: number) => CsvLine[], options: CsvOptions & { afterId?: number }): Promise<number> {
  return streamPages(out, headOf(options), options.afterId ?? 0, (afterId) => {
    const lines = nextPage(afterId);
    const last = lines.at(-1);
    return last === undefined ? null : { text: lines.join(''), rows: lines.length, lastId: lineId(last) };
  });
}
