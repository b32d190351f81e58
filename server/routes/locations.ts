import { Router } from 'express';
import type { Queries } from '../../db';
import { DataVersionCache } from '../cache';
import type { ChartFigureRow } from '../../db/queries/charts';
import type { LocationRow } from '../../db/types';
import { buildChart, withoutRows, type ChartView } from '../charts/chart';
import { HttpError } from '../errors';

/** The latest figures listed under a place's chart; the rest are a click away on /figures. */
const LISTED_FIGURES = 50;

/** A place's chart, with its page and embed addresses. */
export function locationChart(location: LocationRow, rows: readonly ChartFigureRow[]): ChartView {
  const path = `/locations/${encodeURIComponent(location.code)}`;
  return buildChart(rows, { id: 'location', title: location.name, filters: { location: [location.code] }, href: path, embed: `/embed${path}` });
}

export function locationRoutes(q: Queries): Router {
  const router = Router();
  const cache = new DataVersionCache(8);

  router.get('/locations', (_req, res) => {
    const places = q.locations.listWithCounts();
    const levels = [...new Set(places.map((p) => p.admin_level))].sort((a, b) => a - b).map((level) => {
      const here = places.filter((p) => p.admin_level === level);
      return { level, withFigures: here.filter((p) => p.figure_count > 0), without: here.filter((p) => p.figure_count === 0) };
    });
    res.render('locations/index', { title: 'Places', levels, total: places.length });
  });

  router.get('/locations/:code', (req, res) => {
    const location = q.locations.getByCode(req.params.code);
    if (!location) throw new HttpError(404, `there is no place "${req.params.code}"`);
    const view = cache.get(location.code, q.exports.dataVersion().version, () => {
      const rows = q.charts.listFigures({ locationCodes: [location.code] });
      const chart = locationChart(location, rows);
      return { chart: withoutRows(chart), figures: rows.slice(-LISTED_FIGURES).reverse(), total: rows.length };
    });
    const parent = location.parent_id === null ? null : (q.charts.getLocationById(location.parent_id) ?? null);
    res.render('locations/show', {
      title: location.name,
      location,
      parent,
      children: q.charts.listChildLocations(location.id),
      ...view,
      allHref: `/figures?location=${encodeURIComponent(location.code)}`,
      chartScripts: true,
    });
  });

  return router;
}
