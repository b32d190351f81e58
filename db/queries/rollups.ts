import type { Db } from '../connection';
import { statementsBySql } from '../statements';
import type { Measure, Qualifier, Verification } from '../types';

/**
 * The chart rollups (migration 0018): chart series and their bucketed,
 * non-overlapping period counts, kept by a background step fed by the change
 * feed (server/charts/rollups.ts) so a chart page reads bounded rows.
 */

/** A published figure's columns a chart series is keyed and drawn by. */
export interface SeriesFigure {
  id: number;
  version: number;
  indicator_id: number;
  location_id: number;
  reported_by: string;
  verification: Verification;
  measure: Measure;
  reference_period_start: string;
  reference_period_end: string;
  value: number;
  value_low: number | null;
  value_high: number | null;
  qualifier: Qualifier;
  source_id: number;
}

export interface SeriesKey {
  indicator_id: number;
  location_id: number;
  reported_by: string;
  shown_as: '' | 'claimed' | 'disputed';
  since: string;
  measure: Measure;
}

export interface SeriesRow extends SeriesKey {
  id: number;
  figures: number;
  kept: number;
  first_id: number;
  first_end: string;
  first_start: string;
}

export type Grain = 'week' | 'month' | 'quarter' | 'year';

export interface BucketRow {
  series_id: number;
  grain: Grain;
  bucket_start: string;
  figures: number;
  kept: number;
  value: number;
  value_low: number;
  value_high: number;
  ranged: number;
  qualifier: Qualifier;
  period_start: string;
  period_end: string;
  first_figure_id: number | null;
  source_ids: string;
}

/** Which series a chart reads: every value bound. */
export interface SeriesFilter {
  indicatorIds?: readonly number[];
  locationIds?: readonly number[];
  originators?: readonly string[];
  shownAs?: readonly ('' | 'claimed' | 'disputed')[];
}

/** The WHERE clause of a series filter, every value bound. */
function seriesWhere(filter: SeriesFilter): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const inList = (column: string, values: readonly unknown[] | undefined): void => {
    if (!values || values.length === 0) return;
    clauses.push(`${column} IN (${values.map(() => '?').join(', ')})`);
    params.push(...values);
  };
  inList('indicator_id', filter.indicatorIds);
  inList('location_id', filter.locationIds);
  inList('reported_by', filter.originators);
  inList('shown_as', filter.shownAs);
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

const FIGURE_COLUMNS = `id, version, indicator_id, location_id, reported_by, verification, measure, reference_period_start,
  reference_period_end, value, value_low, value_high, qualifier, source_id`;

export function rollupQueries(db: Db) {
  const position = db.prepare<[], { position: number }>('SELECT position FROM chart_rollup_state WHERE id = 1');
  const feedPosition = db.prepare<[], { position: number }>('SELECT position FROM change_feed WHERE id = 1');
  const setPosition = db.prepare<[number]>('UPDATE chart_rollup_state SET position = ? WHERE id = 1');
  // Through the partial index on sync_seq: only the figures changed since the last position.
  // Through the partial index on sync_seq: only the figures changed since the last position, with where each was counted.
  const changed = db.prepare<[number, number, number], SeriesFigure & { status: string; m_series: number | null; m_version: number | null } & { [K in keyof SeriesKey as `s_${K}`]: SeriesKey[K] | null }>(
    `SELECT ${FIGURE_COLUMNS.split(',').map((c) => `f.${c.trim()}`).join(', ')}, f.status, m.series_id AS m_series, m.version AS m_version,
       s.indicator_id AS s_indicator_id, s.location_id AS s_location_id, s.reported_by AS s_reported_by, s.shown_as AS s_shown_as,
       s.since AS s_since, s.measure AS s_measure
     FROM figures f LEFT JOIN chart_members m ON m.figure_id = f.id LEFT JOIN chart_series s ON s.id = m.series_id
     WHERE f.sync_seq > ? AND f.sync_seq <= ? AND f.id > ? ORDER BY f.id LIMIT 5000`,
  );
  const dropMember = db.prepare<[number]>('DELETE FROM chart_members WHERE figure_id = ?');
  const putMember = db.prepare<[number, number, number, string]>('INSERT OR REPLACE INTO chart_members (figure_id, series_id, version, period_end) VALUES (?, ?, ?, ?)');
  const seriesById = db.prepare<[number], SeriesRow>('SELECT * FROM chart_series WHERE id = ?');
  const seriesByKey = db.prepare<[number, number, string, string, string, string], SeriesRow>(
    'SELECT * FROM chart_series WHERE indicator_id = ? AND location_id = ? AND reported_by = ? AND shown_as = ? AND since = ? AND measure = ?',
  );
  const insertSeries = db.prepare<[SeriesKey & { figures: number; kept: number; first_id: number; first_end: string; first_start: string }]>(`
    INSERT INTO chart_series (indicator_id, location_id, reported_by, shown_as, since, measure, figures, kept, first_id, first_end, first_start)
    VALUES (@indicator_id, @location_id, @reported_by, @shown_as, @since, @measure, @figures, @kept, @first_id, @first_end, @first_start)`);
  const updateSeries = db.prepare<[{ id: number; figures: number; kept: number; first_id: number; first_end: string; first_start: string }]>(
    'UPDATE chart_series SET figures = @figures, kept = @kept, first_id = @first_id, first_end = @first_end, first_start = @first_start WHERE id = @id',
  );
  const deleteSeries = db.prepare<[number]>('DELETE FROM chart_series WHERE id = ?');
  const deleteBuckets = db.prepare<[number]>('DELETE FROM chart_buckets WHERE series_id = ?');
  const insertBucket = db.prepare<[BucketRow]>(`
    INSERT INTO chart_buckets (series_id, grain, bucket_start, figures, kept, value, value_low, value_high, ranged, qualifier,
      period_start, period_end, first_figure_id, source_ids)
    VALUES (@series_id, @grain, @bucket_start, @figures, @kept, @value, @value_low, @value_high, @ranged, @qualifier,
      @period_start, @period_end, @first_figure_id, @source_ids)`);
  // Index only, in thinning order (period end, then id): a series over its point budget is thinned from its ids, not its rows.
  const memberIdsEnding = db.prepare<[number, string, string], number>(
    'SELECT figure_id FROM chart_members WHERE series_id = ? AND period_end BETWEEN ? AND ? ORDER BY period_end, figure_id',
  ).pluck();
  const latestMembers = db.prepare<[number, string, string, number], { figure_id: number; period_end: string }>(
    'SELECT figure_id, period_end FROM chart_members WHERE series_id = ? AND period_end BETWEEN ? AND ? ORDER BY period_end DESC LIMIT ?',
  );
  const countInRange = db.prepare<[number, string, string], { n: number }>(
    'SELECT count(*) AS n FROM chart_members WHERE series_id = ? AND period_end BETWEEN ? AND ?',
  );
  const pairFigures = db.prepare<[number, number], SeriesFigure>(`
    SELECT ${FIGURE_COLUMNS} FROM figures WHERE indicator_id = ? AND location_id = ? AND status = 'published'`);
  const buckets = db.prepare<[number, string, string, string], BucketRow>(`
    SELECT * FROM chart_buckets WHERE series_id = ? AND grain = ? AND period_end >= ? AND period_start <= ? AND kept > 0
    ORDER BY bucket_start`);
  const bucketCounts = db.prepare<[number, string, string], { grain: Grain; buckets: number; figures: number; kept: number }>(`
    SELECT grain, count(*) FILTER (WHERE kept > 0) AS buckets, sum(figures) AS figures, sum(kept) AS kept FROM chart_buckets
    WHERE series_id = ? AND period_end >= ? AND period_start <= ? GROUP BY grain`);
  /** One statement per shape of a series filter (which lists are set, how many values each). */
  const seriesStatement = statementsBySql(db);

  return {
    /** The change-feed position the rollups are complete up to, and the feed's own. */
    positions: (): { rollups: number; feed: number } => ({ rollups: position.get()?.position ?? 0, feed: feedPosition.get()?.position ?? 0 }),
    setPosition: (p: number): void => {
      setPosition.run(p);
    },
    /** Figures whose change-feed position lies in (from, to], by id after `afterId`, 5,000 at a time. */
    changedFigures: (from: number, to: number, afterId: number) => changed.all(from, to, afterId),
    /** The ids of a series' figures ending within [from, to], by period end then id (index only: no figure row is read). */
    memberIdsEnding: (seriesId: number, from: string, to: string): number[] => memberIdsEnding.all(seriesId, from, to),
    dropMember: (figureId: number): void => {
      dropMember.run(figureId);
    },
    putMember: (figureId: number, seriesId: number, version: number, periodEnd: string): void => {
      putMember.run(figureId, seriesId, version, periodEnd);
    },
    seriesById: (id: number): SeriesRow | undefined => seriesById.get(id),
    seriesByKey: (k: SeriesKey): SeriesRow | undefined => seriesByKey.get(k.indicator_id, k.location_id, k.reported_by, k.shown_as, k.since, k.measure),
    /** The figures of a series ending latest within [from, to], newest first (index only). */
    latestMembers: (seriesId: number, from: string, to: string, limit: number) => latestMembers.all(seriesId, from, to, limit),
    /** How many figures of a series end within [from, to] (index only). */
    countInRange: (seriesId: number, from: string, to: string): number => countInRange.get(seriesId, from, to)?.n ?? 0,
    /** Every published figure of one indicator and place (the series of a pair are computed together), in no particular order. */
    pairFigures: (indicatorId: number, locationId: number): SeriesFigure[] => pairFigures.all(indicatorId, locationId),
    /** Writes a series' counts and buckets in place of its old ones (or drops the series when it has no figure left); returns its id. */
    replaceSeries(k: SeriesKey, counts: { figures: number; kept: number; first_id: number; first_end: string; first_start: string } | null, rows: Omit<BucketRow, 'series_id'>[]): number | null {
      const existing = seriesByKey.get(k.indicator_id, k.location_id, k.reported_by, k.shown_as, k.since, k.measure);
      if (!counts) {
        if (existing) deleteSeries.run(existing.id);
        return null;
      }
      let id: number;
      if (existing) {
        id = existing.id;
        updateSeries.run({ id, ...counts });
        deleteBuckets.run(id);
      } else id = Number(insertSeries.run({ ...k, ...counts }).lastInsertRowid);
      for (const row of rows) insertBucket.run({ ...row, series_id: id });
      return id;
    },
    /** The series a chart draws under a filter (a few hundred rows at most: one per indicator, place, originator and measure). */
    listSeries(filter: SeriesFilter): SeriesRow[] {
      const where = seriesWhere(filter);
      return seriesStatement<SeriesRow>(`SELECT * FROM chart_series ${where.sql} ORDER BY first_end, first_start, first_id`).all(...where.params);
    },
    /**
     * At most how many published figures the series under a filter hold (a
     * few index rows, whatever the number of figures): null while the rollups
     * are behind the change feed, when a new figure may not be counted yet.
     */
    figureCountBound(filter: SeriesFilter): number | null {
      if ((position.get()?.position ?? 0) !== (feedPosition.get()?.position ?? 0)) return null;
      const where = seriesWhere(filter);
      return seriesStatement<{ n: number }>(`SELECT coalesce(sum(figures), 0) AS n FROM chart_series ${where.sql}`).get(...where.params)?.n ?? 0;
    },
    /** A series' buckets of one grain (those with a summed figure) whose periods overlap [from, to]. */
    buckets: (seriesId: number, grain: Grain, from: string, to: string): BucketRow[] => buckets.all(seriesId, grain, from, to),
    /** Per grain: how many buckets (with a summed figure) overlap [from, to], and the figures in them. */
    bucketCounts: (seriesId: number, from: string, to: string) => bucketCounts.all(seriesId, from, to),
    /** Everything the rollups hold, in a stable order (the rebuild test compares it). */
    dump(): { series: SeriesRow[]; buckets: (BucketRow & SeriesKey)[]; members: { figure_id: number; key: string; version: number }[] } {
      return {
        series: db.prepare<[], SeriesRow>('SELECT * FROM chart_series ORDER BY indicator_id, location_id, reported_by, shown_as, since, measure').all(),
        buckets: db
          .prepare<[], BucketRow & SeriesKey>(
            `SELECT b.*, s.indicator_id, s.location_id, s.reported_by, s.shown_as, s.since, s.measure FROM chart_buckets b JOIN chart_series s ON s.id = b.series_id
             ORDER BY s.indicator_id, s.location_id, s.reported_by, s.shown_as, s.since, s.measure, b.grain, b.bucket_start`,
          )
          .all(),
        members: db
          .prepare<[], { figure_id: number; key: string; version: number }>(
            `SELECT m.figure_id, s.indicator_id || '|' || s.location_id || '|' || s.reported_by || '|' || s.shown_as || '|' || s.since || '|' || s.measure AS key, m.version
             FROM chart_members m JOIN chart_series s ON s.id = m.series_id ORDER BY m.figure_id`,
          )
          .all(),
      };
    },
    /** Empties the rollups, so the next refresh builds them from every figure. */
    clear(): void {
      db.exec('DELETE FROM chart_buckets; DELETE FROM chart_series; DELETE FROM chart_members; UPDATE chart_rollup_state SET position = 0 WHERE id = 1;');
    },
  };
}

export type RollupQueries = ReturnType<typeof rollupQueries>;
