import type { Db } from '../connection';
import { statementsBySql } from '../statements';
import type { Aggregation, FigureFields, FigureNames, LocationRow, Verification } from '../types';

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
export interface ChartFigureRow extends Omit<FigureFields, 'indicator_id' | 'location_id'>, FigureNames {
  id: number;
  status: string;
  updated_at: string;
}

const COLUMNS = `
  f.id, i.code AS indicator_code, i.name AS indicator_name, i.unit, i.aggregation,
  l.code AS location_code, l.name AS location_name, l.admin_level,
  f.reference_period_start, f.reference_period_end, f.value, f.value_low, f.value_high,
  f.measure, f.qualifier, f.verification, f.reported_by, f.claimed_by, f.attributed_to, f.disputed_by,
  s.id AS source_id, s.title AS source_title, s.publisher AS source_publisher, s.url AS source_url,
  s.published_on AS source_published_on, f.source_quote, f.notes, f.status, f.updated_at`;

const FROM = `
  FROM figures f
  JOIN indicators i ON i.id = f.indicator_id
  JOIN locations l ON l.id = f.location_id
  JOIN sources s ON s.id = f.source_id`;

/**
 * The WHERE clause of a chart query on the figures table alone: codes are
 * turned into ids first, so SQLite can use the (indicator, place, period)
 * index instead of scanning every published figure. Every value is bound.
 */
function chartWhere(filter: ChartFilter, indicatorIds: Map<string, number>, locationIds: Map<string, number>): { sql: string; params: unknown[] } {
  const clauses = [`f.status = 'published'`];
  const params: unknown[] = [];
  const inList = (column: string, values: readonly unknown[] | undefined): void => {
    if (!values || values.length === 0) return;
    clauses.push(`${column} IN (${values.map(() => '?').join(', ')})`);
    params.push(...values);
  };
  // An unknown code matches nothing (-1 is never an id).
  inList('f.indicator_id', filter.indicatorCodes?.map((c) => indicatorIds.get(c) ?? -1));
  inList('f.location_id', filter.locationCodes?.map((c) => locationIds.get(c) ?? -1));
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

/** A figure's own columns, as the chart query reads them. */
interface FigureColumns extends FigureFields {
  id: number;
  status: string;
  updated_at: string;
}

export function chartQueries(db: Db) {
  // Each step seeks the next name in figures_published_originator: one seek per originator, whatever the number of figures.
  const originators = db.prepare<[], { reported_by: string }>(`
    WITH RECURSIVE names(reported_by) AS (
      SELECT (SELECT MIN(reported_by) FROM figures WHERE status = 'published')
      UNION ALL
      SELECT (SELECT MIN(reported_by) FROM figures WHERE status = 'published' AND reported_by > names.reported_by)
      FROM names WHERE names.reported_by IS NOT NULL
    )
    SELECT reported_by FROM names WHERE reported_by IS NOT NULL ORDER BY reported_by`);
  const children = db.prepare<[number], LocationRow>(
    'SELECT id, code, name, admin_level, parent_id FROM locations WHERE parent_id = ? ORDER BY name',
  );
  const byId = db.prepare<[number], LocationRow>('SELECT id, code, name, admin_level, parent_id FROM locations WHERE id = ?');
  const latest = db.prepare<[number], ChartFigureRow>(
    `SELECT ${COLUMNS} ${FROM} WHERE f.status = 'published' ORDER BY f.updated_at DESC, f.id DESC LIMIT ?`,
  );

  const indicatorsById = db.prepare<[], { id: number; code: string; name: string; unit: string; aggregation: Aggregation }>(
    'SELECT id, code, name, unit, aggregation FROM indicators',
  );
  const locationsById = db.prepare<[], { id: number; code: string; name: string; admin_level: number }>('SELECT id, code, name, admin_level FROM locations');
  const sourcesById = db.prepare<[], { id: number; title: string; publisher: string; url: string | null; published_on: string | null }>(
    'SELECT id, title, publisher, url, published_on FROM sources',
  );
  const statement = statementsBySql(db);
  const dataVersion = db.prepare<[], { version: number }>('SELECT version FROM data_version WHERE id = 1');
  let originatorCache: { version: number; names: string[] } | null = null;
  const FIGURE_COLUMNS = `f.id, f.indicator_id, f.location_id, f.source_id, f.reference_period_start, f.reference_period_end,
    f.value, f.value_low, f.value_high, f.measure, f.qualifier, f.verification, f.reported_by, f.claimed_by, f.attributed_to, f.disputed_by,
    f.source_quote, f.notes, f.status, f.updated_at`;
  /** A row of FIGURE_COLUMNS read as an array (a raw statement), as its object. */
  const columnsOf = (r: unknown[]): FigureColumns =>
    ({
      id: r[0], indicator_id: r[1], location_id: r[2], source_id: r[3], reference_period_start: r[4], reference_period_end: r[5],
      value: r[6], value_low: r[7], value_high: r[8], measure: r[9], qualifier: r[10], verification: r[11], reported_by: r[12], claimed_by: r[13],
      attributed_to: r[14], disputed_by: r[15], source_quote: r[16], notes: r[17], status: r[18], updated_at: r[19],
    }) as FigureColumns;
  const ofPeriod = db.prepare<[number, number, string, string], FigureColumns>(`SELECT ${FIGURE_COLUMNS} FROM figures f
    WHERE f.indicator_id = ? AND f.location_id = ? AND f.reference_period_start = ? AND f.reference_period_end = ? AND f.status = 'published'
    ORDER BY f.id`);
  const ofSource = db.prepare<[number, number], FigureColumns>(`SELECT ${FIGURE_COLUMNS} FROM figures f
    WHERE f.source_id = ? AND f.status = 'published' ORDER BY f.id LIMIT ?`);
  // Rows as arrays, made into objects in JavaScript by columnsOf: half the cost of the driver's row objects for the
  // 1,500 figures a place's charts draw one by one (chart points that are single figures keep every field).
  const figuresByIds = db
    .prepare<[string], unknown[]>(`SELECT ${FIGURE_COLUMNS} FROM figures f WHERE f.id IN (SELECT value FROM json_each(?)) AND f.status = 'published'`)
    .raw();
  const seriesMembers = db
    .prepare<[number, string, string, number], unknown[]>(`SELECT ${FIGURE_COLUMNS} FROM chart_members m JOIN figures f ON f.id = m.figure_id
      WHERE m.series_id = ? AND m.period_end >= ? AND f.reference_period_start <= ? AND f.status = 'published'
      ORDER BY m.period_end, f.reference_period_start, f.id LIMIT ?`)
    .raw();
  const countOfSource = db.prepare<[number], { n: number }>("SELECT COUNT(*) AS n FROM figures WHERE source_id = ? AND status = 'published'");
  type IndicatorLookup = Map<number, { id: number; code: string; name: string; unit: string; aggregation: Aggregation }>;
  type LocationLookup = Map<number, { id: number; code: string; name: string; admin_level: number }>;
  type SourceLookup = Map<number, { id: number; title: string; publisher: string; url: string | null; published_on: string | null }>;
  // The catalogue read once per data version (any change to an indicator, place or document moves it), not once per query.
  let lookups: { version: number; indicators: IndicatorLookup; locations: LocationLookup; sources: SourceLookup } | null = null;
  const catalogue = (): NonNullable<typeof lookups> => {
    const version = dataVersion.get()?.version ?? 0;
    if (!lookups || lookups.version !== version) {
      lookups = {
        version,
        indicators: new Map(indicatorsById.all().map((r) => [r.id, r])),
        locations: new Map(locationsById.all().map((r) => [r.id, r])),
        sources: new Map(sourcesById.all().map((r) => [r.id, r])),
      };
    }
    return lookups;
  };
  /** Names of indicators, places and documents joined to figure rows from small lookups: no repeated text read per figure. */
  const toRows = (figures: readonly FigureColumns[], indicatorMap?: IndicatorLookup, locationMap?: LocationLookup): ChartFigureRow[] => {
    if (figures.length === 0) return [];
    const known = catalogue();
    const indicators = indicatorMap ?? known.indicators;
    const locations = locationMap ?? known.locations;
    const sources = known.sources;
    return figures.map((f) => {
      const i = indicators.get(f.indicator_id);
      const l = locations.get(f.location_id);
      const s = sources.get(f.source_id);
      if (!i || !l || !s) throw new Error(`figure ${f.id} refers to a missing indicator, place or source`);
      return {
        id: f.id,
        indicator_code: i.code,
        indicator_name: i.name,
        unit: i.unit,
        aggregation: i.aggregation,
        location_code: l.code,
        location_name: l.name,
        admin_level: l.admin_level,
        reference_period_start: f.reference_period_start,
        reference_period_end: f.reference_period_end,
        value: f.value,
        value_low: f.value_low,
        value_high: f.value_high,
        measure: f.measure,
        qualifier: f.qualifier,
        verification: f.verification,
        reported_by: f.reported_by,
        claimed_by: f.claimed_by,
        attributed_to: f.attributed_to,
        disputed_by: f.disputed_by,
        source_id: f.source_id,
        source_title: s.title,
        source_publisher: s.publisher,
        source_url: s.url,
        source_published_on: s.published_on,
        source_quote: f.source_quote,
        notes: f.notes,
        status: f.status,
        updated_at: f.updated_at,
      };
    });
  };

  return {
    /**
     * Published figures for a chart, in period order; the series builder
     * decides how to draw them. Only the figures' own columns are read per
     * row: names of indicators, places and documents come from small lookups,
     * so a chart over many figures reads no repeated text.
     */
    listFigures(filter: ChartFilter): ChartFigureRow[] {
      const indicators: IndicatorLookup = new Map(indicatorsById.all().map((r) => [r.id, r]));
      const locations: LocationLookup = new Map(locationsById.all().map((r) => [r.id, r]));
      const where = chartWhere(
        filter,
        new Map([...indicators.values()].map((r) => [r.code, r.id])),
        new Map([...locations.values()].map((r) => [r.code, r.id])),
      );
      const sql = `SELECT ${FIGURE_COLUMNS} FROM figures f ${where.sql}
                   ORDER BY f.reference_period_end, f.reference_period_start, f.id`;
      return toRows(statement<FigureColumns>(sql).all(...where.params), indicators, locations);
    },
    /**
     * The first `limit` published figures of a chart series (chart_members,
     * migration 0018) ending on or after `from` and starting on or before
     * `to`, in chart order (period end, period start, id): its members read
     * in one pass through the (series, period end) index.
     */
    seriesMembers(seriesId: number, from: string, to: string, limit: number): ChartFigureRow[] {
      return toRows(seriesMembers.all(seriesId, from, to, limit).map(columnsOf));
    },
    /** Published figures by id, in chart order (period end, period start, id). */
    byIds(ids: readonly number[]): ChartFigureRow[] {
      if (ids.length === 0) return [];
      const out = figuresByIds.all(JSON.stringify(ids)).map(columnsOf);
      out.sort((a, b) => a.reference_period_end.localeCompare(b.reference_period_end) || a.reference_period_start.localeCompare(b.reference_period_start) || a.id - b.id);
      return toRows(out);
    },
    /**
     * The latest published figures (by period end) of one indicator and
     * place, narrowed by originator, how they are shown (claimed, disputed,
     * other) and a period: the lists under a chart merge a few of these.
     */
    latestOfPair(indicatorId: number, locationId: number, narrow: { originators?: readonly string[]; shownAs?: readonly string[]; measure?: string; from: string; to: string }, limit: number): ChartFigureRow[] {
      const clauses = ['f.indicator_id = ?', 'f.location_id = ?', `f.status = 'published'`, 'f.reference_period_end >= ?', 'f.reference_period_start <= ?'];
      const params: unknown[] = [indicatorId, locationId, narrow.from, narrow.to];
      if (narrow.originators && narrow.originators.length > 0) {
        clauses.push(`f.reported_by IN (${narrow.originators.map(() => '?').join(', ')})`);
        params.push(...narrow.originators);
      }
      if (narrow.measure) {
        clauses.push('f.measure = ?');
        params.push(narrow.measure);
      }
      if (narrow.shownAs && narrow.shownAs.length > 0) {
        clauses.push(`(CASE WHEN f.verification IN ('claimed', 'disputed') THEN f.verification ELSE '' END) IN (${narrow.shownAs.map(() => '?').join(', ')})`);
        params.push(...narrow.shownAs);
      }
      const sql = `SELECT ${FIGURE_COLUMNS} FROM figures f WHERE ${clauses.join(' AND ')}
                   ORDER BY f.reference_period_end DESC, f.reference_period_start DESC, f.id DESC LIMIT ?`;
      return toRows(statement<FigureColumns>(sql).all(...params, limit));
    },
    /** The published figures of an indicator at a place for exactly one period, by id (a seek through the natural-key index). */
    ofPeriod: (indicatorId: number, locationId: number, start: string, end: string): ChartFigureRow[] =>
      toRows(ofPeriod.all(indicatorId, locationId, start, end)),
    /** How many published figures cite a document (counted in the (source, status) index, as the sources list counts them). */
    countOfSource: (sourceId: number): number => countOfSource.get(sourceId)?.n ?? 0,
    /** The first `limit` published figures of a document in the order they were entered (the index's order: no sort). */
    firstOfSource: (sourceId: number, limit: number): ChartFigureRow[] => toRows(ofSource.all(sourceId, limit)),
    /** Ids of indicators and places by code (unknown codes are left out). */
    idsOf(): { indicators: Map<string, number>; locations: Map<string, number> } {
      const known = catalogue();
      return {
        indicators: new Map([...known.indicators.values()].map((r) => [r.code, r.id])),
        locations: new Map([...known.locations.values()].map((r) => [r.code, r.id])),
      };
    },
    /** Documents by id, as a chart's source note names them (unknown ids are left out). */
    documents(ids: readonly number[]): { id: number; title: string; publisher: string; publishedOn: string | null; url: string | null }[] {
      const sources = catalogue().sources;
      return ids.flatMap((id) => {
        const s = sources.get(id);
        return s ? [{ id: s.id, title: s.title, publisher: s.publisher, publishedOn: s.published_on, url: s.url }] : [];
      });
    },
    /** The most recently published or corrected figures. */
    listLatest: (limit: number): ChartFigureRow[] => latest.all(limit),
    /** Every originator of a published figure; read again only when the data version moves. */
    listOriginators(): string[] {
      const version = dataVersion.get()?.version ?? 0;
      if (!originatorCache || originatorCache.version !== version) {
        originatorCache = { version, names: originators.all().map((r) => r.reported_by) };
      }
      return originatorCache.names;
    },
    listChildLocations: (locationId: number): LocationRow[] => children.all(locationId),
    getLocationById: (id: number): LocationRow | undefined => byId.get(id),
  };
}

export type ChartQueries = ReturnType<typeof chartQueries>;
