import { Transform, type Readable } from 'node:stream';
import type { Queries } from '../../db';
import { lineLengthGuard } from '../validation/csv-limits';
import { csvRecordBatches } from './csv-records';
import { quoteChecks } from '../domain/checks';
import type { ImportBatchRow } from '../../db/queries/imports';
import type { FigureRow } from '../../db/types';
import {
  EXPORT_COLUMNS, FIGURE_FIELDS, TEXT_LIMITS, checkDateText, checkHttpUrlText, checkRequiredText, inferMeasure, parseFigureText,
  type Aggregation, type FigureFields, type FigureTextInput, type Measure, type TextCheck,
} from '../domain/figure';

/**
 * Columns an import may leave out: Tally assigns ids, status and timestamps
 * itself; `measure` (absent from files of contract version 1) is then
 * inferred once, with the rule the migration used; `source_id` and `version`
 * are informational.
 */
export const OPTIONAL_COLUMNS = ['figure_id', 'status', 'updated_at', 'measure', 'source_id', 'version', 'attributed_to', 'disputed_by'] as const;
export const REQUIRED_COLUMNS = EXPORT_COLUMNS.filter((c) => !(OPTIONAL_COLUMNS as readonly string[]).includes(c));

/** How rows find the figures they correct: by figure_id (a file from this Tally), or by what they state. */
export type MatchMode = 'id' | 'natural';

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
export interface StagedRow extends Omit<FigureFields, 'source_id' | 'measure'> {
  /** Null until inferred, for a new figure from a file without the column. */
  measure: Measure | null;
  source: { title: string; publisher: string; url: string | null; published_on: string | null };
}

/** What committing a staged row does; written into the staging table with the row. */
export interface StagedPlan {
  outcome: Outcome;
  /** The figure the row corrects, and its version at the preview (a later change makes the commit refuse). */
  figure_id: number | null;
  base_version: number | null;
}

export type Outcome = 'new' | 'changed' | 'unchanged';

/** One figure the import changes, field by field, for the preview and the dry run. */
export interface FigureChange {
  row: number;
  figure_id: number;
  /** Where the change lands: straight into the public row, a pending change, or a draft. */
  becomes: 'published' | 'pending change' | 'draft';
  fields: { field: string; before: string; after: string }[];
}

/** Rows of an import whose relations (casualties = deaths + injuries, ...) are previewed against stored figures. */
const RELATION_PREVIEW_ROWS = 2000;

/** At most this many changed figures are listed in the preview; the count covers them all. */
const MAX_KEPT_CHANGES = 1000;

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
  if (e.code === 'CSV_LINE_TOO_LONG') return new ImportFileError(`the file cannot be read: ${e.message ?? ''}`);
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
    throw new ImportFileError(`${problems.join('; ')}. The header must hold the export's columns: ${EXPORT_COLUMNS.join(', ')} (figure_id, status, updated_at, measure, source_id, version, attributed_to and disputed_by may be left out)`);
  }
  return names;
}

interface Lookups {
  indicators: Map<string, { id: number; aggregation: Aggregation; unit: string }>;
  locations: Map<string, number>;
}

/** CSV column that carries a figure field (ids are written as codes). */
const COLUMN_OF: Partial<Record<keyof FigureFields, string>> = { indicator_id: 'indicator_code', location_id: 'location_code' };

/** The source columns' rules: the domain's, as plain checks with the schemas' messages. */
const sourceChecks: Record<'source_title' | 'source_publisher' | 'source_url' | 'source_published_on', (s: string) => TextCheck<string | null>> = {
  source_title: (s) => checkRequiredText(s, TEXT_LIMITS.source_title),
  source_publisher: (s) => checkRequiredText(s, TEXT_LIMITS.source_publisher),
  source_url: checkHttpUrlText,
  source_published_on: (s) => checkDateText(s, false),
};
const SKIP_SOURCE: readonly (keyof FigureFields)[] = ['source_id'];
const SKIP_SOURCE_AND_MEASURE: readonly (keyof FigureFields)[] = ['source_id', 'measure'];

/**
 * Checks one row cell by cell with the figure's rules (the domain's, as plain
 * checks giving the schema's messages); every problem becomes an error naming
 * the column and value.
 */
export function validateRow(cells: Record<string, string>, rowNumber: number, lookups: Lookups): { row?: StagedRow; errors: ImportError[] } {
  const errors: ImportError[] = [];
  const fail = (column: string, message: string): void => {
    errors.push({ row: rowNumber, column, value: (cells[column] ?? '').slice(0, 200), message });
  };
  const cell = (column: string): string => unneutralise((cells[column] ?? '').trim());

  const indicatorCode = cell('indicator_code');
  const indicator = lookups.indicators.get(indicatorCode);
  if (!indicator) fail('indicator_code', indicatorCode ? `unknown indicator code "${indicatorCode}"` : 'indicator_code is required');
  const locationCode = cell('location_code');
  const locationId = lookups.locations.get(locationCode);
  if (locationId === undefined) fail('location_code', locationCode ? `unknown location code "${locationCode}"` : 'location_code is required');

  const hasMeasure = 'measure' in cells && cell('measure') !== '';
  const input: FigureTextInput = {};
  for (const field of FIGURE_FIELDS) input[field] = cell(field);
  input.indicator_id = indicator?.id ?? 1;
  input.location_id = locationId ?? 1;
  input.qualifier = cell('qualifier') || 'exact';
  const parsed = parseFigureText(input, {
    aggregation: indicator?.aggregation,
    unit: indicator?.unit,
    skip: hasMeasure ? SKIP_SOURCE : SKIP_SOURCE_AND_MEASURE,
  });
  if (!parsed.ok) {
    for (const [field, message] of Object.entries(parsed.errors)) {
      const column = COLUMN_OF[field as keyof FigureFields] ?? field;
      fail(column, `${column}: ${message}`);
    }
  }
  const source: Record<string, string | null> = {};
  for (const [column, check] of Object.entries(sourceChecks)) {
    const result = check(cell(column));
    if (result.ok) source[column] = result.value;
    else fail(column, `${column}: ${result.message}`);
  }

  const status = cell('status');
  if (status === 'retired' || status === 'withdrawn') fail('status', `${status} rows are not imported: retire the figure in Tally instead`);
  else if (status !== '' && status !== 'published' && status !== 'draft') fail('status', 'status must be published, draft or empty');

  if (errors.length > 0 || !parsed.ok || !indicator) return { errors };
  const { source_id: _sourceId, measure, ...fields } = parsed.fields;
  return {
    errors,
    row: {
      ...fields,
      measure: hasMeasure ? measure : indicator.aggregation === 'level' ? 'level' : null,
      source: {
        title: source.source_title as string,
        publisher: source.source_publisher as string,
        url: source.source_url ?? null,
        published_on: source.source_published_on ?? null,
      },
    },
  };
}

function fieldText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/** The fields a row would change on a figure; the source compares by id (undefined: a new document). */
function differences(figure: FigureRow, row: StagedRow, sourceId: number | undefined, names: (field: string, value: unknown) => string): FigureChange['fields'] {
  const out: FigureChange['fields'] = [];
  for (const field of FIGURE_FIELDS) {
    if (field === 'source_id') {
      if (sourceId !== figure.source_id) out.push({ field: 'source', before: names('source_id', figure.source_id), after: row.source.title });
      continue;
    }
    const after = field === 'measure' ? (row.measure ?? figure.measure) : row[field];
    if (figure[field] !== after) out.push({ field, before: names(field, figure[field]), after: names(field, after) });
  }
  return out;
}

/**
 * The existing figure a row corrects. By id: a figure_id naming a figure of
 * this Tally is that figure (the export → spreadsheet → import round trip).
 * Naturally (a row without an id, an id from elsewhere, or match mode
 * `natural`): the figure with the same indicator, place, period, originator
 * and source document. Retired figures are never matched naturally.
 */
function findFigure(
  q: Queries,
  row: StagedRow,
  idCell: string,
  sourceId: number | undefined,
  mode: MatchMode,
  warn: (column: string, message: string) => void,
): FigureRow | undefined {
  if (mode === 'id' && idCell !== '') {
    const id = /^[1-9]\d{0,14}$/.test(idCell) ? Number(idCell) : null;
    const figure = id === null ? undefined : q.figureEdits.getRow(id);
    if (figure) {
      if (figure.indicator_id !== row.indicator_id || figure.location_id !== row.location_id) {
        warn('figure_id', `figure ${figure.id} counts another indicator or place than this row: the row moves it. If the file comes from another Tally, import it matching by what rows state instead`);
      }
      return figure;
    }
    warn('figure_id', `there is no figure ${idCell.slice(0, 20)} in this Tally: the row is matched by what it states`);
  }
  if (sourceId === undefined) return undefined;
  return q.imports
    .figuresByKey(row.indicator_id, row.location_id, row.reference_period_start, row.reference_period_end, row.reported_by)
    .find((f) => f.source_id === sourceId && f.status !== 'retired');
}

function sourceKey(row: StagedRow): string {
  const s = row.source;
  return s.url ? `url:${s.url}` : `doc:${JSON.stringify([s.publisher, s.title, s.published_on])}`;
}

/** What makes two rows the same figure: indicator, place, period, originator and source document. */
function rowKey(row: StagedRow, sk: string): string {
  return JSON.stringify([row.indicator_id, row.location_id, row.reference_period_start, row.reference_period_end, row.reported_by, sk]);
}

export interface StageOptions {
  fileName: string;
  userId: number | null;
  publish: boolean;
  match?: MatchMode;
  onProgress?: (rows: number) => void;
}

/** The kinds of flow figures a file adds, by place and start date: what inferring a measure needs. */
class MeasureInference {
  private groups = new Map<string, { location: number; start: string; ends: Set<string>; longest: number; missing: boolean }>();

  add(row: StagedRow, aggregation: Aggregation): void {
    if (aggregation !== 'flow') return;
    const key = `${row.location_id}|${row.reference_period_start}`;
    const g = this.groups.get(key) ?? { location: row.location_id, start: row.reference_period_start, ends: new Set<string>(), longest: 0, missing: false };
    g.ends.add(row.reference_period_end);
    if (row.measure === null) g.missing = true;
    this.groups.set(key, g);
  }

  /** Running-total groups among those with rows still lacking a measure: the file's rows and the database's figures together. */
  runningTotalGroups(q: Queries): { location: number; start: string }[] {
    const out: { location: number; start: string }[] = [];
    for (const g of this.groups.values()) {
      if (!g.missing) continue;
      const siblings = [...g.ends].map((end) => ({ aggregation: 'flow' as const, location: g.location, start: g.start, end }));
      for (const end of q.imports.flowEndsFrom(g.location, g.start)) siblings.push({ aggregation: 'flow', location: g.location, start: g.start, end });
      const first = siblings[0];
      if (first && inferMeasure(first, siblings) === 'running_total') out.push({ location: g.location, start: g.start });
    }
    return out;
  }
}

/**
 * Reads a CSV in the export's format as a stream, checks every row, matches
 * it to the figure it corrects, and stages it with what committing it would
 * do. Writes no figure. Returns the batch with its counts, the changes it
 * would make, its warnings and errors (or its file-level error).
 */
export async function stageImport(input: Readable, q: Queries, options: StageOptions): Promise<ImportBatchRow> {
  const match = options.match ?? 'id';
  const batchId = q.importBatches.create(options.fileName.slice(0, 255) || 'upload.csv', options.userId, options.publish, match);
  const lookups: Lookups = {
    indicators: new Map(q.indicators.list().map((i) => [i.code, { id: i.id, aggregation: i.aggregation, unit: i.unit }])),
    locations: new Map(q.locations.list().map((l) => [l.code, l.id])),
  };
  const aggregationOf = new Map([...lookups.indicators.values()].map((i) => [i.id, i.aggregation]));
  const names = fieldNamer(q);
  const counts = { new: 0, changed: 0, unchanged: 0 };
  const errors: ImportError[] = [];
  const warnings: ImportError[] = [];
  const changes: FigureChange[] = [];
  let errorCount = 0;
  let warningCount = 0;
  let rows = 0;
  let header: string[] | null = null;
  let pending: { rowNumber: number; quoteFindings: string; data: StagedRow & StagedPlan }[] = [];
  const seenKeys = new Map<string, number>();
  const seenFigures = new Map<number, number>();
  const sourceIds = new Map<string, number | undefined>();
  const inference = new MeasureInference();
  // Indicators a relation names: their rows are checked against stored neighbours too.
  const relations = q.checks.relations();
  const related = new Set(relations.flatMap((r) => [r.indicator, ...r.others]));
  const addError = (error: ImportError): void => {
    errorCount += 1;
    if (errors.length < MAX_KEPT_ERRORS) errors.push(error);
  };

  // Records are read by csvRecordBatches: a plain loop for what a Tally file holds, csv-parse for anything else.
  const decoded = input.pipe(strictUtf8());
  const guarded = decoded.pipe(lineLengthGuard()).setEncoding('utf8');
  decoded.on('error', (err) => guarded.destroy(err));
  input.on('error', (err) => guarded.destroy(err));

  try {
    let recordNumber = 0;
    for await (const records of csvRecordBatches(guarded)) {
      // A batch of records is checked and matched in one read transaction (one snapshot, locks taken once, not per
      // row: 0.6 s of 100,000 rows), and staged after it, outside it: the read never becomes a write.
      q.readTransaction(() => {
        for (const record of records) {
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
          for (let i = 0; i < header.length; i++) cells[header[i] as string] = record[i] ?? '';
          const checked = validateRow(cells, recordNumber, lookups);
          checked.errors.forEach(addError);
          const row = checked.row;
          if (!row) continue;
          const rowError = (message: string): void => addError({ row: recordNumber, column: '', value: '', message });
          const warn = (column: string, message: string): void => {
            warningCount += 1;
            if (warnings.length < MAX_KEPT_ERRORS) warnings.push({ row: recordNumber, column, value: (cells[column] ?? '').slice(0, 200), message });
          };

          const sk = sourceKey(row);
          if (!sourceIds.has(sk)) sourceIds.set(sk, q.imports.findSource(row.source));
          const sourceId = sourceIds.get(sk);
          const figure = findFigure(q, row, (cells.figure_id ?? '').trim(), sourceId, match, warn);

          const key = figure ? `figure:${figure.id}` : rowKey(row, sk);
          const earlier = figure ? seenFigures.get(figure.id) : seenKeys.get(key);
          if (earlier !== undefined) {
            rowError(figure ? `row ${earlier} already changes figure ${figure.id}` : `the same figure (indicator, place, period, originator and source) as row ${earlier}`);
            continue;
          }
          if (figure) seenFigures.set(figure.id, recordNumber);
          else seenKeys.set(key, recordNumber);

          let plan: StagedPlan = { outcome: 'new', figure_id: null, base_version: null };
          if (figure) {
            if (figure.status === 'retired') {
              rowError(`figure ${figure.id} is retired: restore it in Tally before correcting it, or leave figure_id empty to add a new figure`);
              continue;
            }
            if (row.measure === null) row.measure = figure.measure;
            // A file of an older contract says nothing of these: the figure keeps its own.
            if (!('attributed_to' in cells)) row.attributed_to = figure.attributed_to;
            if (!('disputed_by' in cells)) row.disputed_by = figure.disputed_by;
            const diff = differences(figure, row, sourceId, names);
            if (diff.length > 0 && q.figureEdits.getPending(figure.id)) {
              rowError(`figure ${figure.id} has a change awaiting review: publish or retire it in Tally first`);
              continue;
            }
            plan = { outcome: diff.length === 0 ? 'unchanged' : 'changed', figure_id: figure.id, base_version: figure.version };
            if (diff.length > 0 && changes.length < MAX_KEPT_CHANGES) {
              const becomes = options.publish ? 'published' : figure.status === 'published' ? 'pending change' : 'draft';
              changes.push({ row: recordNumber, figure_id: figure.id, becomes, fields: diff });
            }
          }
          // Consistency checks are warnings, never refusals: the source may itself disagree.
          // Relations are checked against stored figures for the first rows only (each costs a query);
          // every row's quote is checked; published rows are all re-checked when the import commits.
          const measure = row.measure ?? 'period_count';
          const againstStored = related.has(cells.indicator_code?.trim() ?? '') && rows <= RELATION_PREVIEW_ROWS;
          const findings = againstStored
            ? q.checks.preview(plan.figure_id, { ...row, measure, source_id: 0 }, relations)
            : quoteChecks({
                id: 0, indicator: '', location: '', start: row.reference_period_start, end: row.reference_period_end, measure, value: row.value,
                value_low: row.value_low, value_high: row.value_high, qualifier: row.qualifier, reported_by: row.reported_by, source_quote: row.source_quote,
              });
          for (const finding of findings) warn('source_quote', finding.message);
          // Kept with the row: the commit's re-check reuses what the quote check found instead of checking again.
          const quoteFound = againstStored ? findings.filter((f) => f.kind === 'quote_value' || f.kind === 'quote_qualifier') : findings;
          const quoteFindings = quoteFound.length === 0 ? '' : JSON.stringify(quoteFound.map((f) => [f.kind, f.message]));
          inference.add(row, aggregationOf.get(row.indicator_id) ?? 'flow');
          counts[plan.outcome] += 1;
          pending.push({ rowNumber: recordNumber, quoteFindings, data: Object.assign(row, plan) });
        }
      });
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

  // New flow figures from a file without `measure`: inferred once, here, with the migration's rule.
  const inferred = q.importBatches.inferMeasures(batchId, inference.runningTotalGroups(q));

  q.importBatches.setCounts(batchId, {
    row_count: rows,
    new_count: counts.new,
    changed_count: counts.changed,
    unchanged_count: counts.unchanged,
    error_count: errorCount,
    errors: JSON.stringify(errors),
    warning_count: warningCount,
    warnings: JSON.stringify(warnings),
    changes: JSON.stringify(changes),
    inferred_measure_count: inferred,
  });
  return q.importBatches.getById(batchId) as ImportBatchRow;
}

/** Shows a field's value as staff read it: names for ids. */
function fieldNamer(q: Queries): (field: string, value: unknown) => string {
  return (field, value) => {
    if (typeof value === 'number') {
      if (field === 'indicator_id') return q.indicators.getById(value)?.code ?? String(value);
      if (field === 'location_id') return q.locations.getById(value)?.code ?? String(value);
      if (field === 'source_id') return q.sources.getById(value)?.title ?? String(value);
    }
    return fieldText(value);
  };
}

export class ImportCommitError extends Error {}

export { sourceKey };
