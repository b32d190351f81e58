import { parse } from 'csv-parse/sync';

/** Parses a CSV body the way a strict client would: RFC 4180, CRLF records, every record the same width. */
export function parseCsv(text: string): string[][] {
  const records: unknown = parse(text, { bom: false, relax_column_count: false, record_delimiter: '\r\n' });
  return records as string[][];
}
