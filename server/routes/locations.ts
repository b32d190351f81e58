import { Router } from 'express';
import type { Queries } from '../../db';
import type { PageViews } from '../charts/page-views';
import { HttpError } from '../errors';
import { nameIn, pageWords } from '../i18n';
import { pageLanguage } from '../i18n';

export function locationRoutes(q: Queries, views: PageViews): Router {
  const router = Router();

  router.get('/locations', async (_req, res) => {
    // Counting every place's figures reads them all: computed off the request path like a chart.
    const served = await views.get('places', '', {});
    res.locals.pageView = served.view;
    res.render('locations/index', { title: pageWords(res)('page.placesTitle'), ...served.value });
  });

  router.get('/locations/:code', async (req, res) => {
    const location = q.locations.getByCode(req.params.code);
    if (!location) throw new HttpError(404, `there is no place "${req.params.code}"`);
    const served = await views.get('location', location.code, { code: location.code, name: location.name }, pageLanguage(res));
    const view = served.value;
    res.locals.pageView = served.view;
    const parent = location.parent_id === null ? null : (q.charts.getLocationById(location.parent_id) ?? null);
    res.render('locations/show', {
      title: nameIn(res, 'location', location.code, location.name),
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
