import { Router } from 'express';
import type { Queries } from '../../db';
import { buildChart } from '../charts/chart';
import { HttpError } from '../errors';

export function locationRoutes(q: Queries): Router {
  const router = Router();

  router.get('/locations/:code', (req, res) => {
    const location = q.locations.getByCode(req.params.code);
    if (!location) throw new HttpError(404, `there is no place "${req.params.code}"`);
    const rows = q.charts.listFigures({ locationCodes: [location.code] });
    const parent = location.parent_id === null ? null : (q.charts.getLocationById(location.parent_id) ?? null);
    const chart = buildChart(rows, { id: 'location', title: location.name, filters: { location: [location.code] } });
    res.render('locations/show', {
      title: location.name,
      location,
      parent,
      children: q.charts.listChildLocations(location.id),
      chart,
      figures: [...rows].reverse(),
      chartScripts: true,
    });
  });

  return router;
}
