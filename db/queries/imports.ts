import type { Db } from '../connection';
import type { FigureRow } from '../types';

const BULK_COLUMNS = `indicator_id, location_id, reference_period_start, reference_period_end, measure,
  value, value_low, value_high, qualifier, verification, reported_by, claimed_by, attributed_to, disputed_by,
  source_id, source_quote, notes, status, created_by, updated_by, submitted_at, submitted_by, sync_seq`;

/** A staged row's fields read by SQLite from its JSON (the fields of StagedRow). */
const staged = (field: string): string => `r.data ->> '$.${field}'`;

const NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/**
 * Writes an import's new figures set-wise, straight from the staging table:
 * the documents they cite are resolved once each (the caller maps each
 * staged source to its id), then one INSERT … SELECT reads every new row of
 * the batch with SQLite's JSON functions and writes it into figures in file
 * order, with bulk_mode set so the per-row triggers that move the data
 * version and mark the catalogue public stand aside; the same work is then
 * done once for the whole set. No JavaScript runs per new row. Call inside
 * the import's transaction: bulk_mode is never seen set outside it.
 */
export function bulkFigureQueries(db: Db) {
  // Created again by begin() when a rolled-back transaction took it away (statements prepared on it re-prepare).
  const createTable = (): void => {
    db.exec('CREATE TEMP TABLE IF NOT EXISTS import_sources (source TEXT PRIMARY KEY, id INTEGER NOT NULL) WITHOUT ROWID');
  };
  createTable();
  const clear = db.prepare('DELETE FROM temp.import_sources');
  const distinctSources = db.prepare<[number], { source: string }>(`
    SELECT r.source FROM import_rows r
    WHERE r.batch_id = ? AND r.outcome <> 'unchanged'
    GROUP BY 1 ORDER BY min(r.row_number)`);
  const setSource = db.prepare<[string, number]>('INSERT OR REPLACE INTO temp.import_sources (source, id) VALUES (?, ?)');
  const outcomes = db.prepare<[number], { outcome: string; n: number }>(
    'SELECT r.outcome, COUNT(*) AS n FROM import_rows r WHERE r.batch_id = ? GROUP BY 1',
  );
  const changedRows = db.prepare<[number, number, number], { row_number: number; data: string }>(
    `SELECT r.row_number, r.data FROM import_rows r WHERE r.batch_id = ? AND r.row_number > ? AND r.outcome = 'changed'
     ORDER BY r.row_number LIMIT ?`,
  );
  const lastId = db.prepare<[], { id: number }>('SELECT coalesce(max(id), 0) AS id FROM figures');
  const quoteFindings = db
    .prepare<[number], string | null>("SELECT r.quote_findings FROM import_rows r WHERE r.batch_id = ? AND r.outcome = 'new' ORDER BY r.row_number")
    .pluck();
  const setBulk = db.prepare<[number]>('UPDATE bulk_mode SET active = ? WHERE id = 1');
  const insertNew = db.prepare<[{ batch: number; status: string; user_id: number | null; submitted: number; sync_seq: number | null }]>(`
    INSERT INTO figures (${BULK_COLUMNS})
    SELECT ${staged('indicator_id')}, ${staged('location_id')}, ${staged('reference_period_start')}, ${staged('reference_period_end')},
      coalesce(${staged('measure')}, 'period_count'), ${staged('value')}, ${staged('value_low')}, ${staged('value_high')},
      ${staged('qualifier')}, ${staged('verification')}, ${staged('reported_by')}, ${staged('claimed_by')}, ${staged('attributed_to')},
      ${staged('disputed_by')}, s.id, ${staged('source_quote')}, ${staged('notes')}, @status, @user_id, @user_id,
      CASE WHEN @submitted THEN ${NOW} END, CASE WHEN @submitted THEN @user_id END, @sync_seq
    FROM import_rows r JOIN temp.import_sources s ON s.source = r.source
    WHERE r.batch_id = @batch AND r.outcome = 'new'
    ORDER BY r.row_number`);
  const anyPublic = db.prepare<[number], { n: number }>("SELECT EXISTS (SELECT 1 FROM figures WHERE id > ? AND status <> 'draft') AS n");
  const bumpVersion = db.prepare(`UPDATE data_version SET version = version + 1, changed_at = ${NOW} WHERE id = 1`);
  const publicSince = (table: string, column: string) =>
    db.prepare<[number]>(`UPDATE ${table} SET public_since = ${NOW}
      WHERE public_since IS NULL AND id IN (SELECT ${column} FROM figures WHERE id > ? AND status <> 'draft')`);
  const markPublic = [publicSince('sources', 'source_id'), publicSince('indicators', 'indicator_id'), publicSince('locations', 'location_id')];

  return {
    /** Starts a bulk write (empties what an earlier, failed one left). */
    begin(): void {
      createTable();
      clear.run();
    },
    /** How many staged rows of the batch are new, changed and unchanged. */
    outcomeCounts: (batchId: number): Record<'new' | 'changed' | 'unchanged', number> => {
      const counts = { new: 0, changed: 0, unchanged: 0 };
      for (const o of outcomes.all(batchId)) if (o.outcome in counts) counts[o.outcome as keyof typeof counts] = o.n;
      return counts;
    },
    /** Each distinct source (as the staged JSON of StagedRow.source) the batch's rows that write cite, in order of first use. */
    sourcesCited: (batchId: number): string[] => distinctSources.all(batchId).map((r) => r.source),
    /** Maps a staged source (its JSON, as sourcesCited gives it) to the id of its document. */
    setSource: (source: string, id: number): void => {
      setSource.run(source, id);
    },
    /**
     * What staging's quote check found for each new row, in file order (the
     * order insertNew gives them ids): '' for nothing, JSON of [kind,
     * message] pairs, or null when not known (a batch staged before migration 0020).
     */
    quoteFindingsOfNew: (batchId: number): (string | null)[] => quoteFindings.all(batchId),
    /** The staged rows that correct an existing figure, in file order, a page at a time. */
    changedRowsAfter: (batchId: number, afterRow: number, limit: number): { row_number: number; data: string }[] =>
      changedRows.all(batchId, afterRow, limit),
    /**
     * Inserts every new row of the batch, in file order, as published or as a
     * submitted draft; returns the id before the first new one (the new ids
     * follow it in order) and how many.
     */
    insertNew(batchId: number, publish: boolean, userId: number | null, syncSeq: number | null): { afterId: number; count: number } {
      const afterId = lastId.get()?.id ?? 0;
      setBulk.run(1);
      let count: number;
      try {
        count = insertNew.run({ batch: batchId, status: publish ? 'published' : 'draft', user_id: userId, submitted: publish ? 0 : 1, sync_seq: syncSeq }).changes;
      } finally {
        setBulk.run(0);
      }
      if (count > 0 && (anyPublic.get(afterId)?.n ?? 0) === 1) {
        bumpVersion.run();
        for (const statement of markPublic) statement.run(afterId);
      }
      clear.run();
      return { afterId, count };
    },
  };
}

export interface SourceKey {
  title: string;
  publisher: string;
  url: string | null;
  published_on: string | null;
}

export function importQueries(db: Db) {
  const sourceByUrl = db.prepare<[string], { id: number }>('SELECT id FROM sources WHERE url = ?');
  const sourceByName = db.prepare<[string, string, string | null, number], { id: number }>(
    'SELECT id FROM sources WHERE publisher = ? AND title = ? AND published_on IS ? AND (? OR url IS NULL) ORDER BY id LIMIT 1',
  );
  const figuresByKey = db.prepare<[number, number, string, string, string], FigureRow>(`
    SELECT * FROM figures
    WHERE indicator_id = ? AND location_id = ? AND reference_period_start = ? AND reference_period_end = ? AND reported_by = ?
    ORDER BY id`);
  const update = db.prepare<[FigureRow & { user_id: number | null }]>(`
    UPDATE figures SET
      value = @value, value_low = @value_low, value_high = @value_high, qualifier = @qualifier,
      verification = @verification, claimed_by = @claimed_by, source_quote = @source_quote, notes = @notes,
      status = @status, updated_by = @user_id, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), version = version + 1
    WHERE id = @id`);
  const flowEnds = db.prepare<[number, string], { end: string }>(`
    SELECT DISTINCT f.reference_period_end AS end FROM figures f JOIN indicators i ON i.id = f.indicator_id
    WHERE f.location_id = ? AND f.reference_period_start = ? AND i.aggregation = 'flow'`);
  return {
    /** The ends of the flow figures already stored for a place and start date (for inferring a measure). */
    flowEndsFrom: (locationId: number, start: string): string[] => flowEnds.all(locationId, start).map((r) => r.end),
    /**
     * A source is the same document when its URL matches; else when publisher,
     * title and date match a source that has no URL (two different URLs are two documents).
     */
    findSource(key: SourceKey): number | undefined {
      if (key.url) {
        const byUrl = sourceByUrl.get(key.url);
        if (byUrl) return byUrl.id;
      }
      return sourceByName.get(key.publisher, key.title, key.published_on, key.url ? 0 : 1)?.id;
    },
    figuresByKey: (indicatorId: number, locationId: number, start: string, end: string, reportedBy: string): FigureRow[] =>
      figuresByKey.all(indicatorId, locationId, start, end, reportedBy),
    /** Overwrites a figure's stated values (not its identity) and bumps its version. */
    updateFigure: (figure: FigureRow, userId: number | null): void => {
      update.run({ ...figure, user_id: userId });
    },
  };
}

/** The temporary database's page cache for rows staged there, in KiB (spilled to a temporary file beyond it). */
const TEMP_STAGING_CACHE_KIB = 64 * 1024;

/**
 * Stages this connection's imports in a temporary table instead of the
 * database file: `npm run import` stages and commits in one process, so its
 * staged copy of the file need not outlive it, and writing it to the
 * database (and its WAL, and deleting it again after the commit) cost the
 * command about 1.2 s of 100,000 rows. SQLite resolves a table name in the
 * temp schema first, so every statement on import_rows prepared after this
 * reads and writes the temporary one. The table is made from import_rows's
 * own definition as the migrations left it (columns, checks, key), less the
 * reference to import_batches, which a temporary table cannot hold. The
 * upload page keeps staging in the file: its preview waits for a person
 * between two requests. Call after migrating, before createQueries.
 */
export function stageImportsInTemp(db: Db): void {
  const stored = db.prepare<[], string>("SELECT sql FROM main.sqlite_schema WHERE type = 'table' AND name = 'import_rows'").pluck().get();
  const temp = stored?.replace(/^CREATE TABLE "?import_rows"?/, 'CREATE TEMP TABLE IF NOT EXISTS import_rows').replace(/ REFERENCES import_batches \(id\)/, '');
  if (!temp?.startsWith('CREATE TEMP TABLE') || temp.includes('REFERENCES')) throw new Error(`import_rows is not as the migrations made it: ${stored ?? 'missing'}`);
  // openDb keeps temporary structures in memory; here the staged file could be a million rows (about 0.7 GB):
  // beyond its page cache it goes to a temporary file (+0.5 s of 100,000 rows, against 60 MB more memory).
  db.pragma('temp_store = FILE');
  db.pragma(`temp.cache_size = -${TEMP_STAGING_CACHE_KIB}`);
  db.exec(temp);
}

export interface ImportBatchRow {
  id: number;
  file_name: string;
  created_by: number | null;
  created_at: string;
  publish: 0 | 1;
  state: 'previewed' | 'committed' | 'discarded' | 'failed';
  file_error: string | null;
  row_count: number;
  new_count: number;
  changed_count: number;
  unchanged_count: number;
  error_count: number;
  errors: string;
  finished_at: string | null;
  match_mode: 'id' | 'natural';
  inferred_measure_count: number;
  warning_count: number;
  warnings: string;
  changes: string;
}

export interface BatchCounts {
  row_count: number;
  new_count: number;
  changed_count: number;
  unchanged_count: number;
  error_count: number;
  errors: string;
  warning_count?: number;
  warnings?: string;
  changes?: string;
  inferred_measure_count?: number;
}

export function importBatchQueries(db: Db) {
  const create = db.prepare<[string, number | null, number, string]>(
    "INSERT INTO import_batches (file_name, created_by, publish, match_mode, state) VALUES (?, ?, ?, ?, 'previewed')",
  );
  const byId = db.prepare<[number], ImportBatchRow>('SELECT * FROM import_batches WHERE id = ?');
  const setCounts = db.prepare<[Required<BatchCounts> & { id: number }]>(`
    UPDATE import_batches SET row_count = @row_count, new_count = @new_count, changed_count = @changed_count,
      unchanged_count = @unchanged_count, error_count = @error_count, errors = @errors, warning_count = @warning_count,
      warnings = @warnings, changes = @changes, inferred_measure_count = @inferred_measure_count WHERE id = @id`);
  const inferRunning = db.prepare<[number, number, string]>(`
    UPDATE import_rows SET data = json_set(data, '$.measure', 'running_total')
    WHERE batch_id = ? AND json_extract(data, '$.measure') IS NULL
      AND json_extract(data, '$.location_id') = ? AND json_extract(data, '$.reference_period_start') = ?`);
  const inferRest = db.prepare<[number]>(`
    UPDATE import_rows SET data = json_set(data, '$.measure', 'period_count')
    WHERE batch_id = ? AND json_extract(data, '$.measure') IS NULL`);
  const fail = db.prepare<[string, number]>(
    "UPDATE import_batches SET state = 'failed', file_error = ?, finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
  );
  const finish = db.prepare<[string, number]>(
    "UPDATE import_batches SET state = ?, finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
  );
  const addRow = db.prepare<[number, number, string, string, string, string]>(
    'INSERT INTO import_rows (batch_id, row_number, outcome, source, quote_findings, data) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const rowsAfter = db.prepare<[number, number, number], { row_number: number; data: string }>(
    'SELECT row_number, data FROM import_rows WHERE batch_id = ? AND row_number > ? ORDER BY row_number LIMIT ?',
  );
  const clearRows = db.prepare<[number]>('DELETE FROM import_rows WHERE batch_id = ?');
  const recent = db.prepare<[number], ImportBatchRow>('SELECT * FROM import_batches ORDER BY id DESC LIMIT ?');

  return {
    create: (fileName: string, userId: number | null, publish: boolean, match: 'id' | 'natural' = 'id'): number =>
      Number(create.run(fileName, userId, publish ? 1 : 0, match).lastInsertRowid),
    /**
     * Gives staged rows without a measure one: running totals for the given
     * place and start date groups, period counts for the rest. Returns how many.
     */
    inferMeasures: (id: number, runningTotalGroups: { location: number; start: string }[]): number =>
      db.transaction(() => {
        let n = 0;
        for (const g of runningTotalGroups) n += inferRunning.run(id, g.location, g.start).changes;
        return n + inferRest.run(id).changes;
      })(),
    getById: (id: number): ImportBatchRow | undefined => byId.get(id),
    recent: (limit: number): ImportBatchRow[] => recent.all(limit),
    setCounts: (id: number, counts: BatchCounts): void => {
      const existing = byId.get(id);
      setCounts.run({
        warning_count: existing?.warning_count ?? 0,
        warnings: existing?.warnings ?? '[]',
        changes: existing?.changes ?? '[]',
        inferred_measure_count: existing?.inferred_measure_count ?? 0,
        ...counts,
        id,
      });
    },
    /** Marks a batch failed with a file-level message and drops anything staged. */
    fail(id: number, message: string): void {
      db.transaction(() => {
        clearRows.run(id);
        fail.run(message, id);
      })();
    },
    /** Ends a batch as committed or discarded and drops its staged copy of the file. */
    finish(id: number, state: 'committed' | 'discarded'): void {
      clearRows.run(id);
      finish.run(state, id);
    },
    /**
     * Stages rows in one short transaction per batch of rows: what committing
     * the row does and the document it cites in columns (the commit selects
     * and groups by them), what its quote check found ('' for nothing, else
     * JSON of [kind, message] pairs), the row itself as JSON.
     */
    addRows(id: number, rows: { rowNumber: number; quoteFindings: string; data: { outcome: string; source: unknown } }[]): void {
      db.transaction(() => {
        for (const row of rows) addRow.run(id, row.rowNumber, row.data.outcome, JSON.stringify(row.data.source), row.quoteFindings, JSON.stringify(row.data));
      })();
    },
    rowsAfter: (id: number, afterRow: number, limit: number): { row_number: number; data: string }[] =>
      rowsAfter.all(id, afterRow, limit),
  };
}
