import type { Db } from '../connection';
import type { Aggregation, LocationRow, Qualifier, Verification } from '../types';

/** What chart pages may narrow the published figures by; every value is bound. */
export interface ChartFilter {
  indicatorCodes?: readonly string[];
  locationCodes?: readonly string[];
  originators?: readonly string[];
  verifications?: readonly Verification[];
  /** Inclusive ISO dates: a figure is kept when its period overlaps [from, to]. */
  from?: string | null;
  to?: string | null;
  sourceId?: number | null;
}

/** A published figure with everything a chart point, its tooltip and the export columns need. */
export interface ChartFigureRow {
  id: number;
  indicator_code: string;
  indicator_name: string;
  unit: string;
  aggregation: Aggregation;
  location_code: string;
  location_name: string;
  admin_level: number;
  reference_period_start: string;
  reference_period_end: string;
  value: number;
  value_low: number | null;
  value_high: number | null;
  qualifier: Qualifier;
  verification: Verification;
  reported_by: string;
  claimed_by: string | null;
  source_id: number;
  source_title: string;
  source_publisher: string;
  source_url: string | null;
  source_published_on: string | null;
  source_quote: string;
  notes: string | null;
  status: string;
  updated_at: string;
}

const COLUMNS = `
  f.id, i.code AS indicator_code, i.name AS indicator_name, i.unit, i.aggregation,
  l.code AS location_code, l.name AS location_name, l.admin_level,
  f.reference_period_start, f.reference_period_end, f.value, f.value_low, f.value_high,
  f.qualifier, f.verification, f.reported_by, f.claimed_by,
  s.id AS source_id, s.title AS source_title, s.publisher AS source_publisher, s.url AS source_url,
  s.published_on AS source_published_on, f.source_quote, f.notes, f.status, f.updated_at`;

const FROM = `
  FROM figures f
  JOIN indicators i ON i.id = f.indicator_id
  JOIN locations l ON l.id = f.location_id
  JOIN sources s ON s.id = f.source_id`;

function chartWhere(filter: ChartFilter): { sql: string; params: unknown[] } {
  const clauses = [`f.status = 'published'`];
  const params: unknown[] = [];
  const inList = (column: string, values: readonly string[] | undefined): void => {
    if (!values || values.length === 0) return;
    clauses.push(`${column} IN (${values.map(() => '?').join(', ')})`);
    params.push(...values);
  };
  inList('i.code', filter.indicatorCodes);
  inList('l.code', filter.locationCodes);
  inList('f.reported_by', filter.originators);
  inList('f.verification', filter.verifications);
  if (filter.from) {
    clauses.push('f.reference_period_end >= ?');
    params.push(filter.from);
  }
  if (filter.to) {
    clauses.push('f.reference_period_start <= ?');
    params.push(filter.to);
  }
  if (filter.sourceId) {
    clauses.push('f.source_id = ?');
    params.push(filter.sourceId);
  }
  return { sql: `WHERE ${clauses.join(' AND ')}`, params };
}

export function chartQueries(db: Db) {
  const originators = db.prepare<[], { reported_by: string }>(
    `SELECT DISTINCT reported_by FROM figures WHERE status = 'published' ORDER BY reported_by`,
  );
  const children = db.prepare<[number], LocationRow>(
    'SELECT id, code, name, admin_level, parent_id FROM locations WHERE parent_id = ? ORDER BY name',
  );
  const byId = db.prepare<[number], LocationRow>('SELECT id, code, name, admin_level, parent_id FROM locations WHERE id = ?');
  const latest = db.prepare<[number], ChartFigureRow>(
    `SELECT ${COLUMNS} ${FROM} WHERE f.status = 'published' ORDER BY f.updated_at DESC, f.id DESC LIMIT ?`,
  );

  return {
    /** Published figures for a chart, in period order; the series builder decides how to draw them. */
    listFigures(filter: ChartFilter): ChartFigureRow[] {
      const where = chartWhere(filter);
      return db
        .prepare<unknown[], ChartFigureRow>(
          `SELECT ${COLUMNS} ${FROM} ${where.sql}
           ORDER BY f.reference_period_end, f.reference_period_start, f.id`,
        )
        .all(...where.params);
    },
    /** The most recently published or corrected figures. */
    listLatest: (limit: number): ChartFigureRow[] => latest.all(limit),
    listOriginators: (): string[] => originators.all().map((r) => r.reported_by),
    listChildLocations: (locationId: number): LocationRow[] => children.all(locationId),
    getLocationById: (id: number): LocationRow | undefined => byId.get(id),
  };
}

export type ChartQueries = ReturnType<typeof chartQueries>;
