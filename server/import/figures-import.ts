import crypto from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { Db } from '../../db/connection';
import type { Queries } from '../../db';
import { EXPORT_COLUMNS } from '../../db/queries/export';
import type { ImportBatchRow } from '../../db/queries/imports';
import { isRealDate } from '../validation/query';
import { QUALIFIERS, VERIFICATIONS, type FigureFields, type FigureRow, type Qualifier, type Verification } from '../../db/types';

/** Columns an import may leave out: Tally assigns ids, status and timestamps itself. */
export const OPTIONAL_COLUMNS = ['figure_id', 'status', 'updated_at'] as const;
export const REQUIRED_COLUMNS = EXPORT_COLUMNS.filter((c) => !(OPTIONAL_COLUMNS as readonly string[]).includes(c));

/** At most this many row errors are kept for the preview; the count covers them all. */
const MAX_KEPT_ERRORS = 1000;
const STAGE_BATCH_ROWS = 2000;

export interface ImportError {
  row: number;
  column: string;
  value: string;
  message: string;
}

/** A file that cannot be read as an import at all (as opposed to a bad row). */
export class ImportFileError extends Error {}

/** A validated row, normalised and ready to apply; its source is matched or created on commit. */
export interface StagedRow extends Omit<FigureFields, 'source_id'> {
  source: { title: string; publisher: string; url: string | null; published_on: string | null };
}

type Outcome = 'new' | 'changed' | 'unchanged';

const LIMITS: Record<string, number> = {
  reported_by: 200, claimed_by: 200, source_title: 500, source_publisher: 200, source_url: 2000, source_quote: 2000, notes: 5000,
};

/** The export neutralises formula-like text with a leading apostrophe; an import takes it off again. */
export function unneutralise(text: string): string {
  return /^'[=+\-@\t\r]/.test(text) ? text.slice(1) : text;
}

/** Rejects bytes that are not UTF-8 instead of silently turning them into U+FFFD. */
function strictUtf8(): Transform {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let offset = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      try {
        const text = decoder.decode(chunk, { stream: true });
        offset += chunk.length;
        done(null, text);
      } catch {
        done(new ImportFileError(`the file is not UTF-8 text (bad bytes within the first ${offset + chunk.length} bytes): save it as "CSV UTF-8" and upload it again`));
      }
    },
    flush(done) {
      try {
        done(null, decoder.decode());
      } catch {
        done(new ImportFileError('the file ends in the middle of a UTF-8 character: save it as "CSV UTF-8" and upload it again'));
      }
    },
  });
}

function describeCsvError(err: unknown): ImportFileError {
  if (err instanceof ImportFileError) return err;
  const e = err as { code?: string; lines?: number; message?: string };
  if (e.code === 'CSV_QUOTE_NOT_CLOSED') {
    return new ImportFileError(`a quoted cell opened on or before line ${e.lines ?? '?'} is never closed: check for a stray double quote (")`);
  }
  if (e.code === 'CSV_INVALID_CLOSING_QUOTE') {
    return new ImportFileError(`a double quote (") inside a cell on line ${e.lines ?? '?'} is not doubled: inside a quoted cell, write "" for each quote`);
  }
  if (typeof e.code === 'string' && e.code.startsWith('CSV_')) {
    return new ImportFileError(`the file is not valid CSV near line ${e.lines ?? '?'}: ${e.message ?? e.code}`);
  }
  return new ImportFileError(`the file could not be read: ${e.message ?? String(err)}`);
}

function checkHeader(header: string[]): string[] {
  const names = header.map((h) => h.trim());
  if (names.length === 1) {
    const only = names[0] ?? '';
    const delimiter = [';', '\t', '|'].find((d) => only.includes(d));
    if (delimiter) {
      const shown = delimiter === '\t' ? 'tabs' : `"${delimiter}"`;
      throw new ImportFileError(`the file is separated by ${shown}, not commas: export it as comma-separated CSV (UTF-8)`);
    }
  }
  const seen = new Set<string>();
  const duplicated = names.filter((n) => (seen.has(n) ? true : (seen.add(n), false)));
  if (duplicated.length > 0) throw new ImportFileError(`the header repeats the column(s) ${duplicated.join(', ')}`);
  const known = new Set<string>(EXPORT_COLUMNS);
  const unknown = names.filter((n) => !known.has(n));
  const missing = REQUIRED_COLUMNS.filter((c) => !seen.has(c));
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`missing column(s): ${missing.join(', ')}`);
  if (unknown.length > 0) problems.push(`unknown column(s): ${unknown.join(', ')}`);
  if (problems.length > 0) {
    throw new ImportFileError(`${problems.join('; ')}. The header must hold the export's columns: ${EXPORT_COLUMNS.join(', ')} (figure_id, status and updated_at may be left out)`);
  }
  return names;
}

interface Lookups {
  indicators: Map<string, number>;
  locations: Map<string, number>;
}

/** Checks one row cell by cell; every problem becomes an error naming the column and value. */
export function validateRow(cells: Record<string, string>, rowNumber: number, lookups: Lookups): { row?: StagedRow; errors: ImportError[] } {
  const errors: ImportError[] = [];
  const fail = (column: string, message: string): void => {
    errors.push({ row: rowNumber, column, value: (cells[column] ?? '').slice(0, 200), message });
  };
  const text = (column: string, required: boolean): string | null => {
    const value = unneutralise((cells[column] ?? '').trim());
    if (value === '') {
      if (required) fail(column, `${column} is required`);
      return null;
    }
    const limit = LIMITS[column];
    if (limit !== undefined && value.length > limit) fail(column, `${column} must be at most ${limit} characters (it has ${value.length})`);
    return value;
  };
  const integer = (column: string, required: boolean): number | null => {
    const value = (cells[column] ?? '').trim();
    if (value === '') {
      if (required) fail(column, `${column} is required`);
      return null;
    }
    if (!/^\d{1,15}$/.test(value)) {
      fail(column, `${column} must be a whole number of at least 0, written without separators or decimals`);
      return null;
    }
    return Number(value);
  };
  const date = (column: string, required: boolean): string | null => {
    const value = (cells[column] ?? '').trim();
    if (value === '') {
      if (required) fail(column, `${column} is required`);
      return null;
    }
    if (!isRealDate(value)) {
      fail(column, `${column} must be a real date written YYYY-MM-DD`);
      return null;
    }
    return value;
  };

  const indicatorCode = (cells.indicator_code ?? '').trim();
  const indicatorId = lookups.indicators.get(indicatorCode);
  if (indicatorId === undefined) fail('indicator_code', indicatorCode ? `unknown indicator code "${indicatorCode}"` : 'indicator_code is required');
  const locationCode = (cells.location_code ?? '').trim();
  const locationId = lookups.locations.get(locationCode);
  if (locationId === undefined) fail('location_code', locationCode ? `unknown location code "${locationCode}"` : 'location_code is required');

  const start = date('reference_period_start', true);
  const end = date('reference_period_end', true);
  if (start && end && end < start) fail('reference_period_end', `the period ends (${end}) before it starts (${start})`);

  const value = integer('value', true);
  const low = integer('value_low', false);
  const high = integer('value_high', false);
  if (value !== null && low !== null && low > value) fail('value_low', `value_low (${low}) is above value (${value})`);
  if (value !== null && high !== null && high < value) fail('value_high', `value_high (${high}) is below value (${value})`);

  const qualifier = (cells.qualifier ?? '').trim() || 'exact';
  if (!(QUALIFIERS as readonly string[]).includes(qualifier)) fail('qualifier', `qualifier must be one of ${QUALIFIERS.join(', ')}`);
  const verification = (cells.verification ?? '').trim();
  if (!(VERIFICATIONS as readonly string[]).includes(verification)) fail('verification', `verification must be one of ${VERIFICATIONS.join(', ')}`);

  const reportedBy = text('reported_by', true);
  const claimedBy = text('claimed_by', false);
  if (verification === 'claimed' && claimedBy === null) fail('claimed_by', 'claimed_by must name the party when verification is claimed');

  const title = text('source_title', true);
  const publisher = text('source_publisher', true);
  const url = text('source_url', false);
  if (url !== null && !/^https?:\/\/\S+$/i.test(url)) fail('source_url', 'source_url must be an http:// or https:// address');
  const publishedOn = date('source_published_on', false);
  const quote = text('source_quote', true);
  const notes = text('notes', false);

  const status = (cells.status ?? '').trim();
  if (status === 'retired') fail('status', 'retired rows are not imported: retire the figure in Tally instead');
  else if (status !== '' && status !== 'published' && status !== 'draft') fail('status', 'status must be published, draft or empty');

  if (errors.length > 0) return { errors };
  return {
    errors,
    row: {
      indicator_id: indicatorId as number,
      location_id: locationId as number,
      reference_period_start: start as string,
      reference_period_end: end as string,
      value: value as number,
      value_low: low,
      value_high: high,
      qualifier: qualifier as Qualifier,
      verification: verification as Verification,
      reported_by: reportedBy as string,
      claimed_by: claimedBy,
      source: { title: title as string, publisher: publisher as string, url, published_on: publishedOn },
      source_quote: quote as string,
      notes,
    },
  };
}

function sameStatement(figure: FigureRow, row: StagedRow): boolean {
  return (
    figure.value === row.value &&
    figure.value_low === row.value_low &&
    figure.value_high === row.value_high &&
    figure.qualifier === row.qualifier &&
    figure.verification === row.verification &&
    figure.claimed_by === row.claimed_by &&
    figure.source_quote === row.source_quote &&
    figure.notes === row.notes
  );
}

/**
 * What applying a row would do: the existing figure it matches (same
 * indicator, place, period, originator and source document), and whether it
 * is new, changed or unchanged. Retired figures are never matched.
 */
function classify(q: Queries, row: StagedRow, sourceId: number | undefined): { outcome: Outcome; figure?: FigureRow } {
  if (sourceId === undefined) return { outcome: 'new' };
  const candidates = q.imports
    .figuresByKey(row.indicator_id, row.location_id, row.reference_period_start, row.reference_period_end, row.reported_by)
    .filter((f) => f.source_id === sourceId && f.status !== 'retired');
  const same = candidates.find((f) => sameStatement(f, row));
  if (same) return { outcome: 'unchanged', figure: same };
  const first = candidates[0];
  return first ? { outcome: 'changed', figure: first } : { outcome: 'new' };
}

function sourceKey(row: StagedRow): string {
  const s = row.source;
  return s.url ? `url:${s.url}` : `doc:${JSON.stringify([s.publisher, s.title, s.published_on])}`;
}

function rowKey(row: StagedRow): string {
  return crypto
    .createHash('sha1')
    .update(JSON.stringify([row.indicator_id, row.location_id, row.reference_period_start, row.reference_period_end, row.reported_by, sourceKey(row)]))
    .digest('base64');
}

export interface StageOptions {
  fileName: string;
  userId: number | null;
  publish: boolean;
  onProgress?: (rows: number) => void;
}

/**
 * Reads a CSV in the export's format as a stream, checks every row, and
 * stages the valid ones for a later commit. Writes no figure. Returns the
 * batch with its counts and errors (or its file-level error).
 */
export async function stageImport(input: Readable, q: Queries, options: StageOptions): Promise<ImportBatchRow> {
  const batchId = q.importBatches.create(options.fileName.slice(0, 255) || 'upload.csv', options.userId, options.publish);
  const lookups: Lookups = {
    indicators: new Map(q.indicators.list().map((i) => [i.code, i.id])),
    locations: new Map(q.locations.list().map((l) => [l.code, l.id])),
  };
  const counts = { new: 0, changed: 0, unchanged: 0 };
  const errors: ImportError[] = [];
  let errorCount = 0;
  let rows = 0;
  let header: string[] | null = null;
  let pending: { rowNumber: number; data: StagedRow }[] = [];
  const seenKeys = new Map<string, number>();
  const sourceIds = new Map<string, number | undefined>();
  const addError = (error: ImportError): void => {
    errorCount += 1;
    if (errors.length < MAX_KEPT_ERRORS) errors.push(error);
  };

  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: true });
  const decoded = input.pipe(strictUtf8());
  decoded.on('error', (err) => parser.destroy(err));
  decoded.pipe(parser);
  input.on('error', (err) => parser.destroy(err));

  try {
    let recordNumber = 0;
    for await (const record of parser as AsyncIterable<string[]>) {
      recordNumber += 1;
      if (header === null) {
        header = checkHeader(record);
        continue;
      }
      // An HXL hashtag row right under the header is part of the format, not data.
      if (recordNumber === 2 && record.every((cell) => cell === '' || cell.trim().startsWith('#'))) continue;
      rows += 1;
      if (record.length !== header.length) {
        addError({ row: recordNumber, column: '', value: '', message: `the row has ${record.length} cells but the header has ${header.length}` });
        continue;
      }
      const cells: Record<string, string> = {};
      header.forEach((name, i) => {
        cells[name] = record[i] ?? '';
      });
      const checked = validateRow(cells, recordNumber, lookups);
      checked.errors.forEach(addError);
      const row = checked.row;
      if (!row) continue;

      const key = rowKey(row);
      const earlier = seenKeys.get(key);
      if (earlier !== undefined) {
        addError({ row: recordNumber, column: '', value: '', message: `the same figure (indicator, place, period, originator and source) as row ${earlier}` });
        continue;
      }
      seenKeys.set(key, recordNumber);

      const sk = sourceKey(row);
      if (!sourceIds.has(sk)) sourceIds.set(sk, q.imports.findSource(row.source));
      const { outcome, figure } = classify(q, row, sourceIds.get(sk));
      if (outcome === 'changed' && figure?.status === 'published' && !options.publish) {
        addError({
          row: recordNumber,
          column: '',
          value: '',
          message: `this row changes published figure ${figure.id}: import with "publish" to publish the change, or edit the figure in Tally`,
        });
        continue;
      }
      if (outcome === 'changed' && figure && q.figureEdits.getPending(figure.id)) {
        addError({ row: recordNumber, column: '', value: '', message: `figure ${figure.id} has a change awaiting review: publish or retire it in Tally first` });
        continue;
      }
      counts[outcome] += 1;
      pending.push({ rowNumber: recordNumber, data: row });
      if (pending.length >= STAGE_BATCH_ROWS) {
        q.importBatches.addRows(batchId, pending);
        pending = [];
        options.onProgress?.(rows);
      }
    }
    if (header === null) throw new ImportFileError('the file is empty: it needs a header row and at least one figure');
    if (rows === 0) throw new ImportFileError('the file has a header but no rows of figures');
    q.importBatches.addRows(batchId, pending);
    options.onProgress?.(rows);
  } catch (err) {
    q.importBatches.fail(batchId, describeCsvError(err).message);
    return q.importBatches.getById(batchId) as ImportBatchRow;
  }

  q.importBatches.setCounts(batchId, {
    row_count: rows,
    new_count: counts.new,
    changed_count: counts.changed,
    unchanged_count: counts.unchanged,
    error_count: errorCount,
    errors: JSON.stringify(errors),
  });
  return q.importBatches.getById(batchId) as ImportBatchRow;
}

export class ImportCommitError extends Error {}

/**
 * Applies a previewed batch in one transaction: every row is written or none
 * is. New figures are drafts unless the batch publishes; each written figure
 * gets an 'import' revision. Returns the batch with its final counts.
 */
export function commitImport(db: Db, q: Queries, batchId: number, userId: number | null): ImportBatchRow {
  return db.transaction(() => {
    const batch = q.importBatches.getById(batchId);
    if (!batch) throw new ImportCommitError(`there is no import ${batchId}`);
    if (batch.state !== 'previewed') throw new ImportCommitError(`import ${batchId} is already ${batch.state}`);
    if (batch.error_count > 0) {
      throw new ImportCommitError(`import ${batchId} has ${batch.error_count} error(s): fix the file and upload it again`);
    }
    const publish = batch.publish === 1;
    const note = `Imported from ${batch.file_name} (import ${batchId})`;
    const counts = { new: 0, changed: 0, unchanged: 0 };
    const sources = new Map<string, number>();
    let after = 0;
    for (;;) {
      const page = q.importBatches.rowsAfter(batchId, after, STAGE_BATCH_ROWS);
      if (page.length === 0) break;
      for (const staged of page) {
        after = staged.row_number;
        const row = JSON.parse(staged.data) as StagedRow;
        const sk = sourceKey(row);
        let sourceId = sources.get(sk) ?? q.imports.findSource(row.source);
        if (sourceId === undefined) sourceId = q.sources.create({ ...row.source, accessed_on: null, notes: null }, userId);
        sources.set(sk, sourceId);
        const { outcome, figure } = classify(q, row, sourceId);
        counts[outcome] += 1;
        if (outcome === 'unchanged') continue;
        if (outcome === 'changed' && figure) {
          if ((figure.status === 'published' && !publish) || q.figureEdits.getPending(figure.id)) {
            throw new ImportCommitError(`row ${staged.row_number} now conflicts with figure ${figure.id}, changed since the preview: upload the file again`);
          }
          q.imports.updateFigure({ ...figure, ...row, status: publish ? 'published' : figure.status }, userId);
          q.figures.recordRevision(figure.id, 'import', note, userId);
          continue;
        }
        const { source: _source, ...fields } = row;
        q.figures.create({ ...fields, source_id: sourceId, status: publish ? 'published' : 'draft' }, 'import', note, userId);
      }
    }
    q.importBatches.setCounts(batchId, {
      row_count: batch.row_count,
      new_count: counts.new,
      changed_count: counts.changed,
      unchanged_count: counts.unchanged,
      error_count: 0,
      errors: '[]',
    });
    q.importBatches.finish(batchId, 'committed');
    return q.importBatches.getById(batchId) as ImportBatchRow;
  }).immediate();
}

/** Drops a previewed batch without writing anything. */
export function discardImport(q: Queries, batchId: number): void {
  const batch = q.importBatches.getById(batchId);
  if (batch?.state === 'previewed') q.importBatches.finish(batchId, 'discarded');
}
