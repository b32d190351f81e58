import type { ChartFigureRow } from '../../db/queries/charts';
import type { Measure, Qualifier, Verification } from '../../db/types';
import { formatValue, type Formats } from '../format';
import { ENGLISH_WORDS, type ChartWords } from './words';

/**
 * How a figure is drawn: by its stored measure. A running total (a count since
 * a fixed start date) is a line through its period ends; a period count is a
 * bar spanning its period; a level (people in need, funding) is a bar per
 * period. Running totals and period counts are never added; levels are never
 * added.
 */
export type PanelKind = Measure;

/** A point as plotted: one figure, or (when a series is too long) one bucket of non-overlapping period counts. */
export interface ChartPoint {
  figureId: number | null;
  href: string;
  start: string;
  end: string;
  y: number;
  low: number | null;
  high: number | null;
  qualifier: Qualifier;
  /** The value as the source bounded it: "≥ 24", "~ US$ 3,100,000,000". */
  text: string;
  /** A short label drawn on the chart: "≥ 24", "~ US$ 3.1 bn". */
  shortText: string;
  verification: Verification;
  originator: string;
  claimedBy: string | null;
  document: string;
  documentDate: string | null;
  /** The words of the document that state the figure (a bucket: none). */
  quote: string | null;
  /** How many figures a bucket sums (1 for a plain figure). */
  figureCount: number;
  /** The documents behind the point (a bucket: every summed figure's), for the chart's source note. */
  documents: PointDocument[];
  rows: ChartFigureRow[];
}

export interface PointDocument {
  id: number;
  title: string;
  publisher: string;
  publishedOn: string | null;
  url: string | null;
}

export interface ChartSeries {
  key: string;
  label: string;
  indicatorCode: string;
  indicatorName: string;
  locationCode: string;
  locationName: string;
  originator: string;
  /** Claims by a party and disputed figures are drawn distinctly and can be hidden. */
  distinct: 'claimed' | 'disputed' | null;
  /** A palette slot from the hash of the series' identity alone, so the series has the same colour on every page. */
  colorIndex: number;
  /**
   * 0, or how many other identities of this panel drew the same colour first:
   * such a series keeps its colour and is told apart by a dash-dot line and
   * outlined markers (never by taking another series' colour).
   */
  variant: number;
  points: ChartPoint[];
}

export interface ChartPanel {
  id: string;
  kind: PanelKind;
  unit: string;
  title: string;
  series: ChartSeries[];
  /** Period labels of a level panel, in order (its x axis). */
  categories: string[];
  /** Set when the panel shows fewer points than figures: says how they were reduced (in English, as the view is built). */
  reduced: string | null;
  /** The same notes as data, so a page in another language can write them in it (localizeReduced). */
  reducedNotes?: ReducedNote[];
  /** True once `reduced` is written in the page's language. */
  reducedLocal?: boolean;
  summary: string;
}

export interface BuildOptions {
  /** Panel ids start with this (unique on the page). */
  id: string;
  /** Chart title; each panel adds what it shows. */
  title: string;
  /** Which dimension colours the series: the originator (default) or the place. */
  colourBy?: 'series' | 'originator' | 'location';
  /** Points a series may have before it is bucketed or thinned. */
  maxPointsPerSeries?: number;
  /** Series a panel may have before the smallest are left out. */
  maxSeries?: number;
}

export const MAX_POINTS_PER_SERIES = 1000;
/**
 * Points one panel may draw in all, shared among its series: what a chart can
 * show legibly, and what keeps a page's chart JSON near 100 KB at most.
 */
export const MAX_POINTS_PER_PANEL = 150;
export const MAX_SERIES = 12;
/** Colours in the browser's palette (public/js/charts.js PALETTE). */
export const PALETTE_SIZE = 10;

/** FNV-1a: a small, stable hash of a series' identity, the same on every page and server. */
export function identityHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
const DAY_MS = 86_400_000;

function toDay(iso: string): number {
  return Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / DAY_MS;
}

function fromDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(iso: string, days: number): string {
  return fromDay(toDay(iso) + days);
}

/** "2023" for a calendar year, otherwise the period (in the language's formats). */
export function periodLabel(start: string, end: string, f: Formats = ENGLISH_WORDS): string {
  if (start.slice(0, 4) === end.slice(0, 4) && start.endsWith('-01-01') && end.endsWith('-12-31')) return start.slice(0, 4);
  return f.formatPeriod(start, end);
}

const SHORT_SIGNS: Record<Qualifier, string> = { exact: '', about: '~ ', at_least: '≥ ', more_than: '> ', at_most: '≤ ', up_to: '≤ ' };

function compact(n: number, w: ChartWords): string {
  if (n >= 1e9) return w.t('chart.billion', { n: w.formatDecimal(n / 1e9) });
  if (n >= 1e6) return w.t('chart.million', { n: w.formatDecimal(n / 1e6) });
  return w.formatNumber(n);
}

/** A value shortened for a label on the chart: "≥ 24", "~ US$ 3.1 bn", "~ US$ 3,1 млрд". */
export function shortValue(value: number, qualifier: Qualifier, unit: string, w: ChartWords = ENGLISH_WORDS): string {
  return `${SHORT_SIGNS[qualifier]}${unit === 'usd' ? 'US$ ' : ''}${compact(value, w)}${unit === 'percent' ? '%' : ''}`;
}

/** A point's value as the source bounded it; a bucket says how many figures it sums. */
export function pointText(p: Pick<ChartPoint, 'y' | 'qualifier' | 'figureId' | 'figureCount'>, unit: string, w: ChartWords = ENGLISH_WORDS): string {
  const value = w.formatValue(p.y, p.qualifier, unit);
  return p.figureId === null ? w.t('chart.sumOf', { value, count: p.figureCount }) : value;
}

/** What names a series: indicator (when the panel has several), place, originator, start date (when several), claim or dispute. */
export function seriesLabel(
  s: { indicatorCode: string; indicatorName: string; locationCode: string; locationName: string; originator: string; distinct: 'claimed' | 'disputed' | null; since: string },
  panel: { kind: PanelKind; manyIndicators: boolean; manyStarts: boolean },
  w: ChartWords = ENGLISH_WORDS,
): string {
  const parts: string[] = [];
  if (panel.manyIndicators) parts.push(w.name('indicator', s.indicatorCode, s.indicatorName));
  parts.push(w.name('location', s.locationCode, s.locationName));
  parts.push(s.originator);
  if (panel.kind === 'running_total' && panel.manyStarts) parts.push(w.t('chart.since', { date: w.formatDate(s.since) }));
  return `${parts.join(' · ')}${s.distinct === 'claimed' ? w.t('chart.claim') : s.distinct === 'disputed' ? w.t('chart.disputed') : ''}`;
}

/**
 * A built panel's series, points and categories written in other words: labels,
 * values and periods from the codes, numbers and dates the panel keeps.
 */
export function relabelPanel(panel: ChartPanel, w: ChartWords): Pick<ChartPanel, 'series' | 'categories' | 'summary'> {
  const manyIndicators = new Set(panel.series.map((s) => s.indicatorCode)).size > 1;
  const manyStarts = new Set(panel.series.map((s) => s.points[0]?.start)).size > 1;
  const series = panel.series.map((s) => ({
    ...s,
    label: seriesLabel({ ...s, since: s.points[0]?.start ?? '' }, { kind: panel.kind, manyIndicators, manyStarts }, w),
    points: s.points.map((p) => ({ ...p, text: pointText(p, panel.unit, w), shortText: shortValue(p.y, p.qualifier, panel.unit, w), document: documentIn(p, w) })),
  }));
  const categories = panel.kind === 'level' ? levelCategories(series, w) : [];
  return { series, categories, summary: panelSummary(panel.kind, series, w) };
}

/** A document's name with its date in the language ("Title (Publisher, 7 лютого 2024 р.)"); the title stays as published. */
function documentIn(p: ChartPoint, w: Formats): string {
  const suffix = p.documentDate ? `, ${p.documentDate})` : null;
  return p.documentDate && suffix && p.document.endsWith(suffix) ? `${p.document.slice(0, -suffix.length)}, ${w.formatDate(p.documentDate)})` : p.document;
}

function levelCategories(series: readonly ChartSeries[], w: Formats): string[] {
  return [...new Map(series.flatMap((s) => s.points).sort((a, b) => a.start.localeCompare(b.start) || a.end.localeCompare(b.end)).map((p) => [periodLabel(p.start, p.end, w), true])).keys()];
}

function panelSummary(kind: PanelKind, series: readonly ChartSeries[], w: ChartWords): string {
  return `${w.t(`chart.intro.${kind}`)} ${series.map((s) => describeSeries(s, w)).join(' ')}`;
}

function documentName(r: ChartFigureRow): string {
  return `${r.source_title} (${r.source_publisher}${r.source_published_on ? `, ${r.source_published_on}` : ''})`;
}

/** A document's name as a point shows it: "title (publisher, date)". */
export function documentLabel(d: PointDocument): string {
  return `${d.title} (${d.publisher}${d.publishedOn ? `, ${d.publishedOn}` : ''})`;
}

export function documentOf(r: ChartFigureRow): PointDocument {
  return { id: r.source_id, title: r.source_title, publisher: r.source_publisher, publishedOn: r.source_published_on, url: r.source_url };
}

export function pointFromFigure(r: ChartFigureRow): ChartPoint {
  return {
    figureId: r.id,
    href: `/figures/${r.id}`,
    start: r.reference_period_start,
    end: r.reference_period_end,
    y: r.value,
    low: r.value_low,
    high: r.value_high,
    qualifier: r.qualifier,
    text: formatValue(r.value, r.qualifier, r.unit),
    shortText: shortValue(r.value, r.qualifier, r.unit),
    verification: r.verification,
    originator: r.reported_by,
    claimedBy: r.claimed_by,
    document: documentName(r),
    documentDate: r.source_published_on,
    quote: r.source_quote,
    figureCount: 1,
    documents: [documentOf(r)],
    rows: [r],
  };
}

/** The qualifier of a sum: exact only if every part is; a lower bound only if every part is exact or a lower bound. */
export function sumQualifier(qualifiers: readonly Qualifier[]): Qualifier {
  if (qualifiers.every((q) => q === 'exact')) return 'exact';
  if (qualifiers.every((q) => q === 'exact' || q === 'at_least' || q === 'more_than')) return 'at_least';
  if (qualifiers.every((q) => q === 'exact' || q === 'at_most' || q === 'up_to')) return 'at_most';
  return 'about';
}

/**
 * Picks figures whose periods do not overlap, earliest end first (so as many
 * as possible are kept); the others are left out of any sum.
 */
export function nonOverlapping(rows: readonly ChartFigureRow[]): { kept: ChartFigureRow[]; left: ChartFigureRow[] } {
  const sorted = [...rows].sort(
    (a, b) => a.reference_period_end.localeCompare(b.reference_period_end) || b.reference_period_start.localeCompare(a.reference_period_start) || a.id - b.id,
  );
  const kept: ChartFigureRow[] = [];
  const left: ChartFigureRow[] = [];
  let lastEnd = '';
  for (const r of sorted) {
    if (r.reference_period_start > lastEnd) {
      kept.push(r);
      lastEnd = r.reference_period_end;
    } else left.push(r);
  }
  return { kept, left };
}

/** Weeks start on Monday; months on the first. */
export type Bucket = 'week' | 'month' | 'quarter' | 'year';
export const BUCKETS: readonly Bucket[] = ['week', 'month', 'quarter', 'year'];

export function bucketStart(iso: string, by: Bucket): string {
  if (by === 'month') return `${iso.slice(0, 7)}-01`;
  if (by === 'quarter') return `${iso.slice(0, 4)}-${String(Math.floor((Number(iso.slice(5, 7)) - 1) / 3) * 3 + 1).padStart(2, '0')}-01`;
  if (by === 'year') return `${iso.slice(0, 4)}-01-01`;
  const day = toDay(iso);
  const weekday = (new Date(day * DAY_MS).getUTCDay() + 6) % 7;
  return fromDay(day - weekday);
}

/**
 * Sums non-overlapping period counts by week, or by the first of month,
 * quarter and year that fits the budget. Overlapping figures are left out,
 * never added.
 */
export function bucketPeriodCounts(
  rows: readonly ChartFigureRow[],
  maxPoints: number,
): { points: ChartPoint[]; by: Bucket; leftOut: number } {
  const { kept, left } = nonOverlapping(rows);
  const fits = (b: Bucket): boolean => new Set(kept.map((r) => bucketStart(r.reference_period_start, b))).size <= maxPoints;
  const by: Bucket = (['week', 'month', 'quarter'] as const).find(fits) ?? 'year';
  const buckets = new Map<string, ChartFigureRow[]>();
  for (const r of kept) {
    const key = bucketStart(r.reference_period_start, by);
    const list = buckets.get(key) ?? [];
    list.push(r);
    buckets.set(key, list);
  }
  const points: ChartPoint[] = [];
  for (const [, list] of [...buckets].sort(([a], [b]) => a.localeCompare(b))) {
    const first = list[0];
    if (!first) continue;
    if (list.length === 1) {
      points.push(pointFromFigure(first));
      continue;
    }
    const y = list.reduce((n, r) => n + r.value, 0);
    const ranged = list.some((r) => r.value_low !== null || r.value_high !== null);
    const qualifier = sumQualifier(list.map((r) => r.qualifier));
    const start = list.reduce((m, r) => (r.reference_period_start < m ? r.reference_period_start : m), first.reference_period_start);
    const end = list.reduce((m, r) => (r.reference_period_end > m ? r.reference_period_end : m), first.reference_period_end);
    const documents = [...new Set(list.map(documentName))];
    const sources = new Map(list.map((r) => [r.source_id, documentOf(r)]));
    points.push({
      figureId: null,
      href: `/figures?indicator=${encodeURIComponent(first.indicator_code)}&location=${encodeURIComponent(first.location_code)}`,
      start,
      end,
      y,
      low: ranged ? list.reduce((n, r) => n + (r.value_low ?? r.value), 0) : null,
      high: ranged ? list.reduce((n, r) => n + (r.value_high ?? r.value), 0) : null,
      qualifier,
      text: pointText({ y, qualifier, figureId: null, figureCount: list.length }, first.unit),
      shortText: shortValue(y, qualifier, first.unit),
      verification: first.verification,
      originator: first.reported_by,
      claimedBy: first.claimed_by,
      document: documents.length === 1 ? (documents[0] ?? '') : `${documents.length} documents`,
      documentDate: null,
      quote: null,
      figureCount: list.length,
      documents: [...sources.values()],
      rows: list,
    });
  }
  return { points, by, leftOut: left.length };
}

/** Keeps every k-th point, and always the first and the latest. */
export function thin<T>(points: readonly T[], maxPoints: number): T[] {
  if (points.length <= maxPoints) return [...points];
  const step = Math.ceil(points.length / Math.max(2, maxPoints - 1));
  const out = points.filter((_, i) => i % step === 0);
  const last = points[points.length - 1];
  if (last !== undefined && out[out.length - 1] !== last) out.push(last);
  return out;
}

const KIND_TITLES: Record<PanelKind, string> = {
  running_total: 'running totals',
  period_count: 'counts per period',
  level: 'per period',
};

function unitName(unit: string): string {
  return unit === 'usd' ? 'US dollars' : unit === 'percent' ? 'percent' : unit;
}

function describeSeries(s: ChartSeries, w: ChartWords): string {
  const pts = s.points;
  const list = pts.length <= 6 ? pts : [pts[0], pts[pts.length - 1]];
  const parts = list.filter((p): p is ChartPoint => p !== undefined).map((p) => w.t('chart.pointValue', { value: p.text, period: w.formatPeriod(p.start, p.end) }));
  const shown = pts.length <= 6 ? parts.join('; ') : w.t('chart.fromTo', { first: parts[0] ?? '', last: parts[1] ?? '' });
  const claim = s.distinct === 'claimed' ? w.t('chart.claimWords') : s.distinct === 'disputed' ? w.t('chart.disputedWords') : '';
  return w.t('chart.describe', { label: s.label, claim, count: pts.length, shown });
}

/**
 * One series as the panel builder sees it: the figure that labels it, how
 * many figures it has, and how to draw it within a point budget. Built from
 * figure rows (buildPanels) or from the chart rollups (server/charts/rollups.ts).
 */
export interface SeriesSource {
  kind: PanelKind;
  unit: string;
  /** The series' first figure in chart order: its indicator, place, originator and verification label the series. */
  first: ChartFigureRow;
  count: number;
  /** The points within `budget`, and a note saying how they were reduced when they are fewer than the figures. */
  draw(budget: number, label: string): { points: ChartPoint[]; note: ReducedNote | null };
}

/** The points of a series read as figure rows: every figure, or bucketed or thinned beyond the budget. */
export function drawRows(kind: PanelKind, group: readonly ChartFigureRow[], budget: number, label: string): { points: ChartPoint[]; note: ReducedNote | null } {
  if (kind === 'period_count' && group.length > budget) {
    const bucketed = bucketPeriodCounts(group, budget);
    return {
      points: bucketed.points,
      note: bucketNote(label, group.length, bucketed.by, bucketed.points.length, bucketed.leftOut),
    };
  }
  if (group.length > budget) {
    const sorted = [...group].sort((a, b) => a.reference_period_end.localeCompare(b.reference_period_end) || a.id - b.id);
    const points = thin(sorted, budget).map(pointFromFigure);
    return { points, note: { type: 'thin', label, shown: points.length, figures: group.length } };
  }
  return {
    points: [...group]
      .sort((a, b) => a.reference_period_end.localeCompare(b.reference_period_end) || a.reference_period_start.localeCompare(b.reference_period_start) || a.id - b.id)
      .map(pointFromFigure),
    note: null,
  };
}

/** How a series or a panel was reduced: bucketed into bars, thinned, or series left out. */
export type ReducedNote =
  | { type: 'bucket'; label: string; figures: number; by: Bucket; bars: number; leftOut: number }
  | { type: 'thin'; label: string; shown: number; figures: number }
  | { type: 'omitted'; count: number };

/** A reduction note in English (the words the view keeps). */
export function englishNote(n: ReducedNote): string {
  if (n.type === 'bucket') return bucketText(n.label, n.figures, n.by, n.bars, n.leftOut);
  if (n.type === 'thin') return `${n.label}: ${n.shown} of ${n.figures} figures plotted (evenly spaced, with the first and the latest).`;
  return `${n.count} more series with fewer figures are not drawn; narrow the choice to see them.`;
}

/** A panel's reduction notes in a page's language, series named as its relabelled series are. */
export function localizeReduced(notes: readonly ReducedNote[], labels: ReadonlyMap<string, string>, w: ChartWords): string {
  return notes
    .map((n) => {
      if (n.type === 'omitted') return w.t('reduced.omitted', { count: n.count, n: w.formatNumber(n.count) });
      const label = labels.get(n.label) ?? n.label;
      if (n.type === 'thin') return w.t('reduced.thin', { label, shown: w.formatNumber(n.shown), figures: w.formatNumber(n.figures) });
      const text = w.t('reduced.bucket', { label, figures: w.formatNumber(n.figures), by: w.t(`reduced.by.${n.by}`), bars: w.formatNumber(n.bars) });
      return n.leftOut ? `${text.replace(/\.$/, '')}; ${w.t('reduced.leftOut', { n: w.formatNumber(n.leftOut) })}.` : text;
    })
    .join(' ');
}

export function bucketNote(label: string, figures: number, by: Bucket, bars: number, leftOut: number): ReducedNote {
  return { type: 'bucket', label, figures, by, bars, leftOut };
}

function bucketText(label: string, figures: number, by: Bucket, bars: number, leftOut: number): string {
  return (
    `${label}: ${figures} figures summed by ${by} into ${bars} bars` +
    (leftOut ? `; ${leftOut} figures whose periods overlap others were left out of the sums` : '') +
    '.'
  );
}

/** The key of a figure's series within its panel: indicator, place, originator, claims and disputed figures apart, running totals by start. */
export function seriesKeyOf(r: ChartFigureRow): string {
  const distinct = r.verification === 'claimed' || r.verification === 'disputed' ? r.verification : '';
  const since = r.measure === 'running_total' ? r.reference_period_start : '';
  return [r.indicator_code, r.location_code, r.reported_by, distinct, since].join('|');
}

/**
 * Turns published figures into chart panels: one panel per kind of figure and
 * unit (so people and dollars never share an axis), one series per
 * indicator, place and originator, with claims and disputed figures apart.
 */
export function buildPanels(rows: readonly ChartFigureRow[], options: BuildOptions): ChartPanel[] {
  const groups = new Map<string, ChartFigureRow[]>();
  for (const r of rows) {
    // The figure's stored measure, never what the other rows of this query suggest: a filter must not change it.
    const key = `${r.measure}|${r.unit}|${seriesKeyOf(r)}`;
    const group = groups.get(key) ?? [];
    group.push(r);
    groups.set(key, group);
  }
  const sources: SeriesSource[] = [...groups.values()].map((group) => {
    const first = group[0] as ChartFigureRow;
    return { kind: first.measure, unit: first.unit, first, count: group.length, draw: (budget, label) => drawRows(first.measure, group, budget, label) };
  });
  return panelsFromSeries(sources, options);
}

/** Chart panels from series (in the order their first figures appear): see buildPanels. */
export function panelsFromSeries(sources: readonly SeriesSource[], options: BuildOptions): ChartPanel[] {
  const maxPoints = options.maxPointsPerSeries ?? MAX_POINTS_PER_SERIES;
  const maxSeries = options.maxSeries ?? MAX_SERIES;
  const panels = new Map<string, { kind: PanelKind; unit: string; groups: SeriesSource[] }>();
  for (const source of sources) {
    const panelKey = `${source.kind}|${source.unit}`;
    const panel = panels.get(panelKey) ?? { kind: source.kind, unit: source.unit, groups: [] };
    panel.groups.push(source);
    panels.set(panelKey, panel);
  }

  const order: PanelKind[] = ['running_total', 'period_count', 'level'];
  const sortedPanels = [...panels.values()].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.unit.localeCompare(b.unit));

  return sortedPanels.map((panel, panelIndex) => {
    const groups = [...panel.groups].sort((a, b) => b.count - a.count);
    const omitted = groups.length > maxSeries ? groups.length - maxSeries : 0;
    const shownGroups = groups.slice(0, maxSeries);
    const indicators = new Set(shownGroups.map((g) => g.first.indicator_code));
    const starts = new Set(shownGroups.map((g) => g.first.reference_period_start));
    const panelBudget = options.maxPointsPerSeries === undefined ? MAX_POINTS_PER_PANEL : maxPoints * 4;
    const budget = Math.min(maxPoints, Math.max(12, Math.floor(panelBudget / Math.max(1, shownGroups.length))));
    const notes: ReducedNote[] = [];
    // Each colour key gets the slot its hash names, on every page; a second key of this panel on a taken slot keeps it, as a variant.
    const variants = new Map<string, number>();
    const slotUse = new Map<number, number>();
    const variantOf = (key: string, slot: number): number => {
      const known = variants.get(key);
      if (known !== undefined) return known;
      const variant = slotUse.get(slot) ?? 0;
      slotUse.set(slot, variant + 1);
      variants.set(key, variant);
      return variant;
    };

    const series: ChartSeries[] = shownGroups.map((group) => {
      const first = group.first;
      const distinct = first.verification === 'claimed' || first.verification === 'disputed' ? first.verification : null;
      const label = seriesLabel(
        {
          indicatorCode: first.indicator_code,
          indicatorName: first.indicator_name,
          locationCode: first.location_code,
          locationName: first.location_name,
          originator: first.reported_by,
          distinct,
          since: first.reference_period_start,
        },
        { kind: panel.kind, manyIndicators: indicators.size > 1, manyStarts: starts.size > 1 },
      );
      // The series' identity (a claim shares its originator's colour and is told apart by its dashes and markers).
      const colourKey =
        options.colourBy === 'location'
          ? `place|${first.location_code}`
          : options.colourBy === 'originator'
            ? `originator|${first.reported_by}`
            : `${first.indicator_code}|${first.location_code}|${first.reported_by}`;
      const colorIndex = identityHash(colourKey) % PALETTE_SIZE;
      const variant = variantOf(colourKey, colorIndex);

      const drawn = group.draw(budget, label);
      if (drawn.note) notes.push(drawn.note);
      return {
        key: [first.indicator_code, first.location_code, first.reported_by, distinct ?? '', panel.kind === 'running_total' ? first.reference_period_start : ''].join('|'),
        label,
        indicatorCode: first.indicator_code,
        indicatorName: first.indicator_name,
        locationCode: first.location_code,
        locationName: first.location_name,
        originator: first.reported_by,
        distinct,
        colorIndex,
        variant,
        points: drawn.points,
      };
    });
    if (omitted) notes.push({ type: 'omitted', count: omitted });

    const categories = panel.kind === 'level' ? levelCategories(series, ENGLISH_WORDS) : [];
    const title = `${options.title}: ${KIND_TITLES[panel.kind]}${panel.unit === 'people' ? '' : ` (${unitName(panel.unit)})`}`;
    return {
      id: `${options.id}-${panelIndex + 1}`,
      kind: panel.kind,
      unit: panel.unit,
      title,
      series,
      categories,
      reduced: notes.length ? notes.map(englishNote).join(' ') : null,
      ...(notes.length ? { reducedNotes: notes } : {}),
      summary: panelSummary(panel.kind, series, ENGLISH_WORDS),
    };
  });
}

/** Quotes in a tooltip are cut to this many characters; the figure's page has the whole. */
export const TOOLTIP_QUOTE_CHARS = 160;

/** A quote cut at a word boundary with an ellipsis, never mid-word. */
export function shortenQuote(quote: string, max = TOOLTIP_QUOTE_CHARS): string {
  if (quote.length <= max) return quote;
  const cut = quote.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,;:.]+$/, '')}…`;
}

/**
 * The tooltip lines for a point: value with qualifier and range, measure,
 * verification, period. The browser adds the originator (after the measure)
 * and the document (last), which the series and the panel hold once.
 */
export function tooltipLines(p: ChartPoint, unit: string, kind: PanelKind, w: ChartWords = ENGLISH_WORDS): string[] {
  const ranged = p.low !== null || p.high !== null;
  const verification = w.t(`verification.${p.verification}`);
  const lines = [
    `${p.text}${ranged ? w.t('chart.range', { range: w.formatRange(p.low, p.high, unit) }) : ''}`,
    w.t('chart.measure', {
      what: kind === 'running_total' ? w.t('chart.runningSinceAsOf', { since: w.formatDay(p.start), asOf: w.formatDay(p.end) }) : w.t(kind === 'period_count' ? 'chart.periodCount' : 'chart.level'),
    }),
    p.claimedBy ? w.t('chart.by', { label: verification, who: p.claimedBy }) : verification,
    w.t('chart.period', { period: w.formatPeriod(p.start, p.end) }),
  ];
  if (p.figureId === null) lines.push(w.t('chart.sumOfNonOverlapping', { count: p.figureCount }));
  return lines;
}
