import type { ChartFigureRow } from '../../db/queries/charts';
import type { Measure } from '../../db/types';
import { formatDay, formatRange, verificationLabel } from '../format';
import { addDays, buildPanels, panelsFromSeries, periodLabel, shortenQuote, tooltipLines, type BuildOptions, type ChartPanel, type ChartPoint, type SeriesSource } from './series';

/** The filters a chart was drawn with, as they appear in its query string. */
export interface ChartFilters {
  indicator?: readonly string[];
  location?: readonly string[];
  originator?: readonly string[];
  verification?: readonly string[];
  from?: string | null;
  to?: string | null;
  source?: number | null;
  /** Only a panel's CSV narrows by measure. */
  measure?: Measure | null;
}

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

function browserPoint(p: ChartPoint, panel: ChartPanel, docIndex: (name: string) => number): BrowserPanel['series'][number]['points'][number] {
  const x = panel.kind === 'level' ? periodLabel(p.start, p.end) : panel.kind === 'running_total' ? p.end : p.start;
  // Originator and document lines are rebuilt in the browser from the series and the panel's docs.
  const tip = tooltipLines(p, panel.unit, panel.kind).filter((line) => !line.startsWith('Originator: ') && !line.startsWith('Document: '));
  const out: BrowserPanel['series'][number]['points'][number] = { x, y: p.y, t: p.shortText, tip, d: docIndex(p.document), v: p.verification };
  if (p.quote) out.q = shortenQuote(p.quote);
  if (p.figureId !== null) out.h = p.href;
  // A bar spans its whole period: to the start of the day after its last day.
  if (panel.kind === 'period_count') out.x2 = addDays(p.end, 1);
  if (p.low !== null) out.lo = p.low;
  if (p.high !== null) out.hi = p.high;
  return out;
}

function tableRows(panel: ChartPanel): TableRow[] {
  return panel.series.flatMap((s) =>
    s.points.map((p) => ({
      series: s.label,
      period: periodLabel(p.start, p.end),
      value: p.text,
      range: p.low !== null || p.high !== null ? formatRange(p.low, p.high, panel.unit) : '',
      verification: verificationLabel(p.verification),
      claimedBy: p.claimedBy,
      originator: p.originator,
      document: p.document,
      href: p.href,
      figures: p.figureCount,
    })),
  );
}

const KIND_PHRASES: Record<ChartPanel['kind'], string> = {
  running_total: 'running totals',
  period_count: 'counts per period',
  level: 'levels per period',
};

/** "A", "A and B", "A, B and C"; past three, "N things". */
function nameList(names: readonly string[], many: string): string {
  if (names.length > 3) return `${names.length} ${many}`;
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1] ?? ''}`;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function unitWords(unit: string): string {
  return unit === 'usd' ? 'US dollars' : unit === 'percent' ? 'percent' : unit;
}

/** The card's title: what is counted, where, and how. */
export function panelHeading(panel: ChartPanel): string {
  const indicators = nameList(unique(panel.series.map((s) => s.indicatorName)), 'indicators');
  const places = nameList(unique(panel.series.map((s) => s.locationName)), 'places');
  const unit = panel.unit === 'people' ? '' : ` (${unitWords(panel.unit)})`;
  return `${indicators} — ${places}: ${KIND_PHRASES[panel.kind]}${unit}`;
}

/** The card's subtitle: the span of the periods drawn and what the numbers are. */
export function panelSubtitle(panel: ChartPanel): string {
  const points = panel.series.flatMap((s) => s.points);
  const first = points.reduce((m, p) => (p.start < m ? p.start : m), points[0]?.start ?? '');
  const last = points.reduce((m, p) => (p.end > m ? p.end : m), points[0]?.end ?? '');
  const span = first === last ? formatDay(first) : `${formatDay(first)} – ${formatDay(last)}`;
  const unit = unitWords(panel.unit);
  const what =
    panel.kind === 'running_total'
      ? `Number of ${unit} counted since each line's start date, as of the date shown; totals are never added together.`
      : panel.kind === 'period_count'
        ? `Number of ${unit} counted within each period; each bar spans its period, and overlapping periods are never added.`
        : `${unit === 'people' ? 'Number of people' : `Amount in ${unit}`} for each period, as stated; levels are never added.`;
  return `${span}. ${what} Values as each originator stated them (≥ at least, ~ about).`;
}

/** The card's source line: who states the figures, in which documents. */
export function panelSourceLine(panel: ChartPanel, notes: readonly SourceNote[]): string {
  const originators = nameList(unique(panel.series.map((s) => s.originator)), 'originators');
  const documents =
    notes.length <= 3
      ? notes.map((n) => `${n.document} (${n.publisher}${n.publishedOn ? `, ${n.publishedOn}` : ''})`).join('; ')
      : `${notes.length} documents from ${nameList(unique(notes.map((n) => n.publisher)), 'publishers')}`;
  return `Source: ${originators}, as stated in ${documents}.`;
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
      points: s.points.map((p) => browserPoint(p, panel, docIndex)),
    }));
    const notes = sourceNotes([panel]);
    const heading = panelHeading(panel);
    const panelFilters: ChartFilters = {
      ...options.filters,
      indicator: unique(panel.series.map((s) => s.indicatorCode)),
      location: unique(panel.series.map((s) => s.locationCode)),
      measure: panel.kind,
    };
    const href = options.href ?? '';
    return {
      ...panel,
      browser: { kind: panel.kind, unit: panel.unit, title: heading, categories: panel.categories, docs, series },
      table: tableRows(panel),
      heading,
      subtitle: panelSubtitle(panel),
      sourceLine: panelSourceLine(panel, notes),
      sources: notes,
      legend: panel.series.map((s) => ({ label: s.label, colour: s.colorIndex, distinct: s.distinct })),
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
