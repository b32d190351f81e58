import { Transform } from 'node:stream';

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

/** A line longer than any row of a Tally file could be: refused before the parser holds it. */
export class LineTooLongError extends Error {
  readonly code = 'CSV_LINE_TOO_LONG';
  constructor(readonly lines: number) {
    super(`line ${lines} is longer than ${MAX_RECORD_CHARS.toLocaleString('en-GB')} characters (a Tally row is far shorter): check the delimiter and the quoting`);
  }
}

/**
 * Counts characters since the last line break as text streams through, and
 * stops the import at the first line longer than a record may be. A cheap
 * check per chunk (no work per cell), so ordinary files pay nothing for it.
 */
export function lineLengthGuard(): Transform {
  let sinceBreak = 0;
  let lines = 1;
  return new Transform({
    transform(chunk: string | Buffer, _enc, done) {
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      let from = 0;
      for (;;) {
        const at = text.indexOf('\n', from);
        const length = (at === -1 ? text.length : at) - from;
        if (sinceBreak + length > MAX_RECORD_CHARS) {
          done(new LineTooLongError(lines));
          return;
        }
        if (at === -1) {
          sinceBreak += length;
          break;
        }
        sinceBreak = 0;
        lines += 1;
        from = at + 1;
      }
      done(null, text);
    },
  });
}

export const CSV_RECORD_LIMITS = {
  max_record_size: MAX_RECORD_CHARS,
};
