import type { Db } from '../connection';
import { statementsBySql } from '../statements';
import type { FigureDetail, FigureFields, FigureRow, Verification } from '../types';
import { FIRST_REVISION_COLUMNS, ROW_PATCH_OF_ROW_SQL, revisionQueries, type RevisionAction, type RevisionRow } from './revisions';

export interface FigureFilter {
  indicatorCodes?: readonly string[];
  locationCodes?: readonly string[];
  verifications?: readonly Verification[];
}

/** A figure to insert: what it states, and its status. */
export interface NewFigure extends FigureFields {
  status: FigureRow['status'];
  /**
   * The change-feed position of a figure inserted as public, when the caller
   * took one for a whole batch (an import); left out, a trigger takes the next
   * position for this row alone.
   */
  sync_seq?: number | null;
}

export type { RevisionAction } from './revisions';

const DETAIL_COLUMNS = `
  f.*,
  i.code AS indicator_code, i.name AS indicator_name, i.unit, i.aggregation,
  l.code AS location_code, l.name AS location_name, l.admin_level,
  s.title AS source_title, s.publisher AS source_publisher, s.url AS source_url,
  s.published_on AS source_published_on`;

const DETAIL_FROM = `
  FROM figures f
  JOIN indicators i ON i.id = f.indicator_id
  JOIN locations l ON l.id = f.location_id
  JOIN sources s ON s.id = f.source_id`;

/** Builds the WHERE clause for a public figure list; every value is bound. */
function publishedWhere(filter: FigureFilter): { sql: string; params: unknown[] } {
  const clauses = [`f.status = 'published'`];
  const params: unknown[] = [];
  const inList = (column: string, values: readonly string[] | undefined): void => {
    if (!values || values.length === 0) return;
    clauses.push(`${column} IN (${values.map(() => '?').join(', ')})`);
    params.push(...values);
  };
  // Filter on the figures' own columns so SQLite can use their indexes.
  const byCode = (column: string, table: string, values: readonly string[] | undefined): void => {
    if (!values || values.length === 0) return;
    clauses.push(`${column} IN (SELECT id FROM ${table} WHERE code IN (${values.map(() => '?').join(', ')}))`);
    params.push(...values);
  };
  byCode('f.indicator_id', 'indicators', filter.indicatorCodes);
  byCode('f.location_id', 'locations', filter.locationCodes);
  inList('f.verification', filter.verifications);
  return { sql: `WHERE ${clauses.join(' AND ')}`, params };
}

export function figureQueries(db: Db) {
  const byId = db.prepare<[number], FigureDetail>(`SELECT ${DETAIL_COLUMNS} ${DETAIL_FROM} WHERE f.id = ?`);
  const insert = db.prepare<[NewFigure & { user_id: number | null; sync_seq: number | null }]>(`
    INSERT INTO figures (
      indicator_id, location_id, reference_period_start, reference_period_end, measure,
      value, value_low, value_high, qualifier, verification, reported_by, claimed_by, attributed_to, disputed_by,
      source_id, source_quote, notes, status, created_by, updated_by, sync_seq
    ) VALUES (
      @indicator_id, @location_id, @reference_period_start, @reference_period_end, @measure,
      @value, @value_low, @value_high, @qualifier, @verification, @reported_by, @claimed_by, @attributed_to, @disputed_by,
      @source_id, @source_quote, @notes, @status, @user_id, @user_id, @sync_seq
    )`);
  const revisions = revisionQueries(db);
  const countAll = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM figures');
  /** The list's statements, one per filter shape, prepared once (not on every page asked for). */
  const statement = statementsBySql(db);

  // A new figure's first revision is its row as it stands, so it keeps no
  // copy of it: only the columns that later drift from the row (decision
  // 0015). Built by SQLite over the new rows, no round trip through JS.
  const insertRevisionsAfter = db.prepare<[string, string | null, number | null, number]>(`
    INSERT INTO figure_revisions (${FIRST_REVISION_COLUMNS})
    SELECT id, version, ?, ${ROW_PATCH_OF_ROW_SQL}, ?, ? FROM figures WHERE id > ? ORDER BY id`);

  return {
    getById: (id: number): FigureDetail | undefined => byId.get(id),

    countAll: (): number => countAll.get()?.n ?? 0,

    /**
     * Published figures matching the filter, newest period first. The page's
     * ids are chosen through the index alone (the rows skipped to reach page
     * 50 are index entries, not joined rows), then only its own rows are read.
     */
    listPublished(filter: FigureFilter, page: { limit: number; offset: number }): FigureDetail[] {
      const where = publishedWhere(filter);
      return statement<FigureDetail>(
        `SELECT ${DETAIL_COLUMNS}
         FROM (SELECT f.id FROM figures f ${where.sql} ORDER BY f.reference_period_end DESC, f.id DESC LIMIT ? OFFSET ?) AS page
         CROSS JOIN figures f ON f.id = page.id
         JOIN indicators i ON i.id = f.indicator_id
         JOIN locations l ON l.id = f.location_id
         JOIN sources s ON s.id = f.source_id
         ORDER BY f.reference_period_end DESC, f.id DESC`,
      ).all(...where.params, page.limit, page.offset);
    },

    /** How many published figures match, counting no further than `upTo` (a list says "more than …" past it). */
    countPublished(filter: FigureFilter, upTo: number = Number.MAX_SAFE_INTEGER): number {
      const where = publishedWhere(filter);
      return statement<{ n: number }>(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM figures f ${where.sql} LIMIT ?)`).get(...where.params, upTo)?.n ?? 0;
    },

    /** Inserts a figure and its first revision; call inside a transaction with related writes. */
    create(figure: NewFigure, action: RevisionAction, note: string | null, userId: number | null): number {
      const id = Number(insert.run({ ...figure, sync_seq: figure.sync_seq ?? null, user_id: userId }).lastInsertRowid);
      revisions.recordFirst(id, action, note, userId);
      return id;
    },

    /** Every revision of the figure, oldest first, each with the whole figure as it recorded it. */
    revisions: (figureId: number): RevisionRow[] => revisions.list(figureId),

    /** One revision for every figure whose id is above `afterId` (those a bulk insert just wrote), in one statement. */
    recordRevisionsAfter: (afterId: number, action: RevisionAction, note: string | null, userId: number | null): number =>
      insertRevisionsAfter.run(action, note, userId, afterId).changes,
  };
}

export type FigureQueries = ReturnType<typeof figureQueries>;
