import { Router } from 'express';
import type { Queries } from '../../db';
import { VERIFICATIONS } from '../../db/types';
import { DataVersionCache } from '../cache';
import { buildChart, filterQuery, withoutRows, type ChartView } from '../charts/chart';
import { parseChartFilters, type ParsedChartFilters } from '../validation/chart-query';
import { filterFor } from './indicators';

const UNIT_GROUPS: Record<string, string> = { people: 'People', usd: 'Money (US dollars)', percent: 'Shares (percent)' };

/** Options grouped for a picker: the label of each group and its entries, in order. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): { label: string; items: T[] }[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const label = key(item);
    groups.set(label, [...(groups.get(label) ?? []), item]);
  }
  return [...groups].map(([label, list]) => ({ label, items: list }));
}

const COMPARE_PARAMS = ['indicator', 'location', 'originator', 'verification', 'from', 'to', 'source'] as const;

/** The comparison chart of parsed filters, with its page and embed addresses. */
export function compareChart(q: Queries, filters: ParsedChartFilters, rows = compareRows(q, filters)): ChartView {
  const qs = filterQuery(filters, COMPARE_PARAMS);
  return buildChart(rows, { id: 'compare', title: 'Comparison', filters, href: `/compare?${qs}`, embed: `/embed/compare?${qs}` });
}

/** Nothing is compared until at least one indicator is chosen: every figure at once is not a comparison. */
function compareRows(q: Queries, filters: ParsedChartFilters) {
  return filters.indicator.length > 0 ? q.charts.listFigures(filterFor(filters)) : [];
}

export function compareRoutes(q: Queries): Router {
  const router = Router();
  const cache = new DataVersionCache(8);

  router.get('/compare', (req, res) => {
    const filters = parseChartFilters(req.query, q);
    const chosen = filters.indicator.length > 0;
    const indicators = q.indicators.list();
    const view = cache.get(JSON.stringify(filters), q.exports.dataVersion().version, () => {
      const rows = compareRows(q, filters);
      const chart = compareChart(q, filters, rows);
      const found = new Set(rows.map((r) => r.indicator_code));
      return {
        chart: withoutRows(chart),
        // Said, never silently left out: chosen indicators with no published figure under these filters.
        missing: filters.indicator.filter((code) => !found.has(code)),
      };
    });
    const names = new Map(indicators.map((i) => [i.code, i.name]));
    const source = filters.source === null ? null : (q.sources.getById(filters.source) ?? null);
    res.render('compare', {
      title: 'Compare',
      filters,
      chosen,
      chart: view.chart,
      missing: view.missing.map((code) => names.get(code) ?? code),
      ignored: Array.isArray(res.locals.ignoredParams) ? (res.locals.ignoredParams as string[]) : [],
      source,
      shareHref: `/compare?${filterQuery(filters, COMPARE_PARAMS)}`,
      indicatorGroups: groupBy(indicators, (i) => UNIT_GROUPS[i.unit] ?? `Counted in ${i.unit}`),
      locationGroups: groupBy(q.locations.list(), (l) => (l.admin_level === 0 ? 'Countries' : `Admin level ${l.admin_level}`)),
      originators: q.charts.listOriginators(),
      sources: q.sources.listWithCounts().filter((s) => s.figure_count > 0 || s.id === filters.source),
      verifications: VERIFICATIONS,
      chartScripts: true,
      scripts: ['/js/picker-search.js'],
    });
  });

  return router;
}
