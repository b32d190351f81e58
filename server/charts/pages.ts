import type { Queries } from '../../db';
import type { ChartFigureRow, ChartFilter } from '../../db/queries/charts';
import { formatValue } from '../format';
import type { parseChartFilters } from '../validation/chart-query';
import { buildChart, buildChartFromSeries, filterQuery, withoutRows, type ChartFilters, type ChartPlace, type ChartView } from './chart';
import { fundingPairs, latestFromRollups, newestOfIndicator, seriesFromRollups } from './rollups';
import { periodLabel, shortValue, type BuildOptions } from './series';

/**
 * What each chart page shows, computed from the published figures: the
 * dashboard, an indicator, a comparison, a document, a place and a topic.
 * These run away from the request path (server/charts/page-views.ts: a
 * worker thread on its own connection, inside one read transaction), so a
 * reader never waits for them; their answers are plain data a thread can pass.
 */

const VERIFICATION_RANK: Record<string, number> = { verified: 0, reported: 1, disputed: 2, claimed: 3 };

/** The latest of the given figures: latest period end, then the best verified, then the newest. */
function latest(rows: readonly ChartFigureRow[]): ChartFigureRow | null {
  const sorted = [...rows].sort(
    (a, b) =>
      b.reference_period_end.localeCompare(a.reference_period_end) ||
      (VERIFICATION_RANK[a.verification] ?? 9) - (VERIFICATION_RANK[b.verification] ?? 9) ||
      a.admin_level - b.admin_level ||
      b.id - a.id,
  );
  return sorted[0] ?? null;
}

export interface Coverage {
  period: string;
  location: string;
  percent: number;
  /** "~" unless both figures are exact: a share of rounded or bounded figures is itself approximate. */
  text: string;
  required: ChartFigureRow;
  received: ChartFigureRow;
}

/** Funding received as a share of funding required, for each period and place where both are known. */
export function fundingCoverage(rows: readonly ChartFigureRow[]): Coverage[] {
  const periodKey = (r: ChartFigureRow): string => `${r.location_code}\u0000${r.reference_period_start}\u0000${r.reference_period_end}`;
  const receivedBy = new Map<string, ChartFigureRow[]>();
  for (const r of rows) {
    if (r.indicator_code !== 'funding_received_usd' || r.verification === 'claimed') continue;
    const same = receivedBy.get(periodKey(r));
    if (same) same.push(r);
    else receivedBy.set(periodKey(r), [r]);
  }
  const out: Coverage[] = [];
  const covered = new Set<string>();
  for (const req of rows) {
    if (req.indicator_code !== 'funding_required_usd' || req.verification === 'claimed') continue;
    const rec = latest(receivedBy.get(periodKey(req)) ?? []);
    if (!rec || req.value === 0) continue;
    const placeStart = `${req.location_code}\u0000${req.reference_period_start}`;
    if (covered.has(placeStart)) continue;
    covered.add(placeStart);
    const percent = Math.round((rec.value / req.value) * 100);
    const exact = req.qualifier === 'exact' && rec.qualifier === 'exact';
    out.push({ period: periodLabel(req.reference_period_start, req.reference_period_end), location: req.location_name, percent, text: `${exact ? '' : '~ '}${percent}%`, required: req, received: rec });
  }
  return out.sort((a, b) => b.required.reference_period_end.localeCompare(a.required.reference_period_end));
}

export interface Headline {
  label: string;
  value: string;
  /** The full number when the value is shortened ("> 14.6 M"). */
  exact?: string;
  detail: string;
  figure: ChartFigureRow;
  /** For the page's language: the label's message and date, and the place and date of the detail. */
  i18n?: { key: string; date: string };
  asOf?: { place: string; date: string };
}

/**
 * A chart of the published figures under `filter`: read from the chart
 * rollups (bounded reads per series) where they answer the filter, else from
 * the figures themselves (a document's page, verified apart from reported).
 * Returns the chart, how many figures it draws on, and which indicators it found.
 */
function chartOf(q: Queries, filter: ChartFilter, options: BuildOptions & { filters: ChartFilters } & ChartPlace): { chart: ChartView; total: number; indicators: Set<string>; uncharted?: number } {
  const series = seriesFromRollups(q, filter);
  if (series) {
    return {
      chart: buildChartFromSeries(series, options),
      total: series.reduce((n, s) => n + s.count, 0),
      indicators: new Set(series.map((s) => s.first.indicator_code)),
    };
  }
  // The rollups know no documents: a document's figures are read themselves, up to DOCUMENT_CHART_FIGURES.
  const inDocument = filter.sourceId ? q.charts.countOfSource(filter.sourceId) : 0;
  if (inDocument > DOCUMENT_CHART_FIGURES) return { chart: buildChart([], options), total: inDocument, indicators: new Set(), uncharted: inDocument };
  const rows = q.charts.listFigures(filter);
  return { chart: buildChart(rows, options), total: rows.length, indicators: new Set(rows.map((r) => r.indicator_code)) };
}

/**
 * A chart narrowed to one document (its page, /compare?source=) is drawn from
 * the document's own figures when it has at most this many published ones; a
 * document stating more (a dataset) is not charted by document, so no view
 * reads more than this many figures for it. Its figures are in every other
 * chart, and all of them in its CSV.
 */
export const DOCUMENT_CHART_FIGURES = 2_000;

/** The latest figures under `filter`, newest first: from the rollups' series where they answer it. */
function latestFigures(q: Queries, filter: ChartFilter, limit: number): ChartFigureRow[] {
  return latestFromRollups(q, filter, limit) ?? q.charts.listFigures(filter).slice(-limit).reverse();
}

/** Rows of the dashboard's funding coverage table, and how many of the newest required figures are looked at to fill it. */
const COVERAGE_ROWS = 20;
const COVERAGE_CANDIDATES = 60;

/** The dashboard's charts by name, as /embed/dashboard/:name serves them. */
export const DASHBOARD_CHARTS = ['casualties', 'funding', 'people'] as const;

/** Everything the dashboard shows, computed from the published figures. */
function dashboard(q: Queries, _args: Record<string, never>) {
  const casualtyFilter = { indicator: ['civilian_deaths', 'civilian_injuries'] };
  const fundingFilter = { indicator: ['funding_required_usd', 'funding_received_usd'] };
  // Funding coverage pairs each appeal's required and received levels: the latest appeals only, read through the rollups.
  const fundingRows = fundingPairs(q, COVERAGE_CANDIDATES);
  const peopleFilter = { indicator: ['people_in_need', 'people_targeted', 'people_reached'] };

  const headlines: Headline[] = [];
  const deaths = latest(newestOfIndicator(q, 'civilian_deaths', 'running_total'));
  if (deaths) headlines.push({ label: `Civilians killed since ${deaths.reference_period_start}`, value: formatValue(deaths.value, deaths.qualifier), detail: `${deaths.location_name}, as of ${deaths.reference_period_end}`, figure: deaths, i18n: { key: 'dashboard.killedSince', date: deaths.reference_period_start }, asOf: { place: deaths.location_name, date: deaths.reference_period_end } });
  const injuries = latest(newestOfIndicator(q, 'civilian_injuries', 'running_total'));
  if (injuries) headlines.push({ label: `Civilians injured since ${injuries.reference_period_start}`, value: formatValue(injuries.value, injuries.qualifier), detail: `${injuries.location_name}, as of ${injuries.reference_period_end}`, figure: injuries, i18n: { key: 'dashboard.injuredSince', date: injuries.reference_period_start }, asOf: { place: injuries.location_name, date: injuries.reference_period_end } });
  const inNeed = latest(newestOfIndicator(q, 'people_in_need', null));
  if (inNeed) {
    const short = shortValue(inNeed.value, inNeed.qualifier, 'people');
    const full = formatValue(inNeed.value, inNeed.qualifier);
    // The full number under the headline only when the headline shortens it ("14.6 M"), not twice.
    headlines.push({ label: 'People in need', value: short, exact: short === full ? undefined : full, detail: `${inNeed.location_name}, ${periodLabel(inNeed.reference_period_start, inNeed.reference_period_end)}`, figure: inNeed, i18n: { key: 'dashboard.inNeed', date: inNeed.reference_period_end } });
  }
  const allCoverage = fundingCoverage(fundingRows);
  const coverage = allCoverage.slice(0, COVERAGE_ROWS);
  const latestCoverage = coverage[0];
  if (latestCoverage) {
    headlines.push({
      label: 'Funding coverage',
      value: latestCoverage.text,
      detail: `${latestCoverage.location}, ${latestCoverage.period}: received ${shortValue(latestCoverage.received.value, latestCoverage.received.qualifier, 'usd')} of ${shortValue(latestCoverage.required.value, latestCoverage.required.qualifier, 'usd')} required`,
      figure: latestCoverage.received,
      i18n: { key: 'dashboard.coverage', date: latestCoverage.received.reference_period_end },
    });
  }

  return {
    headlines,
    coverage,
    /** True when older appeals were left out of the table. */
    coverageCut: allCoverage.length > COVERAGE_ROWS,
    casualties: withoutRows(chartOf(q, { indicatorCodes: casualtyFilter.indicator }, { id: 'casualties', title: 'Civilian deaths and injuries', filters: casualtyFilter, href: '/', embed: '/embed/dashboard/casualties' }).chart),
    funding: withoutRows(chartOf(q, { indicatorCodes: fundingFilter.indicator }, { id: 'funding', title: 'Funding required and received', filters: fundingFilter, href: '/', embed: '/embed/dashboard/funding' }).chart),
    people: withoutRows(chartOf(q, { indicatorCodes: peopleFilter.indicator }, { id: 'people', title: 'People in need, targeted and reached', filters: peopleFilter, href: '/', embed: '/embed/dashboard/people' }).chart),
    latestFigures: q.charts.listLatest(10),
  };
}

export type ChartFilterValues = ReturnType<typeof parseChartFilters>;

/** The query filter of parsed chart filters. */
export function filterFor(f: ChartFilterValues) {
  return { indicatorCodes: f.indicator, locationCodes: f.location, originators: f.originator, verifications: f.verification, from: f.from, to: f.to, sourceId: f.source };
}

/** The latest figures listed under an indicator's or a place's chart; the rest are a click away on /figures. */
const LISTED_FIGURES = 50;
/** Figures and quotes listed on a source's page; a large document's full list is its CSV. */
const LISTED_SOURCE_FIGURES = 100;
const LISTED_QUOTES = 20;

function indicator(q: Queries, args: { code: string; name: string; by: 'series' | 'originator' | 'location'; filters: ChartFilterValues }) {
  const filter = { ...filterFor(args.filters), indicatorCodes: [args.code] };
  // The chart's own address and its embed keep the filters it was drawn with.
  const qs = filterQuery(args.filters, ['location', 'originator', 'verification', 'from', 'to', 'source']);
  const path = `/indicators/${encodeURIComponent(args.code)}?by=${args.by}${qs ? `&${qs}` : ''}`;
  const drawn = chartOf(q, filter, { id: 'indicator', title: args.name, colourBy: args.by, filters: { ...args.filters, indicator: [args.code] }, href: path, embed: `/embed${path}` });
  return { chart: withoutRows(drawn.chart), figures: latestFigures(q, filter, LISTED_FIGURES), total: drawn.total };
}

/** The parameters /compare understands, in the order its addresses carry them. */
export const COMPARE_PARAMS = ['indicator', 'location', 'originator', 'verification', 'from', 'to', 'source'] as const;

function compare(q: Queries, args: { filters: ChartFilterValues }) {
  const chosen = args.filters.indicator.length > 0;
  const qs = filterQuery(args.filters, COMPARE_PARAMS);
  const options = { id: 'compare', title: 'Comparison', filters: args.filters, href: `/compare?${qs}`, embed: `/embed/compare?${qs}` };
  // Nothing is compared until at least one indicator is chosen: every figure at once is not a comparison.
  const drawn = chosen ? chartOf(q, filterFor(args.filters), options) : { chart: buildChart([], options), indicators: new Set<string>(), uncharted: undefined };
  return {
    chart: withoutRows(drawn.chart),
    // Said, never silently left out: chosen indicators with no published figure under these filters.
    missing: drawn.uncharted === undefined ? args.filters.indicator.filter((code) => !drawn.indicators.has(code)) : [],
    /** The chosen document's figure count when it states too many to chart by document (DOCUMENT_CHART_FIGURES). */
    uncharted: drawn.uncharted ?? null,
  };
}

function source(q: Queries, args: { id: number }) {
  const total = q.charts.countOfSource(args.id);
  if (total > DOCUMENT_CHART_FIGURES) {
    // A dataset-sized document: its first figures as entered and their passages, no chart (see DOCUMENT_CHART_FIGURES).
    const figures = q.charts.firstOfSource(args.id, LISTED_SOURCE_FIGURES);
    const quotes = [...new Set(figures.map((f) => f.source_quote))];
    return { chart: null, figures, total, quotes: quotes.slice(0, LISTED_QUOTES), totalQuotes: quotes.length, quotesOfListed: true };
  }
  const rows = q.charts.listFigures({ sourceId: args.id });
  const chart = buildChart(rows, { id: 'source', title: 'Figures from this document', filters: { source: args.id }, href: `/sources/${args.id}`, embed: `/embed/sources/${args.id}` });
  const quotes = [...new Set(rows.map((f) => f.source_quote))];
  return { chart: withoutRows(chart), figures: rows.slice(0, LISTED_SOURCE_FIGURES), total: rows.length, quotes: quotes.slice(0, LISTED_QUOTES), totalQuotes: quotes.length, quotesOfListed: false };
}

function location(q: Queries, args: { code: string; name: string }) {
  const path = `/locations/${encodeURIComponent(args.code)}`;
  const filter = { locationCodes: [args.code] };
  const drawn = chartOf(q, filter, { id: 'location', title: args.name, filters: { location: [args.code] }, href: path, embed: `/embed${path}` });
  return { chart: withoutRows(drawn.chart), figures: latestFigures(q, filter, LISTED_FIGURES), total: drawn.total };
}

/** Every place by level, with how many published figures each has: /locations. */
function places(q: Queries, _args: Record<string, never>) {
  const all = q.locations.listWithCounts();
  const levels = [...new Set(all.map((p) => p.admin_level))].sort((a, b) => a - b).map((level) => {
    const here = all.filter((p) => p.admin_level === level);
    return { level, withFigures: here.filter((p) => p.figure_count > 0), without: here.filter((p) => p.figure_count === 0) };
  });
  return { levels, total: all.length };
}

interface TopicArgs {
  slug: string;
  title: string;
  indicators: string[];
  related: string[];
  filters: { location?: string[]; from?: string | null; to?: string | null };
}

function topic(q: Queries, topic: TopicArgs) {
  const base = { locationCodes: topic.filters.location ?? [], from: topic.filters.from ?? null, to: topic.filters.to ?? null };
  const rows = q.charts.listFigures({ ...base, indicatorCodes: topic.indicators });
  const relatedRows = topic.related.length > 0 ? q.charts.listFigures({ ...base, indicatorCodes: topic.related }) : [];
  const filters = { location: topic.filters.location ?? [], from: topic.filters.from ?? null, to: topic.filters.to ?? null };
  const path = `/topics/${topic.slug}`;
  return {
    chart: withoutRows(buildChart(rows, { id: 'topic', title: topic.title, filters: { ...filters, indicator: topic.indicators }, href: path, embed: `/embed${path}` })),
    related:
      relatedRows.length > 0
        ? withoutRows(buildChart(relatedRows, { id: 'related', title: 'Related figures', filters: { ...filters, indicator: topic.related }, href: path, embed: `/embed${path}/related` }))
        : null,
    // The story in order: every figure, who states it, who claims, did and disputes it.
    figures: [...rows].sort((a, b) => a.reference_period_end.localeCompare(b.reference_period_end) || a.id - b.id),
  };
}

/** Every page builder by name: the worker thread looks them up by the name a route asks for. */
export const PAGE_BUILDERS = { dashboard, indicator, compare, source, location, places, topic };

export type PageName = keyof typeof PAGE_BUILDERS;
export type PageArgs<N extends PageName> = Parameters<(typeof PAGE_BUILDERS)[N]>[1];
export type PageView<N extends PageName> = ReturnType<(typeof PAGE_BUILDERS)[N]>;
