import type { Queries } from '../../db';
import type { ChartFigureRow, ChartFilter } from '../../db/queries/charts';
import type { BucketRow, Grain, SeriesFigure, SeriesKey, SeriesRow } from '../../db/queries/rollups';
import type { Verification } from '../../db/types';
import { formatValue } from '../format';
import {
  BUCKETS,
  bucketNote,
  type ReducedNote,
  bucketStart,
  documentLabel,
  drawRows,
  pointFromFigure,
  shortValue,
  sumQualifier,
  thin,
  type ChartPoint,
  type SeriesSource,
} from './series';

/**
 * Chart rollups (migration 0018, decision 0016): each chart series' figure
 * count and its non-overlapping period counts summed by week, month, quarter
 * and year, kept by a background step that reads the change feed from its
 * last position. A chart page's view then reads, per series, at most its
 * point budget of figures or its buckets, never every figure it draws on.
 */

type ShownAs = SeriesKey['shown_as'];

function shownAsOf(verification: Verification): ShownAs {
  return verification === 'claimed' || verification === 'disputed' ? verification : '';
}

export function seriesKeyOfFigure(f: SeriesFigure): SeriesKey {
  return {
    indicator_id: f.indicator_id,
    location_id: f.location_id,
    reported_by: f.reported_by,
    shown_as: shownAsOf(f.verification),
    since: f.measure === 'running_total' ? f.reference_period_start : '',
    measure: f.measure,
  };
}

function keyText(k: SeriesKey): string {
  return [k.indicator_id, k.location_id, k.reported_by, k.shown_as, k.since, k.measure].join('\u0000');
}

/** Chart order: period end, period start, id (as the chart query sorts). */
function chartOrder(a: SeriesFigure, b: SeriesFigure): number {
  return a.reference_period_end.localeCompare(b.reference_period_end) || a.reference_period_start.localeCompare(b.reference_period_start) || a.id - b.id;
}

/** The order nonOverlapping (server/charts/series.ts) keeps figures in: earliest end first, then the later start, then id. */
function keepOrder(a: SeriesFigure, b: SeriesFigure): number {
  return a.reference_period_end.localeCompare(b.reference_period_end) || b.reference_period_start.localeCompare(a.reference_period_start) || a.id - b.id;
}

/** A series' counts and buckets computed from its figures, exactly as bucketPeriodCounts sums them. */
export function computeSeries(key: SeriesKey, figures: readonly SeriesFigure[]): { counts: { figures: number; kept: number; first_id: number; first_end: string; first_start: string }; buckets: Omit<BucketRow, 'series_id'>[] } | null {
  if (figures.length === 0) return null;
  const first = [...figures].sort(chartOrder)[0] as SeriesFigure;
  const counts = { figures: figures.length, kept: figures.length, first_id: first.id, first_end: first.reference_period_end, first_start: first.reference_period_start };
  if (key.measure !== 'period_count') return { counts, buckets: [] };
  const sorted = [...figures].sort(keepOrder);
  const kept = new Set<number>();
  let lastEnd = '';
  for (const f of sorted) {
    if (f.reference_period_start > lastEnd) {
      kept.add(f.id);
      lastEnd = f.reference_period_end;
    }
  }
  counts.kept = kept.size;
  const buckets: Omit<BucketRow, 'series_id'>[] = [];
  for (const grain of BUCKETS) {
    const byStart = new Map<string, SeriesFigure[]>();
    for (const f of sorted) {
      const at = bucketStart(f.reference_period_start, grain);
      const list = byStart.get(at) ?? [];
      list.push(f);
      byStart.set(at, list);
    }
    for (const [at, all] of byStart) {
      const list = all.filter((f) => kept.has(f.id));
      const span = list.length > 0 ? list : all;
      const ranged = list.some((f) => f.value_low !== null || f.value_high !== null);
      buckets.push({
        grain,
        bucket_start: at,
        figures: all.length,
        kept: list.length,
        value: list.reduce((n, f) => n + f.value, 0),
        value_low: list.reduce((n, f) => n + (f.value_low ?? f.value), 0),
        value_high: list.reduce((n, f) => n + (f.value_high ?? f.value), 0),
        ranged: ranged ? 1 : 0,
        qualifier: list.length > 0 ? sumQualifier(list.map((f) => f.qualifier)) : 'exact',
        period_start: span.reduce((m, f) => (f.reference_period_start < m ? f.reference_period_start : m), span[0]?.reference_period_start ?? ''),
        period_end: span.reduce((m, f) => (f.reference_period_end > m ? f.reference_period_end : m), span[0]?.reference_period_end ?? ''),
        first_figure_id: list[0]?.id ?? null,
        source_ids: JSON.stringify([...new Set(list.map((f) => f.source_id))]),
      });
    }
  }
  return { counts, buckets };
}

/**
 * Brings the rollups up to the change feed's position: the series of every
 * figure changed since the last position (where it was counted before, and
 * where it is counted now) are computed again from their figures; a change
 * that moves neither its series nor its version (a rename) costs nothing
 * more than reading its feed entry. The series of one indicator and place
 * are read together (one index range) in a read transaction and written in a
 * write transaction of their own (a few milliseconds of the write lock), so
 * staff writes never queue behind a long one. Idempotent: a step cut short
 * is done again from the last complete position. Returns the position
 * reached and the series computed.
 */
export function refreshRollups(q: Queries): { position: number; series: number } {
  const { rollups: from, feed: to } = q.rollups.positions();
  if (to <= from) return { position: from, series: 0 };
  // Per indicator and place: the series to compute again, and the figures whose membership to write.
  const pairs = new Map<string, { indicator: number; location: number; keys: Map<string, SeriesKey>; members: Map<number, SeriesFigure> }>();
  const touch = (key: SeriesKey): Map<number, SeriesFigure> => {
    const at = `${key.indicator_id}|${key.location_id}`;
    const pair = pairs.get(at) ?? { indicator: key.indicator_id, location: key.location_id, keys: new Map<string, SeriesKey>(), members: new Map<number, SeriesFigure>() };
    pairs.set(at, pair);
    pair.keys.set(keyText(key), key);
    return pair.members;
  };
  const gone: number[] = [];
  let after = 0;
  for (;;) {
    const changed = q.transaction(() => q.rollups.changedFigures(from, to, after));
    if (changed.length === 0) break;
    for (const c of changed) {
      const key = c.status === 'published' ? seriesKeyOfFigure(c) : null;
      const before: SeriesKey | null =
        c.s_indicator_id === null || c.s_location_id === null || c.s_reported_by === null || c.s_shown_as === null || c.s_since === null || c.s_measure === null
          ? null
          : { indicator_id: c.s_indicator_id, location_id: c.s_location_id, reported_by: c.s_reported_by, shown_as: c.s_shown_as, since: c.s_since, measure: c.s_measure };
      if (key && before && c.m_version === c.version && keyText(before) === keyText(key)) continue;
      if (before) touch(before);
      if (key) touch(key).set(c.id, c);
      else if (c.m_series !== null) gone.push(c.id);
    }
    after = changed[changed.length - 1]?.id ?? after;
  }
  let series = 0;
  for (const pair of pairs.values()) {
    const bySeries = new Map<string, SeriesFigure[]>();
    for (const f of q.transaction(() => q.rollups.pairFigures(pair.indicator, pair.location))) {
      const text = keyText(seriesKeyOfFigure(f));
      if (!pair.keys.has(text)) continue;
      const list = bySeries.get(text) ?? [];
      list.push(f);
      bySeries.set(text, list);
    }
    const computed = [...pair.keys].map(([text, key]) => ({ key, result: computeSeries(key, bySeries.get(text) ?? []) }));
    series += computed.length;
    q.immediateTransaction(() => {
      const ids = new Map<string, number>();
      for (const { key, result } of computed) {
        const id = q.rollups.replaceSeries(key, result?.counts ?? null, result?.buckets ?? []);
        if (id !== null) ids.set(keyText(key), id);
      }
      for (const f of pair.members.values()) {
        const id = ids.get(keyText(seriesKeyOfFigure(f)));
        if (id !== undefined) q.rollups.putMember(f.id, id, f.version, f.reference_period_end);
      }
    });
  }
  q.immediateTransaction(() => {
    for (const id of gone) q.rollups.dropMember(id);
    q.rollups.setPosition(to);
  });
  return { position: to, series };
}

/** Empties the rollups and builds them again from every published figure (tests compare it with the kept ones). */
export function rebuildRollups(q: Queries): void {
  q.transaction(() => q.rollups.clear());
  refreshRollups(q);
}

/** The series a verification filter asks for, or null when it splits a series the rollups keep whole (verified apart from reported). */
function shownAsFor(verifications: readonly Verification[] | undefined): ShownAs[] | null {
  if (!verifications || verifications.length === 0) return [];
  const set = new Set(verifications);
  if (set.has('verified') !== set.has('reported')) return null;
  return [...new Set(verifications.map(shownAsOf))];
}

const EARLIEST = '0000-01-01';
const LATEST = '9999-12-31';

/** A bar that sums several figures of a bucket (one figure is drawn as itself). */
function bucketPoint(q: Queries, b: BucketRow, first: ChartFigureRow): ChartPoint {
  const documents = q.charts.documents(JSON.parse(b.source_ids) as number[]);
  const only = documents.length === 1 ? documents[0] : undefined;
  return {
    figureId: null,
    href: `/figures?indicator=${encodeURIComponent(first.indicator_code)}&location=${encodeURIComponent(first.location_code)}`,
    start: b.period_start,
    end: b.period_end,
    y: b.value,
    low: b.ranged ? b.value_low : null,
    high: b.ranged ? b.value_high : null,
    qualifier: b.qualifier,
    text: `${formatValue(b.value, b.qualifier, first.unit)} (sum of ${b.kept} figures)`,
    shortText: shortValue(b.value, b.qualifier, first.unit),
    verification: first.verification,
    originator: first.reported_by,
    claimedBy: first.claimed_by,
    document: only ? documentLabel(only) : `${documents.length} documents`,
    documentDate: null,
    quote: null,
    figureCount: b.kept,
    documents,
    rows: [],
  };
}

/**
 * The series a chart draws under `filter`, read from the rollups: null when
 * the filter is one they do not answer (a document, or verified apart from
 * reported), and the caller reads the figures instead. Each series reads at
 * most its point budget of figures (plus one), or its buckets; running totals
 * and levels over their budget read their own series' figures to thin them.
 * With a period (from, to), buckets overlapping it are drawn whole.
 */
export function seriesFromRollups(q: Queries, filter: ChartFilter): SeriesSource[] | null {
  if (filter.sourceId) return null;
  const shownAs = shownAsFor(filter.verifications);
  if (shownAs === null) return null;
  const ids = q.charts.idsOf();
  const from = filter.from ?? EARLIEST;
  const to = filter.to ?? LATEST;
  const dated = Boolean(filter.from ?? filter.to);
  const list = q.rollups.listSeries({
    indicatorIds: filter.indicatorCodes?.map((c) => ids.indicators.get(c) ?? -1),
    locationIds: filter.locationCodes?.map((c) => ids.locations.get(c) ?? -1),
    originators: filter.originators,
    shownAs,
  });
  if (list.length === 0) return [];
  const firsts = new Map(q.charts.byIds(list.map((s) => s.first_id)).map((r) => [r.id, r]));
  const out: SeriesSource[] = [];
  for (const s of list) {
    const first = firsts.get(s.first_id);
    if (!first) throw new Error(`chart series ${s.id} names figure ${s.first_id}, which is not published: the rollups are behind`);
    // Within a period, a series is counted from the index on (series, period end): figures ending in it.
    const count = dated ? q.rollups.countInRange(s.id, from, to) : s.figures;
    if (count === 0) continue;
    const rows = (limit: number): ChartFigureRow[] => q.charts.seriesMembers(s.id, from, to, limit);
    out.push({
      kind: s.measure,
      unit: first.unit,
      first,
      count,
      // Only the series a panel shows are drawn: each reads its budget of figures (and one more), or its buckets.
      draw: (budget, label) => {
        if (s.measure !== 'period_count') return count <= budget ? drawRows(s.measure, rows(budget + 1), budget, label) : drawThinned(q, s, from, to, budget, label);
        const some = rows(budget + 1);
        if (some.length <= budget) return drawRows(s.measure, some, budget, label);
        return drawBuckets(q, s, first, from, to, count, budget, label);
      },
    });
  }
  return out;
}

/**
 * A running total or level over its budget, thinned as drawRows thins figure
 * rows (every k-th by period end then id, with the first and the latest), from
 * the series' ids alone: only the figures plotted are read, whatever the
 * series' size. Figures are those ending within [from, to], as counted.
 */
function drawThinned(q: Queries, s: SeriesRow, from: string, to: string, budget: number, label: string): { points: ChartPoint[]; note: ReducedNote | null } {
  const ids = q.rollups.memberIdsEnding(s.id, from, to);
  if (ids.length <= budget) return drawRows(s.measure, q.charts.byIds(ids), budget, label);
  const kept = thin(ids, budget);
  const byId = new Map(q.charts.byIds(kept).map((r) => [r.id, r]));
  const points = kept.flatMap((id) => {
    const f = byId.get(id);
    return f ? [pointFromFigure(f)] : [];
  });
  return { points, note: { type: 'thin', label, shown: points.length, figures: ids.length } };
}

function drawBuckets(q: Queries, s: SeriesRow, first: ChartFigureRow, from: string, to: string, count: number, budget: number, label: string): { points: ChartPoint[]; note: ReducedNote } {
  const counts = q.rollups.bucketCounts(s.id, from, to);
  const grain: Grain = (['week', 'month', 'quarter'] as const).find((g) => (counts.find((c) => c.grain === g)?.buckets ?? 0) <= budget) ?? 'year';
  const at = counts.find((c) => c.grain === grain);
  const buckets = q.rollups.buckets(s.id, grain, from, to);
  const firstIds = buckets.map((b) => b.first_figure_id).filter((id): id is number => id !== null);
  const figures = new Map(q.charts.byIds(firstIds).map((r) => [r.id, r]));
  const points = buckets.flatMap((b) => {
    const f = b.first_figure_id === null ? undefined : figures.get(b.first_figure_id);
    if (!f) return [];
    return [b.kept === 1 ? pointFromFigure(f) : bucketPoint(q, b, f)];
  });
  return { points, note: bucketNote(label, count, grain, points.length, (at?.figures ?? 0) - (at?.kept ?? 0)) };
}

/**
 * The newest figures of some series: each series' latest `limit` by period end
 * (index only), no earlier than the latest `limit` found so far; the overall
 * latest read in full.
 */
function newestOf(q: Queries, list: readonly SeriesRow[], from: string, to: string, limit: number): ChartFigureRow[] {
  const byEndDescending = (a: { period_end: string }, b: { period_end: string }): number => b.period_end.localeCompare(a.period_end);
  let candidates: { figure_id: number; period_end: string }[] = [];
  for (const s of list) {
    // Once `limit` candidates are known, a series' figures ending before the limit-th latest can no longer be among the latest.
    const floor = candidates.length >= limit ? (candidates[limit - 1] as { period_end: string }).period_end : from;
    const found = q.rollups.latestMembers(s.id, floor > from ? floor : from, to, limit);
    if (found.length === 0) continue;
    candidates.push(...found);
    candidates.sort(byEndDescending);
    // Past the limit, figures ending on the same day as the last one kept may still come first (by start, then id).
    const edge = candidates[Math.min(limit, candidates.length) - 1]?.period_end ?? '';
    candidates = candidates.filter((c, i) => i < limit || c.period_end === edge);
  }
  return q.charts
    .byIds(candidates.map((c) => c.figure_id))
    .filter((r) => r.reference_period_start <= to)
    .sort((a, b) => b.reference_period_end.localeCompare(a.reference_period_end) || b.reference_period_start.localeCompare(a.reference_period_start) || b.id - a.id);
}

/**
 * The latest published figures under `filter` (period end, then start, then
 * id, newest first), at most `limit`: the latest of each series the rollups
 * know under the filter, merged. Null where seriesFromRollups is.
 */
export function latestFromRollups(q: Queries, filter: ChartFilter, limit: number): ChartFigureRow[] | null {
  if (filter.sourceId) return null;
  const shownAs = shownAsFor(filter.verifications);
  if (shownAs === null) return null;
  const ids = q.charts.idsOf();
  const list = q.rollups.listSeries({
    indicatorIds: filter.indicatorCodes?.map((c) => ids.indicators.get(c) ?? -1),
    locationIds: filter.locationCodes?.map((c) => ids.locations.get(c) ?? -1),
    originators: filter.originators,
    shownAs,
  });
  return newestOf(q, list, filter.from ?? EARLIEST, filter.to ?? LATEST, limit).slice(0, limit);
}

/** Candidates for "the latest" figure of an indicator (optionally of one measure): every figure ending on the latest day of any of its series. */
export function newestOfIndicator(q: Queries, code: string, measure: SeriesKey['measure'] | null): ChartFigureRow[] {
  const id = q.charts.idsOf().indicators.get(code);
  if (id === undefined) return [];
  const list = q.rollups.listSeries({ indicatorIds: [id] }).filter((s) => measure === null || s.measure === measure);
  const rows = newestOf(q, list, EARLIEST, LATEST, 5);
  const end = rows[0]?.reference_period_end;
  return rows.filter((r) => r.reference_period_end === end);
}

/**
 * The funding figures the dashboard's coverage table pairs: the newest
 * `limit` funding-required figures (from the rollups' series, bounded reads)
 * in chart order, and each one's funding-received figures of the same place
 * and period (one seek each through the natural-key index).
 */
export function fundingPairs(q: Queries, limit: number): ChartFigureRow[] {
  const required = (latestFromRollups(q, { indicatorCodes: ['funding_required_usd'] }, limit) ?? []).reverse();
  const ids = q.charts.idsOf();
  const receivedId = ids.indicators.get('funding_received_usd');
  if (receivedId === undefined) return required;
  const received = required.flatMap((r) => q.charts.ofPeriod(receivedId, ids.locations.get(r.location_code) ?? -1, r.reference_period_start, r.reference_period_end));
  return [...required, ...received];
}
