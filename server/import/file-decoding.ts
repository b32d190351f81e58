/**
 * Reads an import file as staff have it — a CSV from any spreadsheet (UTF-8
 * or UTF-16, or Windows-1251 as a Ukrainian Excel saves it; commas,
 * semicolons or tabs; decimal commas) or an Excel workbook (.xlsx) — and
 * hands the importer the one form it parses: UTF-8 CSV, comma-separated, with
 * a decimal point. It sits in front of `stageImport`, whose signature it
 * leaves alone; a file already in that form passes through untouched (no
 * copy). `howRead` says what was found, for the preview to show.
 */
import { parse } from 'csv-parse/sync';
import { ImportFileError } from './figures-import';

export interface HowRead {
  format: 'csv' | 'xlsx';
  /** e.g. "UTF-8", "Windows-1251 (Cyrillic)"; for a workbook, "Excel workbook". */
  encoding: string;
  delimiter: 'comma' | 'semicolon' | 'tab' | null;
  decimalMark: 'point' | 'comma' | null;
  /** The worksheet read, for a workbook. */
  sheet: string | null;
}

export interface DecodedFile {
  /** UTF-8, comma-separated, decimal point. */
  csv: Buffer;
  howRead: HowRead;
}

/** The columns whose numbers may be written with a decimal comma. */
const NUMBER_COLUMNS = ['value', 'value_low', 'value_high'];
const DELIMITERS = { comma: ',', semicolon: ';', tab: '\t' } as const;
type Delimiter = keyof typeof DELIMITERS;

function decodeText(buffer: Buffer): { text: string; encoding: string; asIs: boolean } {
  if (buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) {
    return { text: new TextDecoder('utf-8', { fatal: false }).decode(buffer.subarray(3)), encoding: 'UTF-8 (with a byte order mark)', asIs: true };
  }
  if (buffer[0] === 0xff && buffer[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(buffer.subarray(2)), encoding: 'UTF-16 (little-endian)', asIs: false };
  if (buffer[0] === 0xfe && buffer[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(buffer.subarray(2)), encoding: 'UTF-16 (big-endian)', asIs: false };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(buffer), encoding: 'UTF-8', asIs: true };
  } catch {
    // Not UTF-8: a Cyrillic spreadsheet saved as "CSV" by Excel on Windows writes Windows-1251, where every byte is a character.
    return { text: new TextDecoder('windows-1251').decode(buffer), encoding: 'Windows-1251 (Cyrillic)', asIs: false };
  }
}

/** The separator used most in the header line (outside quotes); a comma when none is. */
function detectDelimiter(text: string): Delimiter {
  const counts: Record<Delimiter, number> = { comma: 0, semicolon: 0, tab: 0 };
  let quoted = false;
  for (const ch of text.slice(0, 64 * 1024)) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch === ',') counts.comma += 1;
    else if (!quoted && ch === ';') counts.semicolon += 1;
    else if (!quoted && ch === '\t') counts.tab += 1;
  }
  const best = (Object.keys(counts) as Delimiter[]).reduce((a, b) => (counts[b] > counts[a] ? b : a), 'comma');
  return counts[best] > 0 ? best : 'comma';
}

/**
 * A decimal comma is certain only when a number could not be read otherwise:
 * a comma followed by one, two or four-plus digits ("14,6", "1 234,50"), or
 * points grouping thousands ("1.234.567"). "10,382" alone stays ten thousand.
 */
const DECIMAL_COMMA = [/^[-+]?\d+,(\d{1,2}|\d{4,})$/, /^[-+]?\d{1,3}(\.\d{3})+(,\d+)?$/, /^[-+]?\d{1,3}([\s\u00a0\u202f]\d{3})+,\d+$/];

function usesDecimalComma(cells: string[]): boolean {
  return cells.some((cell) => DECIMAL_COMMA.some((re) => re.test(cell.trim())));
}

/** "1 234,5" → "1234.5"; "14,6 million" → "14.6 million". */
function toDecimalPoint(cell: string): string {
  return cell.replace(/(\d)[.\s\u00a0\u202f](?=\d{3}(\D|$))/g, '$1').replace(/(\d),(\d)/g, '$1.$2');
}

function quoteCell(cell: string): string {
  return /[",\r\n]/.test(cell) || /^\s|\s$/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

function toCsv(rows: string[][]): Buffer {
  return Buffer.from(rows.map((r) => r.map(quoteCell).join(',')).join('\r\n') + '\r\n', 'utf8');
}

/** Rewrites the number columns of a file written with decimal commas; says whether it was. */
function normaliseNumbers(rows: string[][]): 'point' | 'comma' {
  const header = rows[0] ?? [];
  const columns = NUMBER_COLUMNS.map((c) => header.findIndex((h) => h.trim().toLowerCase() === c)).filter((i) => i >= 0);
  const cells = rows.slice(1).flatMap((r) => columns.map((i) => r[i] ?? ''));
  if (!usesDecimalComma(cells)) return 'point';
  for (const row of rows.slice(1)) for (const i of columns) if (row[i] !== undefined) row[i] = toDecimalPoint(row[i]);
  return 'comma';
}

function decodeCsv(buffer: Buffer): DecodedFile {
  const { text, encoding, asIs } = decodeText(buffer);
  const delimiter = detectDelimiter(text);
  let rows: string[][];
  try {
    const parsed: unknown = parse(text, { delimiter: DELIMITERS[delimiter], relax_column_count: true, skip_empty_lines: true, bom: true });
    rows = parsed as string[][];
  } catch {
    // The importer's own reading names the line and the fault.
    return { csv: buffer, howRead: { format: 'csv', encoding, delimiter, decimalMark: null, sheet: null } };
  }
  const decimalMark = normaliseNumbers(rows);
  const howRead: HowRead = { format: 'csv', encoding, delimiter, decimalMark, sheet: null };
  // Already in the importer's form: the bytes go through as they came.
  if (asIs && delimiter === 'comma' && decimalMark === 'point') return { csv: buffer, howRead };
  return { csv: toCsv(rows), howRead };
}

function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return '';
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? '' : cell.toISOString().slice(0, 10);
  if (typeof cell === 'number') return Number.isInteger(cell) ? String(cell) : String(cell);
  if (typeof cell === 'string' || typeof cell === 'boolean') return String(cell);
  return '';
}

async function decodeXlsx(buffer: Buffer): Promise<DecodedFile> {
  let sheets: { sheet: string; data: unknown[][] }[];
  try {
    // The library ships as an ES module (with a CommonJS build): loaded when a workbook arrives.
    const { default: readXlsxFile } = await import('read-excel-file/node');
    sheets = await readXlsxFile(buffer);
  } catch (err) {
    throw new ImportFileError(`the workbook could not be read (${err instanceof Error ? err.message : 'unknown fault'}): save it again as .xlsx or as CSV UTF-8`);
  }
  // The sheet whose first row names the import's columns; else the first.
  const chosen = sheets.find((s) => (s.data[0] ?? []).some((c) => cellText(c).trim() === 'indicator_code')) ?? sheets[0];
  if (!chosen || chosen.data.length === 0) throw new ImportFileError('the workbook has no rows: put the header row and the figures on its first sheet');
  const rows = chosen.data.map((r) => r.map(cellText));
  const decimalMark = normaliseNumbers(rows);
  return { csv: toCsv(rows), howRead: { format: 'xlsx', encoding: 'Excel workbook', delimiter: null, decimalMark, sheet: chosen.sheet } };
}

/** Reads an uploaded import file into the CSV the importer parses, saying how it was read. */
export async function decodeImportFile(buffer: Buffer, fileName: string): Promise<DecodedFile> {
  const zip = buffer[0] === 0x50 && buffer[1] === 0x4b && buffer[2] === 0x03 && buffer[3] === 0x04;
  if (zip || /\.xlsx$/i.test(fileName)) return decodeXlsx(buffer);
  if (buffer[0] === 0xd0 && buffer[1] === 0xcf && buffer[2] === 0x11 && buffer[3] === 0xe0) {
    throw new ImportFileError('this is an old Excel file (.xls): save it as an Excel workbook (.xlsx) or as CSV UTF-8 and upload it again');
  }
  return decodeCsv(buffer);
}

/** One line for the preview: how the file was read. */
export function describeHowRead(h: HowRead): string {
  const parts = [h.format === 'xlsx' ? `Excel workbook (.xlsx), sheet "${h.sheet ?? ''}"` : `CSV, ${h.encoding} text`];
  if (h.delimiter) parts.push(`${h.delimiter}-separated`);
  if (h.decimalMark === 'comma') parts.push('decimal comma (1 234,5 read as 1234.5)');
  else if (h.decimalMark === 'point') parts.push('decimal point');
  return parts.join(', ');
}
