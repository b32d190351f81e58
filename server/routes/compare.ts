import { Router } from 'express';
import type { Queries } from '../../db';
import { VERIFICATIONS } from '../../db/types';
import { filterQuery } from '../charts/chart';
import type { PageViews } from '../charts/page-views';
import { parseChartFilters } from '../validation/chart-query';

export function compareRoutes(q: Queries, views: PageViews): Router {
  const router = Router();

  router.get('/compare', async (req, res) => {
    const filters = parseChartFilters(req.query, q);
    const chosen = filters.indicator.length > 0;
    const served = await views.get('compare', JSON.stringify(filters), { filters });
    const chart = served.value;
    res.locals.pageView = served.view;
    res.render('compare', {
      title: 'Compare',
      filters,
      chosen,
      chart,
      shareHref: `/compare?${filterQuery(filters, ['indicator', 'location', 'originator', 'verification', 'from', 'to'])}`,
      indicators: q.indicators.list(),
      locations: q.locations.list(),
      originators: q.charts.listOriginators(),
      verifications: VERIFICATIONS,
      chartScripts: true,
    });
  });

  return router;
}
