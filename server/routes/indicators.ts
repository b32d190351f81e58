import { Router } from 'express';
import type { Queries } from '../../db';
import { filterQuery } from '../charts/chart';
import type { PageViews } from '../charts/page-views';
import { HttpError } from '../errors';
import { nameIn } from '../i18n';
import { parseChartFilters, parseColourBy } from '../validation/chart-query';
import { pageLanguage } from '../i18n';

export { filterFor } from '../charts/pages';

export function indicatorRoutes(q: Queries, views: PageViews): Router {
  const router = Router();

  router.get('/indicators', (_req, res) => {
    res.render('indicators/index', { title: 'Indicators', indicators: q.indicators.list() });
  });

  router.get('/indicators/:code', async (req, res) => {
    const indicator = q.indicators.getByCode(req.params.code);
    if (!indicator) throw new HttpError(404, `there is no indicator "${req.params.code}"`);
    const by = parseColourBy(req.query.by);
    const filters = parseChartFilters({ ...req.query, indicator: undefined }, q);
    const key = JSON.stringify([indicator.code, by, filters]);
    const served = await views.get('indicator', key, { code: indicator.code, name: indicator.name, by, filters }, pageLanguage(res));
    const view = served.value;
    res.locals.pageView = served.view;
    const allHref = `/figures?${filterQuery({ ...filters, indicator: [indicator.code] }, ['indicator', 'location', 'verification'])}`;
    res.render('indicators/show', { title: nameIn(res, 'indicator', indicator.code, indicator.name), indicator, by, filters, ...view, allHref, chartScripts: true });
  });

  return router;
}
