import type { Statement } from 'better-sqlite3';
import type { Db } from '../connection';
import { statementsBySql } from '../statements';
import type { Measure, Verification } from '../types';
import type { RollupQueries } from './rollups';

/** The CSV/API column contract lives in the domain module; re-exported for the export code. */
import { EXPORT_COLUMNS } from '../../server/domain/figure';

export { EXPORT_COLUMNS, type ExportColumn } from '../../server/domain/figure';
/** One export row as positional values in EXPORT_COLUMNS order. */
export type ExportRow = (string | number | null)[];

/** Filters already resolved to ids and normalised values (see server/validation/export-filter.ts). */
export interface ExportFilter {
  indicatorIds: number[];
  locationIds: number[];
  verifications: Verification[];
  /** Originators (reported_by), matched exactly. */
  originators: string[];
  sourceId: number | null;
  /** Only figures of this measure (a chart panel's CSV); absent or null: every measure. */
  measure?: Measure | null;
  from: string | null;
  to: string | null;
  /** ISO 8601 UTC with milliseconds, as stored in updated_at. */
  updatedSince: string | null;
}

/**
 * Which change-feed position a pull reads at: rows whose last public change
 * is at or before `asOf`. With `since`, only figures changed after it, with a
 * tombstone for each that is no longer published or no longer matches.
 */
export interface FeedWindow {
  asOf: number;
  since: number | null;
}

/**
 * The export's SELECT and joins; the benchmark hands the same statement to the
 * sqlite3 shell. CROSS JOIN keeps figures the outer loop, walked in id order:
 * each keyset page then reads on from the last id instead of re-sorting every
 * matching row (SQLite's planner otherwise may start from a small table).
 */
export const EXPORT_SELECT = `
  SELECT f.id, i.code, i.name, i.unit, l.code, l.name, l.admin_level,
         f.reference_period_start, f.reference_period_end, f.value, f.value_low, f.value_high, f.qualifier,
         f.verification, f.reported_by, f.claimed_by, s.title, s.publisher, s.url,
         s.published_on, f.source_quote, f.notes, f.status, f.updated_at,
         f.measure, f.source_id, f.version, f.attributed_to, f.disputed_by
  FROM figures f
  CROSS JOIN indicators i ON i.id = f.indicator_id
  CROSS JOIN locations l ON l.id = f.location_id
  CROSS JOIN sources s ON s.id = f.source_id`;

/**
 * WHERE clause text for a filter's shape; values are bound in the same order
 * by filterParams. With `walk`, every filter column carries a unary +, so
 * SQLite uses no index for it and walks figures by rowid from the last id on:
 * pages of a broad export never re-sort every match. Without it (a narrow
 * filter), SQLite may seek by index and sort the few matches.
 */
function whereFor(filter: ExportFilter, walk: boolean): string {
  const p = walk ? '+' : '';
  const clauses = ['f.id > ?', '+f.sync_seq <= ?'];
  // With updated_since a puller also learns which figures were retired, so it can drop them.
  clauses.push(filter.updatedSince ? "+f.status IN ('published', 'retired') AND +f.updated_at >= ?" : "+f.status = 'published'");
  const list = (column: string, n: number): void => {
    if (n > 0) clauses.push(`${p}${column} IN (${Array(n).fill('?').join(', ')})`);
  };
  list('f.indicator_id', filter.indicatorIds.length);
  list('f.location_id', filter.locationIds.length);
  list('f.verification', filter.verifications.length);
  list('f.reported_by', filter.originators.length);
  if (filter.sourceId !== null) clauses.push(`${p}f.source_id = ?`);
  if (filter.measure) clauses.push(`${p}f.measure = ?`);
  if (filter.from !== null) clauses.push(`${p}f.reference_period_end >= ?`);
  if (filter.to !== null) clauses.push(`${p}f.reference_period_start <= ?`);
  return clauses.join(' AND ');
}

/**
 * The figures table as a read under `filter` names it. Without statistics,
 * SQLite prefers walking a place's figures in id order (figures_location, no
 * sort) to seeking an indicator and a place and sorting the few matches, so a
 * narrow read of both read every figure of the place: 20 times slower at
 * 100,000 figures, and growing with them. Given both, the natural key's
 * (indicator, place) prefix is named; given a place and a date window
 * without an indicator, its figures by period (figures_location_period).
 */
function figuresFor(filter: ExportFilter, walk: boolean): string {
  if (walk || filter.locationIds.length === 0) return 'figures f';
  if (filter.indicatorIds.length > 0) return 'figures f INDEXED BY figures_natural_key';
  // A place and a date window: the place's figures by period end, their start compared in the index (migration 0021).
  return filter.from !== null || filter.to !== null ? 'figures f INDEXED BY figures_location_period' : 'figures f';
}

/** Filters matching at most this many figures are read through their indexes. */
const NARROW_MATCHES = 20_000;

function filterParams(filter: ExportFilter, afterId: number, asOf: number): unknown[] {
  const params: unknown[] = [afterId, asOf];
  if (filter.updatedSince) params.push(filter.updatedSince);
  params.push(...filter.indicatorIds, ...filter.locationIds, ...filter.verifications, ...filter.originators);
  if (filter.sourceId !== null) params.push(filter.sourceId);
  if (filter.measure) params.push(filter.measure);
  if (filter.from !== null) params.push(filter.from);
  if (filter.to !== null) params.push(filter.to);
  return params;
}

/**
 * A figure's own columns for the CSV writer, positional:
 * [id, indicator_id, location_id, source_id, start, end, value, low, high,
 *  qualifier, verification, reported_by, claimed_by, quote, notes, status, updated_at,
 *  measure, version, attributed_to, disputed_by, live]. `live` is 0 for a tombstone (a `since` pull's
 * figure that left the set): only its id, status, updated_at and version are written.
 * Names of indicators, places and sources come from ExportLookups.
 */
/** Where FigureCells holds the live flag (1: a row, 0: a tombstone). */
export const LIVE = 21;

export type FigureCells = [
  number, number, number, number, string, string, number, number | null, number | null,
  string, string, string, string | null, string, string | null, string, string,
  string, number, string | null, string | null, number,
];

const CELL_COLUMNS = `f.id, f.indicator_id, f.location_id, f.source_id, f.reference_period_start, f.reference_period_end,
                  f.value, f.value_low, f.value_high, f.qualifier, f.verification, f.reported_by, f.claimed_by,
                  f.source_quote, f.notes, f.status, f.updated_at, f.measure, f.version, f.attributed_to, f.disputed_by`;

/** The filter as a condition a row either meets or not (for tombstones); every value bound, in filterParams order after the first two. */
function matchesFor(filter: ExportFilter): string {
  const clauses = ["f.status = 'published'"];
  const list = (column: string, n: number): void => {
    if (n > 0) clauses.push(`${column} IN (${Array(n).fill('?').join(', ')})`);
  };
  list('f.indicator_id', filter.indicatorIds.length);
  list('f.location_id', filter.locationIds.length);
  list('f.verification', filter.verifications.length);
  list('f.reported_by', filter.originators.length);
  if (filter.sourceId !== null) clauses.push('f.source_id = ?');
  if (filter.measure) clauses.push('f.measure = ?');
  if (filter.from !== null) clauses.push('f.reference_period_end >= ?');
  if (filter.to !== null) clauses.push('f.reference_period_start <= ?');
  return clauses.join(' AND ');
}

function matchParams(filter: ExportFilter): unknown[] {
  const params: unknown[] = [...filter.indicatorIds, ...filter.locationIds, ...filter.verifications, ...filter.originators];
  if (filter.sourceId !== null) params.push(filter.sourceId);
  if (filter.measure) params.push(filter.measure);
  if (filter.from !== null) params.push(filter.from);
  if (filter.to !== null) params.push(filter.to);
  return params;
}

export interface ExportLookups {
  indicators: { id: number; code: string; name: string; unit: string }[];
  locations: { id: number; code: string; name: string; admin_level: number }[];
  sources: { id: number; title: string; publisher: string; url: string | null; published_on: string | null }[];
}

/**
 * A tombstone: the figure's id, why it left (`retired`, or `withdrawn` when
 * it is no longer public or no longer matches the pull's filters), when and
 * at which version. Nothing else: a draft's content is never public.
 */
export function tombstone(c: FigureCells): ExportRow {
  const row: ExportRow = new Array<string | number | null>(EXPORT_COLUMNS.length).fill(null);
  row[0] = c[0];
  row[22] = c[15] === 'retired' ? 'retired' : 'withdrawn';
  row[23] = c[16];
  row[26] = c[18];
  return row;
}

/** A figure's whole CSV line, CRLF included; it starts with the figure's id (its first cell). */
export type CsvLine = string;

/** The figure id a CSV line starts with. */
export const lineId = (line: CsvLine): number => parseInt(line, 10);

/**
 * GLOB patterns (a literal tab, CR and LF inside): a cell that needs RFC 4180
 * quotes, and one a spreadsheet would run as a formula (server/export/csv.ts:
 * NEEDS_QUOTES, FORMULA_START). One GLOB each is cheaper than a test per character.
 */
const NEEDS_QUOTES_GLOB = `'*[",\r\n]*'`;
const FORMULA_GLOB = `'[-=+@\t\r]*'`;

/**
 * A text cell as server/export/csv.ts textCell writes it, in SQL: empty for
 * NULL, a leading apostrophe before a formula start, RFC 4180 quotes (inner
 * quotes doubled) when it holds a comma, quote or line break.
 */
function textCellSql(column: string): string {
  return `CASE WHEN ${column} IS NULL THEN ''
    WHEN ${column} GLOB ${NEEDS_QUOTES_GLOB}
      THEN '"' || CASE WHEN ${column} GLOB ${FORMULA_GLOB} THEN '''' ELSE '' END || replace(${column}, '"', '""') || '"'
    WHEN ${column} GLOB ${FORMULA_GLOB} THEN '''' || ${column}
    ELSE ${column} END`;
}

/**
 * A number cell. Every number the export writes is in a STRICT INTEGER column
 * (figures, locations), whose text SQLite writes as JavaScript's String does;
 * a REAL, whose text would differ, cannot be stored there.
 */
function numberCellSql(column: string): string {
  return `coalesce(CAST(${column} AS TEXT), '')`;
}

/**
 * Cells joined by commas in one concat_ws (one string built, where a chain of
 * || copies the growing line at every step: a fifth of the export's time).
 * concat_ws skips NULLs, so every cell given must be non-NULL (the cell
 * builders above give '' for NULL).
 */
const joinCells = (cells: string[]): string => `concat_ws(',', ${cells.map((cell) => `(${cell})`).join(', ')})`;

/**
 * The cells of each indicator, place and source, built once per data version
 * into temporary tables (this connection's own, rowid lookups) instead of
 * once per figure; rebuilt before a page whenever the data version moved (any
 * change to an indicator, place or document moves it).
 */
const CATALOGUE_CELLS = [
  ['export_indicator_cells', `SELECT id, ${joinCells([textCellSql('code'), textCellSql('name'), textCellSql('unit')])} FROM indicators`],
  ['export_location_cells', `SELECT id, ${joinCells([textCellSql('code'), textCellSql('name'), numberCellSql('admin_level')])} FROM locations`],
  ['export_source_cells', `SELECT id, ${joinCells([textCellSql('title'), textCellSql('publisher'), textCellSql('url'), textCellSql('published_on')])} FROM sources`],
] as const;

/** The export's CSV line of a figure, byte for byte what server/export/csv.ts writes, built by SQLite. */
const CSV_LINE_SQL =
  joinCells([
    numberCellSql('f.id'), 'ic.cells', 'lc.cells',
    'f.reference_period_start', 'f.reference_period_end',
    numberCellSql('f.value'), numberCellSql('f.value_low'), numberCellSql('f.value_high'),
    'f.qualifier', 'f.verification', textCellSql('f.reported_by'), textCellSql('f.claimed_by'), 'sc.cells',
    textCellSql('f.source_quote'), textCellSql('f.notes'), 'f.status', 'f.updated_at', 'f.measure',
    numberCellSql('f.source_id'), numberCellSql('f.version'), textCellSql('f.attributed_to'), textCellSql('f.disputed_by'),
  ]) + ' || char(13, 10)';

export function exportQueries(db: Db, rollups: Pick<RollupQueries, 'figureCountBound'>) {
  /** One prepared statement per filter shape (which filters are set, how many values each). */
  const statement = statementsBySql(db, 500);
  const lookupIndicators = db.prepare<[], ExportLookups['indicators'][number]>('SELECT id, code, name, unit FROM indicators');
  const lookupLocations = db.prepare<[], ExportLookups['locations'][number]>('SELECT id, code, name, admin_level FROM locations');
  const lookupSources = db.prepare<[], ExportLookups['sources'][number]>('SELECT id, title, publisher, url, published_on FROM sources');
  const version = db.prepare<[], { version: number; changed_at: string }>('SELECT version, changed_at FROM data_version WHERE id = 1');
  const feed = db.prepare<[], { position: number; database_id: string }>('SELECT position, database_id FROM change_feed WHERE id = 1');
  const descendants = db.prepare<[string], { id: number }>(`
    WITH RECURSIVE tree(id) AS (
      SELECT value FROM json_each(?)
      UNION SELECT l.id FROM locations l JOIN tree t ON l.parent_id = t.id
    ) SELECT id FROM tree`);
  const byId = db.prepare<[number], ExportRow>(`${EXPORT_SELECT} WHERE f.id = ? AND f.status IN ('published', 'retired')`).raw(true);
  const byIdList = db.prepare<[string], ExportRow>(`${EXPORT_SELECT} WHERE f.id IN (SELECT value FROM json_each(?)) ORDER BY f.id`).raw(true);
  const byIds = (ids: number[]): ExportRow[] => byIdList.all(JSON.stringify(ids));

  /**
   * Whether a filter is narrow enough to read through indexes: said by the
   * rollups' series counts when they bound it under NARROW_MATCHES (an upper
   * bound: verification, measure and period left out), else counted through
   * the indexes (up to NARROW_MATCHES + 1).
   */
  function isNarrow(filter: ExportFilter): boolean {
    const selective = filter.indicatorIds.length + filter.locationIds.length + filter.originators.length > 0 || filter.sourceId !== null;
    if (!selective) return false;
    // The chart series' counts bound it without counting figures (the rollups know no documents nor retired figures).
    const bound = filter.sourceId === null && filter.updatedSince === null
      ? rollups.figureCountBound({ indicatorIds: filter.indicatorIds, locationIds: filter.locationIds, originators: filter.originators })
      : null;
    if (bound !== null && bound <= NARROW_MATCHES) return true;
    const stmt = statement<{ n: number }>(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM ${figuresFor(filter, false)} WHERE ${whereFor(filter, false)} LIMIT ${NARROW_MATCHES + 1})`);
    return (stmt.get(...filterParams(filter, 0, Number.MAX_SAFE_INTEGER))?.n ?? 0) <= NARROW_MATCHES;
  }

  function statementFor(filter: ExportFilter): Statement<unknown[], ExportRow> {
    const walk = !isNarrow(filter);
    const sql = `${EXPORT_SELECT.replace('FROM figures f', `FROM ${figuresFor(filter, walk)}`)} WHERE ${whereFor(filter, walk)} ORDER BY f.id LIMIT ?`;
    return statement<ExportRow>(sql, (s) => db.prepare<unknown[], ExportRow>(s).raw(true));
  }

  function cellStatementFor(filter: ExportFilter, walk: boolean): Statement<unknown[], FigureCells> {
    const sql = `SELECT ${CELL_COLUMNS}, 1 FROM ${figuresFor(filter, walk)} WHERE ${whereFor(filter, walk)} ORDER BY f.id LIMIT ?`;
    return statement<FigureCells>(sql, (s) => db.prepare<unknown[], FigureCells>(s).raw(true));
  }

  // The catalogue's cells (see CATALOGUE_CELLS); created again when a rolled-back transaction took them away.
  const createCells = (): void => {
    for (const [table] of CATALOGUE_CELLS) db.exec(`CREATE TEMP TABLE IF NOT EXISTS ${table} (id INTEGER PRIMARY KEY, cells TEXT NOT NULL)`);
  };
  createCells();
  const fillCells = CATALOGUE_CELLS.map(([table, select]) => ({ clear: db.prepare(`DELETE FROM temp.${table}`), fill: db.prepare(`INSERT INTO temp.${table} (id, cells) ${select}`) }));
  let cellsVersion = -1;
  const freshCells = (): void => {
    const current = version.get()?.version ?? 0;
    if (current === cellsVersion) return;
    db.transaction(() => {
      createCells();
      for (const f of fillCells) {
        f.clear.run();
        f.fill.run();
      }
    })();
    cellsVersion = current;
  };

  function lineStatementFor(filter: ExportFilter, walk: boolean): Statement<unknown[], CsvLine> {
    const sql = `SELECT ${CSV_LINE_SQL} FROM ${figuresFor(filter, walk)}
           CROSS JOIN temp.export_indicator_cells ic ON ic.id = f.indicator_id
           CROSS JOIN temp.export_location_cells lc ON lc.id = f.location_id
           CROSS JOIN temp.export_source_cells sc ON sc.id = f.source_id
           WHERE ${whereFor(filter, walk)} ORDER BY f.id LIMIT ?`;
    return statement<CsvLine>(sql, (s) => db.prepare<unknown[], CsvLine>(s).pluck());
  }

  /**
   * A `since` pull: every figure whose public row changed in (since, asOf],
   * whatever its status now, with `live` saying whether it is published and
   * still matches the filter (a row) or not (a tombstone).
   */
  function sinceStatementFor(filter: ExportFilter): Statement<unknown[], FigureCells> {
    const sql = `SELECT ${CELL_COLUMNS}, (${matchesFor(filter)}) FROM figures f
           WHERE f.id > ? AND f.sync_seq > ? AND f.sync_seq <= ? ORDER BY f.id LIMIT ?`;
    return statement<FigureCells>(sql, (s) => db.prepare<unknown[], FigureCells>(s).raw(true));
  }

  return {
    /**
     * Up to `limit` export rows after a figure id, the figure's own columns
     * only (no joins): the CSV writer takes names from lookups() and writes
     * each indicator's, place's and source's cells once. Every row is as of
     * the window's position.
     */
    figureCells(filter: ExportFilter, window: FeedWindow, afterId: number, limit: number, walk: boolean): FigureCells[] {
      if (window.since !== null) {
        return sinceStatementFor(filter).all(...matchParams(filter), afterId, window.since, window.asOf, limit);
      }
      return cellStatementFor(filter, walk).all(...filterParams(filter, afterId, window.asOf), limit);
    },

    /**
     * Up to `limit` figures after an id as whole CSV lines built by SQLite
     * (a full pull: no `since`), as of the window's position; each line
     * starts with its figure's id (lineId reads it back).
     */
    figureLines(filter: ExportFilter, window: FeedWindow, afterId: number, limit: number, walk: boolean): CsvLine[] {
      freshCells();
      return lineStatementFor(filter, walk).all(...filterParams(filter, afterId, window.asOf), limit);
    },

    /** True when an export should walk figures by id (a broad filter); false to read a narrow one by index. */
    shouldWalk: (filter: ExportFilter): boolean => !isNarrow(filter),

    /** Every indicator, place and source, for the CSV writer. */
    lookups: (): ExportLookups => ({ indicators: lookupIndicators.all(), locations: lookupLocations.all(), sources: lookupSources.all() }),

    /**
     * Up to `limit` rows with figure_id > afterId, in figure_id order. Callers
     * walk the whole result page by page (keyset), so no cursor stays open on
     * the shared connection while a slow client drains the response.
     */
    page(filter: ExportFilter, window: FeedWindow, afterId: number, limit: number): ExportRow[] {
      if (window.since !== null) {
        const cells = sinceStatementFor(filter).all(...matchParams(filter), afterId, window.since, window.asOf, limit);
        const live = cells.filter((c) => c[LIVE] === 1).map((c) => c[0]);
        const full = new Map(live.length > 0 ? byIds(live).map((r) => [r[0] as number, r]) : []);
        return cells.map((c) => full.get(c[0]) ?? tombstone(c));
      }
      return statementFor(filter).all(...filterParams(filter, afterId, window.asOf), limit);
    },

    getById: (id: number): ExportRow | undefined => byId.get(id),

    /** The feed's position right now and the database it belongs to: what a pull's Sync-Token names. */
    feedPosition: (): { position: number; databaseId: string } => {
      const row = feed.get();
      if (!row) throw new Error('change_feed row is missing');
      return { position: row.position, databaseId: row.database_id };
    },

    /** The data version and when it last moved; drives ETag and Last-Modified. */
    dataVersion(): { version: number; changedAt: string } {
      const row = version.get();
      if (!row) throw new Error('data_version row is missing');
      return { version: row.version, changedAt: row.changed_at };
    },

    /** The given locations and every place below them. */
    withDescendants: (ids: number[]): number[] => descendants.all(JSON.stringify(ids)).map((r) => r.id),
  };
}

export type ExportQueries = ReturnType<typeof exportQueries>;
