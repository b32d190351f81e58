import { Router } from 'express';
import type { Queries } from '../../db';
import { DataVersionCache } from '../cache';
import type { ChartFigureRow } from '../../db/queries/charts';
import type { IndicatorRow } from '../../db/types';
import { buildChart, filterQuery, withoutRows, type ChartView } from '../charts/chart';
import { HttpError } from '../errors';
import { parseChartFilters, parseColourBy, type ParsedChartFilters } from '../validation/chart-query';

/** The latest figures listed under an indicator's chart; the rest are a click away on /figures. */
const LISTED_FIGURES = 50;

export function indicatorRoutes(q: Queries): Router {
  const router = Router();
  const cache = new DataVersionCache(8);

  router.get('/indicators', (_req, res) => {
    res.render('indicators/index', { title: 'Indicators', indicators: q.indicators.list() });
  });

  router.get('/indicators/:code', (req, res) => {
    const indicator = q.indicators.getByCode(req.params.code);
    if (!indicator) throw new HttpError(404, `there is no indicator "${req.params.code}"`);
    const by = parseColourBy(req.query.by);
    const filters = parseChartFilters({ ...req.query, indicator: undefined }, q);
    const key = JSON.stringify([indicator.code, by, filters]);
    const view = cache.get(key, q.exports.dataVersion().version, () => {
      const rows = q.charts.listFigures({ ...filterFor(filters), indicatorCodes: [indicator.code] });
      const chart = indicatorChart(indicator, by, filters, rows);
      return { chart: withoutRows(chart), figures: rows.slice(-LISTED_FIGURES).reverse(), total: rows.length };
    });
    const allHref = `/figures?${filterQuery({ ...filters, indicator: [indicator.code] }, ['indicator', 'location', 'verification'])}`;
    res.render('indicators/show', { title: indicator.name, indicator, by, filters, ...view, allHref, chartScripts: true });
  });

  return router;
}

/** An indicator's chart, with its page and embed addresses. */
export function indicatorChart(indicator: IndicatorRow, by: 'location' | 'originator', filters: ParsedChartFilters, rows: readonly ChartFigureRow[]): ChartView {
  const qs = filterQuery(filters, ['location', 'originator', 'verification', 'from', 'to', 'source']);
  const path = `/indicators/${encodeURIComponent(indicator.code)}?by=${by}${qs ? `&${qs}` : ''}`;
  return buildChart(rows, { id: 'indicator', title: indicator.name, colourBy: by, filters: { ...filters, indicator: [indicator.code] }, href: path, embed: `/embed${path}` });
}

/** The query filter of parsed chart filters. */
export function filterFor(f: ReturnType<typeof parseChartFilters>) {
  return { indicatorCodes: f.indicator, locationCodes: f.location, originators: f.originator, verifications: f.verification, from: f.from, to: f.to, sourceId: f.source };
}
