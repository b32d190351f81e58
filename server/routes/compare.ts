import { Router } from 'express';
import type { Queries } from '../../db';
import { VERIFICATIONS } from '../../db/types';
import { buildChart, filterQuery } from '../charts/chart';
import { parseChartFilters } from '../validation/chart-query';
import { filterFor } from './indicators';

export function compareRoutes(q: Queries): Router {
  const router = Router();

  router.get('/compare', (req, res) => {
    const filters = parseChartFilters(req.query, q);
    const chosen = filters.indicator.length > 0;
    // Nothing is compared until at least one indicator is chosen: every figure at once is not a comparison.
    const rows = chosen ? q.charts.listFigures(filterFor(filters)) : [];
    res.render('compare', {
      title: 'Compare',
      filters,
      chosen,
      chart: buildChart(rows, { id: 'compare', title: 'Comparison', filters }),
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
