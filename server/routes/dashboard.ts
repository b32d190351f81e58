import { Router } from 'express';
import type { Queries } from '../../db';
import type { ChartFigureRow } from '../../db/queries/charts';
import { DataVersionCache } from '../cache';
import { buildChart, withoutRows } from '../charts/chart';
import { periodLabel, shortValue } from '../charts/series';
import { formatValue } from '../format';

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
  /** For the page's language: the label's message and date, and the place and date of the detail. */
  i18n?: { key: string; date: string };
  asOf?: { place: string; date: string };
}

export function dashboardRoutes(q: Queries): Router {
  const router = Router();
  const cache = new DataVersionCache(1);

  router.get('/', (_req, res) => {
    const t = res.locals.t as ((key: string) => string) | undefined;
    res.render('dashboard', { title: t ? t('dashboard.title') : 'Dashboard', ...cache.get('dashboard', q.exports.dataVersion().version, () => dashboardView(q)), chartScripts: true });
  });

  return router;
}

/** The dashboard's charts by name, as /embed/dashboard/:name serves them. */
export const DASHBOARD_CHARTS = ['casualties', 'funding', 'people'] as const;

/** Everything the dashboard shows, computed from the published figures. */
export function dashboardView(q: Queries) {
  const casualtyFilter = { indicator: ['civilian_deaths', 'civilian_injuries'] };
  const casualtyRows = q.charts.listFigures({ indicatorCodes: casualtyFilter.indicator });
  const fundingFilter = { indicator: ['funding_required_usd', 'funding_received_usd'] };
  const fundingRows = q.charts.listFigures({ indicatorCodes: fundingFilter.indicator });
  const peopleFilter = { indicator: ['people_in_need', 'people_targeted', 'people_reached'] };
  const peopleRows = q.charts.listFigures({ indicatorCodes: peopleFilter.indicator });

  const runningTotals = casualtyRows.filter((r) => r.measure === 'running_total');
  const headlines: Headline[] = [];
  const deaths = latest(runningTotals.filter((r) => r.indicator_code === 'civilian_deaths'));
  if (deaths) headlines.push({ label: `Civilians killed since ${deaths.reference_period_start}`, value: formatValue(deaths.value, deaths.qualifier), detail: `${deaths.location_name}, as of ${deaths.reference_period_end}`, figure: deaths, i18n: { key: 'dashboard.killedSince', date: deaths.reference_period_start }, asOf: { place: deaths.location_name, date: deaths.reference_period_end } });
  const injuries = latest(runningTotals.filter((r) => r.indicator_code === 'civilian_injuries'));
  if (injuries) headlines.push({ label: `Civilians injured since ${injuries.reference_period_start}`, value: formatValue(injuries.value, injuries.qualifier), detail: `${injuries.location_name}, as of ${injuries.reference_period_end}`, figure: injuries, i18n: { key: 'dashboard.injuredSince', date: injuries.reference_period_start }, asOf: { place: injuries.location_name, date: injuries.reference_period_end } });
  const inNeed = latest(peopleRows.filter((r) => r.indicator_code === 'people_in_need'));
  if (inNeed) headlines.push({ label: 'People in need', value: shortValue(inNeed.value, inNeed.qualifier, 'people'), exact: formatValue(inNeed.value, inNeed.qualifier), detail: `${inNeed.location_name}, ${periodLabel(inNeed.reference_period_start, inNeed.reference_period_end)}`, figure: inNeed, i18n: { key: 'dashboard.inNeed', date: inNeed.reference_period_end } });
  const coverage = fundingCoverage(fundingRows);
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
    casualties: withoutRows(buildChart(casualtyRows, { id: 'casualties', title: 'Civilian deaths and injuries', filters: casualtyFilter, href: '/', embed: '/embed/dashboard/casualties' })),
    funding: withoutRows(buildChart(fundingRows, { id: 'funding', title: 'Funding required and received', filters: fundingFilter, href: '/', embed: '/embed/dashboard/funding' })),
    people: withoutRows(buildChart(peopleRows, { id: 'people', title: 'People in need, targeted and reached', filters: peopleFilter, href: '/', embed: '/embed/dashboard/people' })),
    latestFigures: q.charts.listLatest(10),
  };
}
