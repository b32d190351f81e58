import type { ChartFigureRow } from '../../db/queries/charts';
import { formatRange, verificationLabel } from '../format';
import { addDays, buildPanels, periodLabel, tooltipLines, type BuildOptions, type ChartPanel, type ChartPoint } from './series';

/** The filters a chart was drawn with, as they appear in its query string. */
export interface ChartFilters {
  indicator?: readonly string[];
  location?: readonly string[];
  originator?: readonly string[];
  verification?: readonly string[];
  from?: string | null;
  to?: string | null;
  source?: number | null;
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
    /** tip holds the value, period and verification lines; the browser adds originator and document. */
    points: { x: string; x2?: string; y: number; lo?: number; hi?: number; t: string; tip: string[]; h?: string; d: number }[];
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

export interface PanelView extends ChartPanel {
  browser: BrowserPanel;
  table: TableRow[];
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

function browserPoint(p: ChartPoint, panel: ChartPanel, docIndex: (name: string) => number): BrowserPanel['series'][number]['points'][number] {
  const x = panel.kind === 'level' ? periodLabel(p.start, p.end) : panel.kind === 'running_total' ? p.end : p.start;
  // Originator and document lines are rebuilt in the browser from the series and the panel's docs.
  const tip = tooltipLines(p, panel.unit).filter((line) => !line.startsWith('Originator: ') && !line.startsWith('Document: '));
  const out: BrowserPanel['series'][number]['points'][number] = { x, y: p.y, t: p.shortText, tip, d: docIndex(p.document) };
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

function sourceNotes(panels: readonly ChartPanel[]): SourceNote[] {
  const byId = new Map<number, SourceNote>();
  for (const panel of panels)
    for (const s of panel.series)
      for (const p of s.points)
        for (const r of p.rows) {
          const note = byId.get(r.source_id) ?? {
            document: r.source_title,
            publisher: r.source_publisher,
            publishedOn: r.source_published_on,
            url: r.source_url,
            originators: [],
          };
          if (!note.originators.includes(r.reported_by)) note.originators.push(r.reported_by);
          byId.set(r.source_id, note);
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
  const qs = filterQuery(filters, ['indicator', 'location', 'from', 'to', 'verification', 'originator', 'source']);
  return `/export/figures.csv${qs ? `?${qs}` : ''}`;
}

/** Everything a page needs to show one chart: panels, their JSON, tables, source note and links. */
export function buildChart(rows: readonly ChartFigureRow[], options: BuildOptions & { filters: ChartFilters }): ChartView {
  const panels = buildPanels(rows, options).map((panel) => {
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
    return {
      ...panel,
      browser: { kind: panel.kind, unit: panel.unit, title: panel.title, categories: panel.categories, docs, series },
      table: tableRows(panel),
    };
  });
  return {
    id: options.id,
    title: options.title,
    empty: rows.length === 0,
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
      series: panel.series.map((s) => ({ ...s, points: s.points.map((p) => ({ ...p, rows: [] })) })),
    })),
  };
}

/** The figures a chart plots, once each (a bucket stands for several). */
export function plottedRows(chart: ChartView): ChartFigureRow[] {
  const seen = new Map<number, ChartFigureRow>();
  for (const panel of chart.panels) for (const s of panel.series) for (const p of s.points) for (const r of p.rows) seen.set(r.id, r);
  return [...seen.values()];
}
