import { Router } from 'express';
import type { Queries } from '../../db';
import { VERIFICATIONS } from '../../db/types';
import { filterQuery } from '../charts/chart';
import type { PageViews } from '../charts/page-views';
import { COMPARE_PARAMS } from '../charts/pages';
import { nameIn, pageWords } from '../i18n';
import { parseChartFilters } from '../validation/chart-query';
import { pageLanguage } from '../i18n';

/** The picker's group of an indicator's unit: a key of locales/*.json. */
const UNIT_GROUPS: Record<string, string> = { people: 'compare.groupPeople', usd: 'compare.groupUsd', percent: 'compare.groupPercent' };

/** Options grouped for a picker: the label of each group and its entries, in order. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): { label: string; items: T[] }[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const label = key(item);
    groups.set(label, [...(groups.get(label) ?? []), item]);
  }
  return [...groups].map(([label, list]) => ({ label, items: list }));
}

/** The sources the picker offers: those published figures cite, and the chosen one even when none does now. */
function pickerSources(q: Queries, chosen: { id: number } | null) {
  const cited = q.sources.listCitedPublic();
  return chosen && !cited.some((s) => s.id === chosen.id) ? [...cited, chosen] : cited;
}

export function compareRoutes(q: Queries, views: PageViews): Router {
  const router = Router();

  router.get('/compare', async (req, res) => {
    const filters = parseChartFilters(req.query, q);
    const chosen = filters.indicator.length > 0;
    const served = await views.get('compare', JSON.stringify(filters), { filters }, pageLanguage(res));
    const view = served.value;
    res.locals.pageView = served.view;
    const indicators = q.indicators.list();
    const names = new Map(indicators.map((i) => [i.code, i.name]));
    const source = filters.source === null ? null : (q.sources.getPublicById(filters.source) ?? null);
    const t = pageWords(res);
    res.render('compare', {
      title: t('page.compareTitle'),
      filters,
      chosen,
      chart: view.chart,
      missing: view.missing.map((code) => nameIn(res, 'indicator', code, names.get(code) ?? code)),
      uncharted: view.uncharted,
      ignored: Array.isArray(res.locals.ignoredParams) ? (res.locals.ignoredParams as string[]) : [],
      source,
      shareHref: `/compare?${filterQuery(filters, COMPARE_PARAMS)}`,
      indicatorGroups: groupBy(indicators, (i) => t(UNIT_GROUPS[i.unit] ?? 'compare.groupOther', { unit: t(`chart.unit.${i.unit}`, { defaultValue: i.unit }) })),
      locationGroups: groupBy(q.locations.list(), (l) => t(l.admin_level === 0 ? 'compare.countries' : 'compare.adminLevel', { level: l.admin_level })),
      originators: q.charts.listOriginators(),
      // The public sources that published figures cite, and the chosen one.
      sources: pickerSources(q, source),
      verifications: VERIFICATIONS,
      chartScripts: true,
      scripts: ['/js/picker-search.js'],
    });
  });

  return router;
}
