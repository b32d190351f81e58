import type { Queries } from '../../db';
import type { ChartFigureRow } from '../../db/queries/charts';
import { formatValue } from '../format';
import type { parseChartFilters } from '../validation/chart-query';
import { buildChart, withoutRows } from './chart';
import { periodLabel, shortValue } from './series';

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
  const required = rows.filter((r) => r.indicator_code === 'funding_required_usd' && r.verification !== 'claimed');
  const received = rows.filter((r) => r.indicator_code === 'funding_received_usd' && r.verification !== 'claimed');
  const out: Coverage[] = [];
  for (const req of required) {
    const rec = latest(
      received.filter(
        (r) => r.location_code === req.location_code && r.reference_period_start === req.reference_period_start && r.reference_period_end === req.reference_period_end,
      ),
    );
    if (!rec || req.value === 0) continue;
    if (out.some((c) => c.required.location_code === req.location_code && c.required.reference_period_start === req.reference_period_start)) continue;
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
}

/** Everything the dashboard shows, computed from the published figures. */
function dashboard(q: Queries, _args: Record<string, never>) {
  const casualtyFilter = { indicator: ['civilian_deaths', 'civilian_injuries'] };
  const casualtyRows = q.charts.listFigures({ indicatorCodes: casualtyFilter.indicator });
  const fundingFilter = { indicator: ['funding_required_usd', 'funding_received_usd'] };
  const fundingRows = q.charts.listFigures({ indicatorCodes: fundingFilter.indicator });
  const peopleFilter = { indicator: ['people_in_need', 'people_targeted', 'people_reached'] };
  const peopleRows = q.charts.listFigures({ indicatorCodes: peopleFilter.indicator });

  const runningTotals = casualtyRows.filter((r) => r.measure === 'running_total');
  const headlines: Headline[] = [];
  const deaths = latest(runningTotals.filter((r) => r.indicator_code === 'civilian_deaths'));
  if (deaths) headlines.push({ label: `Civilians killed since ${deaths.reference_period_start}`, value: formatValue(deaths.value, deaths.qualifier), detail: `${deaths.location_name}, as of ${deaths.reference_period_end}`, figure: deaths });
  const injuries = latest(runningTotals.filter((r) => r.indicator_code === 'civilian_injuries'));
  if (injuries) headlines.push({ label: `Civilians injured since ${injuries.reference_period_start}`, value: formatValue(injuries.value, injuries.qualifier), detail: `${injuries.location_name}, as of ${injuries.reference_period_end}`, figure: injuries });
  const inNeed = latest(peopleRows.filter((r) => r.indicator_code === 'people_in_need'));
  if (inNeed) headlines.push({ label: 'People in need', value: shortValue(inNeed.value, inNeed.qualifier, 'people'), exact: formatValue(inNeed.value, inNeed.qualifier), detail: `${inNeed.location_name}, ${periodLabel(inNeed.reference_period_start, inNeed.reference_period_end)}`, figure: inNeed });
  const coverage = fundingCoverage(fundingRows);
  const latestCoverage = coverage[0];
  if (latestCoverage) {
    headlines.push({
      label: 'Funding coverage',
      value: latestCoverage.text,
      detail: `${latestCoverage.location}, ${latestCoverage.period}: received ${shortValue(latestCoverage.received.value, latestCoverage.received.qualifier, 'usd')} of ${shortValue(latestCoverage.required.value, latestCoverage.required.qualifier, 'usd')} required`,
      figure: latestCoverage.received,
    });
  }

  return {
    headlines,
    coverage,
    casualties: withoutRows(buildChart(casualtyRows, { id: 'casualties', title: 'Civilian deaths and injuries', filters: casualtyFilter })),
    funding: withoutRows(buildChart(fundingRows, { id: 'funding', title: 'Funding required and received', filters: fundingFilter })),
    people: withoutRows(buildChart(peopleRows, { id: 'people', title: 'People in need, targeted and reached', filters: peopleFilter })),
    latestFigures: q.charts.listLatest(10),
  };
}

export type ChartFilterValues = ReturnType<typeof parseChartFilters>;

/** The query filter of parsed chart filters. */
export function filterFor(f: ChartFilterValues) {
  return { indicatorCodes: f.indicator, locationCodes: f.location, originators: f.originator, verifications: f.verification, from: f.from, to: f.to };
}

/** The latest figures listed under an indicator's or a place's chart; the rest are a click away on /figures. */
const LISTED_FIGURES = 50;
/** Figures and quotes listed on a source's page; a large document's full list is its CSV. */
const LISTED_SOURCE_FIGURES = 100;
const LISTED_QUOTES = 20;

function indicator(q: Queries, args: { code: string; name: string; by: 'originator' | 'location'; filters: ChartFilterValues }) {
  const rows = q.charts.listFigures({ ...filterFor(args.filters), indicatorCodes: [args.code] });
  const chart = buildChart(rows, { id: 'indicator', title: args.name, colourBy: args.by, filters: { ...args.filters, indicator: [args.code] } });
  return { chart: withoutRows(chart), figures: rows.slice(-LISTED_FIGURES).reverse(), total: rows.length };
}

function compare(q: Queries, args: { filters: ChartFilterValues }) {
  const chosen = args.filters.indicator.length > 0;
  // Nothing is compared until at least one indicator is chosen: every figure at once is not a comparison.
  return withoutRows(buildChart(chosen ? q.charts.listFigures(filterFor(args.filters)) : [], { id: 'compare', title: 'Comparison', filters: args.filters }));
}

function source(q: Queries, args: { id: number }) {
  const rows = q.charts.listFigures({ sourceId: args.id });
  const chart = buildChart(rows, { id: 'source', title: 'Figures from this document', filters: { source: args.id } });
  const quotes = [...new Set(rows.map((f) => f.source_quote))];
  return { chart: withoutRows(chart), figures: rows.slice(0, LISTED_SOURCE_FIGURES), total: rows.length, quotes: quotes.slice(0, LISTED_QUOTES), totalQuotes: quotes.length };
}

function location(q: Queries, args: { code: string; name: string }) {
  const rows = q.charts.listFigures({ locationCodes: [args.code] });
  const chart = buildChart(rows, { id: 'location', title: args.name, filters: { location: [args.code] } });
  return { chart: withoutRows(chart), figures: rows.slice(-LISTED_FIGURES).reverse(), total: rows.length };
}

interface TopicArgs {
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
  return {
    chart: withoutRows(buildChart(rows, { id: 'topic', title: topic.title, filters: { ...filters, indicator: topic.indicators } })),
    related: relatedRows.length > 0 ? withoutRows(buildChart(relatedRows, { id: 'related', title: 'Related figures', filters: { ...filters, indicator: topic.related } })) : null,
    // The story in order: every figure, who states it, who claims, did and disputes it.
    figures: [...rows].sort((a, b) => a.reference_period_end.localeCompare(b.reference_period_end) || a.id - b.id),
  };
}

/** Every page builder by name: the worker thread looks them up by the name a route asks for. */
export const PAGE_BUILDERS = { dashboard, indicator, compare, source, location, topic };

export type PageName = keyof typeof PAGE_BUILDERS;
export type PageArgs<N extends PageName> = Parameters<(typeof PAGE_BUILDERS)[N]>[1];
export type PageView<N extends PageName> = ReturnType<(typeof PAGE_BUILDERS)[N]>;
