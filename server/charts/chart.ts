import type { ChartFigureRow } from '../../db/queries/charts';
import { addDays, buildPanels, panelsFromSeries, periodLabel, localizeReduced, relabelPanel, shortenQuote, tooltipLines, type BuildOptions, type ChartPanel, type ChartPoint, type SeriesSource } from './series';
import type { ChartFilters } from '../validation/chart-query';
import { ENGLISH_WORDS, type ChartWords } from './words';

export type { ChartFilters };

/** What the browser script needs to draw one panel; nothing else, so the JSON stays small. */
export interface BrowserPanel {
  kind: ChartPanel['kind'];
  unit: string;
  title: string;
  categories: string[];
  /** Document names, once each: a point refers to its document by index (d), which keeps the JSON small. */
  docs: string[];
  series: {
    label: string;
    /** The originator, shared by every point of the series. */
    o: string;
    distinct: 'claimed' | 'disputed' | null;
    colour: number;
    /** A second (third …) identity on this colour in this panel: drawn dash-dot with outlined markers. */
    variant: number;
    /**
     * tip holds the value, measure, verification and period lines; the browser adds originator and document.
     * v is the verification (the marker), q the quote cut short.
     */
    points: { x: string; x2?: string; y: number; lo?: number; hi?: number; t: string; tip: string[]; h?: string; d: number; v: string; q?: string }[];
  }[];
}

export interface TableRow {
  series: string;
  period: string;
  value: string;
  range: string;
  verification: string;
  /** The verification's code, for its badge. */
  verificationCode: string;
  claimedBy: string | null;
  originator: string;
  document: string;
  href: string;
  figures: number;
}

export interface LegendEntry {
  label: string;
  colour: number;
  distinct: 'claimed' | 'disputed' | null;
  variant: number;
}

export interface PanelView extends ChartPanel {
  browser: BrowserPanel;
  table: TableRow[];
  /** The card's title: indicators, places and measure. */
  heading: string;
  /** The card's subtitle: the period and what the numbers are. */
  subtitle: string;
  /** The card's source line: originators and documents. */
  sourceLine: string;
  /** This panel's documents, for its Sources tab. */
  sources: SourceNote[];
  legend: LegendEntry[];
  /** Verification levels drawn in this panel, in key order, for the marker key. */
  verifications: string[];
  /** The export writer narrowed to this panel's indicators, places and measure. */
  csvHref: string;
  /** The page address of this panel (the view's address and the panel's anchor). */
  shareHref: string;
  /** The address of this panel alone, for framing. */
  embedHref: string | null;
}

export interface SourceNote {
  document: string;
  publisher: string;
  publishedOn: string | null;
  url: string | null;
  originators: string[];
}

/** The documents of one publisher, when a chart draws on too many documents to list one by one. */
export interface PublisherNote {
  publisher: string;
  documents: number;
  first: string | null;
  last: string | null;
  originators: string[];
}

/** Past this many documents, the source note names each publisher with its count and dates instead. */
export const MAX_LISTED_SOURCES = 20;

export interface ChartView {
  id: string;
  title: string;
  empty: boolean;
  panels: PanelView[];
  sources: SourceNote[];
  /** Set instead of sources when there are more than MAX_LISTED_SOURCES documents. */
  publishers: PublisherNote[] | null;
  /** The export writer with this chart's filters: the same published rows the chart plots. */
  csvHref: string;
}

/** Where a chart lives: the address of its page and of its embeddable copy (panel=N is added per panel). */
export interface ChartPlace {
  href?: string;
  embed?: string | null;
}

function browserPoint(p: ChartPoint, panel: ChartPanel, docIndex: (name: string) => number, w: ChartWords): BrowserPanel['series'][number]['points'][number] {
  const x = panel.kind === 'level' ? periodLabel(p.start, p.end, w) : panel.kind === 'running_total' ? p.end : p.start;
  // Originator and document lines are added in the browser from the series and the panel's docs.
  const tip = tooltipLines(p, panel.unit, panel.kind, w);
  const out: BrowserPanel['series'][number]['points'][number] = { x, y: p.y, t: p.shortText, tip, d: docIndex(p.document), v: p.verification };
  if (p.quote) out.q = shortenQuote(p.quote);
  if (p.figureId !== null) out.h = p.href;
  // A bar spans its whole period: to the start of the day after its last day.
  if (panel.kind === 'period_count') out.x2 = addDays(p.end, 1);
  if (p.low !== null) out.lo = p.low;
  if (p.high !== null) out.hi = p.high;
  return out;
}

function tableRows(panel: ChartPanel, w: ChartWords): TableRow[] {
  return panel.series.flatMap((s) =>
    s.points.map((p) => ({
      series: s.label,
      period: periodLabel(p.start, p.end, w),
      value: p.text,
      range: p.low !== null || p.high !== null ? w.formatRange(p.low, p.high, panel.unit) : '',
      verification: w.t(`verification.${p.verification}`),
      verificationCode: p.verification,
      claimedBy: p.claimedBy,
      originator: p.originator,
      document: p.document,
      href: p.href,
      figures: p.figureCount,
    })),
  );
}

/** "A", "A and B", "A, B and C"; past three, "N things". */
function nameList(names: readonly string[], many: 'indicators' | 'places' | 'originators' | 'publishers', w: ChartWords): string {
  if (names.length > 3) return w.t(`chart.many_${many}`, { count: names.length });
  if (names.length <= 1) return names[0] ?? '';
  return w.t('chart.and', { first: names.slice(0, -1).join(', '), last: names[names.length - 1] ?? '' });
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function unitWords(unit: string, w: ChartWords): string {
  return w.t(`chart.unit.${unit}`, { defaultValue: unit });
}

/** The card's title: what is counted, where, and how. */
export function panelHeading(panel: ChartPanel, w: ChartWords = ENGLISH_WORDS): string {
  const indicators = nameList(unique(panel.series.map((s) => w.name('indicator', s.indicatorCode, s.indicatorName))), 'indicators', w);
  const places = nameList(unique(panel.series.map((s) => w.name('location', s.locationCode, s.locationName))), 'places', w);
  const kind = w.t(`chart.kind.${panel.kind}`);
  return panel.unit === 'people' ? w.t('chart.heading', { indicators, places, kind }) : w.t('chart.headingUnit', { indicators, places, kind, unit: unitWords(panel.unit, w) });
}

/** The card's subtitle: the span of the periods drawn and what the numbers are. */
export function panelSubtitle(panel: ChartPanel, w: ChartWords = ENGLISH_WORDS): string {
  const points = panel.series.flatMap((s) => s.points);
  const first = points.reduce((m, p) => (p.start < m ? p.start : m), points[0]?.start ?? '');
  const last = points.reduce((m, p) => (p.end > m ? p.end : m), points[0]?.end ?? '');
  const span = first === last ? w.formatDay(first) : w.t('chart.span', { first: w.formatDay(first), last: w.formatDay(last) });
  const unit = unitWords(panel.unit, w);
  const what = w.t(panel.kind === 'level' && panel.unit === 'people' ? 'chart.what.level_people' : `chart.what.${panel.kind}`, { unit });
  // "… 2024 р." ends in a full stop already.
  return w.t('chart.subtitle', { span: span.replace(/\.$/, ''), what });
}

/** The card's source line: who states the figures, in which documents. */
export function panelSourceLine(panel: ChartPanel, notes: readonly SourceNote[], w: ChartWords = ENGLISH_WORDS): string {
  const originators = nameList(unique(panel.series.map((s) => s.originator)), 'originators', w);
  const documents =
    notes.length <= 3
      ? notes
          .map((n) =>
            n.publishedOn
              ? w.t('chart.documentDated', { document: n.document, publisher: n.publisher, date: w.formatDate(n.publishedOn) })
              : w.t('chart.document', { document: n.document, publisher: n.publisher }),
          )
          .join('; ')
      : w.t('chart.documentsFrom', { count: notes.length, publishers: nameList(unique(notes.map((n) => n.publisher)), 'publishers', w) });
  return w.t('chart.sourceLine', { originators, documents });
}

const VERIFICATION_ORDER = ['verified', 'reported', 'claimed', 'disputed'];

function sourceNotes(panels: readonly ChartPanel[]): SourceNote[] {
  const byId = new Map<number, SourceNote>();
  for (const panel of panels)
    for (const s of panel.series)
      for (const p of s.points)
        for (const d of p.documents) {
          const note = byId.get(d.id) ?? {
            document: d.title,
            publisher: d.publisher,
            publishedOn: d.publishedOn,
            url: d.url,
            originators: [],
          };
          if (!note.originators.includes(p.originator)) note.originators.push(p.originator);
          byId.set(d.id, note);
        }
  return [...byId.values()].sort((a, b) => (b.publishedOn ?? '').localeCompare(a.publishedOn ?? '') || a.document.localeCompare(b.document));
}

/** The query string of a chart's filters, repeated parameters for lists. */
export function filterQuery(filters: ChartFilters, names: readonly (keyof ChartFilters)[]): string {
  const params = new URLSearchParams();
  for (const name of names) {
    const value = filters[name];
    if (Array.isArray(value)) for (const v of value as string[]) params.append(name, v);
    else if (value !== null && value !== undefined && value !== '') params.set(name, String(value));
  }
  return params.toString();
}

/**
 * The CSV link of a chart: the export writer (/export/figures.csv) with the
 * chart's own filters, so the download is exactly the published rows behind
 * the chart, in the export's stable columns.
 */
export function csvHref(filters: ChartFilters): string {
  const qs = filterQuery(filters, ['indicator', 'location', 'from', 'to', 'verification', 'originator', 'source', 'measure']);
  return `/export/figures.csv${qs ? `?${qs}` : ''}`;
}

/** The query string a panel's embed address adds: which panel. */
function withPanel(href: string, index: number): string {
  return `${href}${href.includes('?') ? '&' : '?'}panel=${index + 1}`;
}

/** What a card says, in one language's words: its title, subtitle, source line, legend, table and the JSON its script draws. */
function panelText(panel: ChartPanel, notes: readonly SourceNote[], w: ChartWords): Pick<PanelView, 'browser' | 'table' | 'heading' | 'subtitle' | 'sourceLine' | 'legend'> {
  const docs: string[] = [];
  const docIndexes = new Map<string, number>();
  const docIndex = (name: string): number => {
    let i = docIndexes.get(name);
    if (i === undefined) {
      i = docs.length;
      docs.push(name);
      docIndexes.set(name, i);
    }
    return i;
  };
  const series = panel.series.map((s) => ({
    label: s.label,
    o: s.originator,
    distinct: s.distinct,
    colour: s.colorIndex,
    variant: s.variant,
    points: s.points.map((p) => browserPoint(p, panel, docIndex, w)),
  }));
  const heading = panelHeading(panel, w);
  return {
    browser: { kind: panel.kind, unit: panel.unit, title: heading, categories: panel.categories, docs, series },
    table: tableRows(panel, w),
    heading,
    subtitle: panelSubtitle(panel, w),
    sourceLine: panelSourceLine(panel, notes, w),
    legend: panel.series.map((s) => ({ label: s.label, colour: s.colorIndex, distinct: s.distinct, variant: s.variant })),
  };
}

/**
 * A built chart written in another language: titles, subtitles, series
 * labels, values, periods, tables and tooltips, from the codes, numbers and
 * dates its view keeps. Views are built once per data version (in English, off
 * the request path); a page in another language calls this when it renders.
 * Quotes, document titles and originators stay as they were stated.
 */
export function localizeChart(chart: ChartView, w: ChartWords): ChartView {
  // A view is kept and drawn again by many readers until the data changes: each language's text is written once.
  const kept = localized.get(chart)?.get(w.lang);
  if (kept) return kept;
  const out = localizeChartNow(chart, w);
  const byLang = localized.get(chart) ?? new Map<string, ChartView>();
  byLang.set(w.lang, out);
  localized.set(chart, byLang);
  return out;
}

/**
 * Charts already written in another language, per view object and language: the names a language
 * gives indicators and places (translated_names) are fixed while the process runs, and a new data
 * version is a new view object, so an entry never outlives what it was written from.
 */
const localized = new WeakMap<ChartView, Map<string, ChartView>>();

function localizeChartNow(chart: ChartView, w: ChartWords): ChartView {
  return {
    ...chart,
    panels: chart.panels.map((panel) => {
      const relabelled = { ...panel, ...relabelPanel(panel, w) };
      const labels = new Map(panel.series.map((s, i) => [s.label, relabelled.series[i]?.label ?? s.label]));
      const reduced = panel.reducedNotes ? { reduced: localizeReduced(panel.reducedNotes, labels, w), reducedLocal: true } : {};
      return { ...relabelled, ...reduced, ...panelText(relabelled, panel.sources, w) };
    }),
  };
}

/** Everything a page needs to show one chart: panels, their JSON, tables, source note and links. */
export function buildChart(rows: readonly ChartFigureRow[], options: BuildOptions & { filters: ChartFilters } & ChartPlace): ChartView {
  return chartFromPanels(buildPanels(rows, options), rows.length === 0, options);
}

/** As buildChart, from series read elsewhere (the chart rollups: server/charts/rollups.ts). */
export function buildChartFromSeries(sources: readonly SeriesSource[], options: BuildOptions & { filters: ChartFilters } & ChartPlace): ChartView {
  return chartFromPanels(panelsFromSeries(sources, options), sources.length === 0, options);
}

function chartFromPanels(built: ChartPanel[], empty: boolean, options: BuildOptions & { filters: ChartFilters } & ChartPlace): ChartView {
  const panels = built.map((panel, index) => {
    const notes = sourceNotes([panel]);
    const panelFilters: ChartFilters = {
      ...options.filters,
      indicator: unique(panel.series.map((s) => s.indicatorCode)),
      location: unique(panel.series.map((s) => s.locationCode)),
      measure: panel.kind,
    };
    const href = options.href ?? '';
    return {
      ...panel,
      ...panelText(panel, notes, ENGLISH_WORDS),
      sources: notes,
      verifications: VERIFICATION_ORDER.filter((v) => panel.series.some((s) => s.points.some((p) => p.verification === v))),
      csvHref: csvHref(panelFilters),
      shareHref: `${href}#${panel.id}`,
      embedHref: options.embed ? withPanel(options.embed, index) : null,
    };
  });
  return {
    id: options.id,
    title: options.title,
    empty,
    panels,
    ...sourceNoteFor(sourceNotes(panels)),
    csvHref: csvHref(options.filters),
  };
}

function sourceNoteFor(notes: SourceNote[]): { sources: SourceNote[]; publishers: PublisherNote[] | null } {
  if (notes.length <= MAX_LISTED_SOURCES) return { sources: notes, publishers: null };
  const byPublisher = new Map<string, PublisherNote>();
  for (const n of notes) {
    const p = byPublisher.get(n.publisher) ?? { publisher: n.publisher, documents: 0, first: null, last: null, originators: [] };
    p.documents += 1;
    if (n.publishedOn && (p.first === null || n.publishedOn < p.first)) p.first = n.publishedOn;
    if (n.publishedOn && (p.last === null || n.publishedOn > p.last)) p.last = n.publishedOn;
    for (const o of n.originators) if (!p.originators.includes(o)) p.originators.push(o);
    byPublisher.set(n.publisher, p);
  }
  return { sources: [], publishers: [...byPublisher.values()].sort((a, b) => b.documents - a.documents || a.publisher.localeCompare(b.publisher)) };
}

/** A built chart without the figure rows behind its points: all a page shows, small enough to keep in a cache. */
export function withoutRows(chart: ChartView): ChartView {
  return {
    ...chart,
    panels: chart.panels.map((panel) => ({
      ...panel,
      series: panel.series.map((s) => ({ ...s, points: s.points.map((p) => ({ ...p, rows: [], documents: [] })) })),
    })),
  };
}

/** The figures a chart plots, once each (a bucket stands for several). */
export function plottedRows(chart: ChartView): ChartFigureRow[] {
  const seen = new Map<number, ChartFigureRow>();
  for (const panel of chart.panels) for (const s of panel.series) for (const p of s.points) for (const r of p.rows) seen.set(r.id, r);
  return [...seen.values()];
}
