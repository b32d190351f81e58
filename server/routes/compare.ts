import { Router } from 'express';
import type { Queries } from '../../db';
import { VERIFICATIONS } from '../../db/types';
import { DataVersionCache } from '../cache';
import { buildChart, filterQuery, withoutRows } from '../charts/chart';
import { parseChartFilters } from '../validation/chart-query';
import { filterFor } from './indicators';

export function compareRoutes(q: Queries): Router {
  const router = Router();
  const cache = new DataVersionCache(8);

  router.get('/compare', (req, res) => {
    const filters = parseChartFilters(req.query, q);
    const chosen = filters.indicator.length > 0;
    // Nothing is compared until at least one indicator is chosen: every figure at once is not a comparison.
    const chart = cache.get(JSON.stringify(filters), q.exports.dataVersion().version, () =>
      withoutRows(buildChart(chosen ? q.charts.listFigures(filterFor(filters)) : [], { id: 'compare', title: 'Comparison', filters })),
    );
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
