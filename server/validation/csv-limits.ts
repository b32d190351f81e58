/**
 * Limits on what one CSV record may hold, for csv-parse's options: spread
 * into `parse({ ... })` by the importer. Without them a hostile file of one
 * long line (20 MB of commas, say) is held whole in memory as millions of
 * cells before any check runs, blocking the process for seconds.
 */

/** The export has about 30 columns; a record with this many cells is not a Tally file. */
export const MAX_RECORD_CELLS = 100;
/** Characters in one record's cells: the longest fields (notes, quote, titles) add up to well under this. */
export const MAX_RECORD_CHARS = 100_000;

/** An error csv-parse passes on as it is; the importer reports `CSV_…` errors as "not valid CSV near line N". */
class RecordTooWideError extends Error {
  readonly code = 'CSV_RECORD_TOO_MANY_CELLS';
  constructor(readonly lines: number) {
    super(`a record has more than ${MAX_RECORD_CELLS} cells (a Tally file has about 30 columns): check the delimiter and the quoting`);
  }
}

interface CellContext {
  column: number | string;
  lines: number;
}

export const CSV_RECORD_LIMITS = {
  max_record_size: MAX_RECORD_CHARS,
  // Called for every cell as it is read: refusing the cell past the limit stops the parse at once.
  cast: (value: string, context: CellContext): string => {
    if (typeof context.column === 'number' && context.column >= MAX_RECORD_CELLS) throw new RecordTooWideError(context.lines);
    return value;
  },
};
