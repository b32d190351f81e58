import { Router } from 'express';
import type { Queries } from '../../db';
import type { PageViews } from '../charts/page-views';
import { pageLanguage } from '../i18n';

export type { Coverage, Headline } from '../charts/pages';
export { fundingCoverage } from '../charts/pages';

export function dashboardRoutes(_q: Queries, views: PageViews): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    const served = await views.get('dashboard', '', {}, pageLanguage(res));
    const value = served.value;
    res.locals.pageView = served.view;
    const t = res.locals.t as ((key: string) => string) | undefined;
    res.render('dashboard', { title: t ? t('dashboard.title') : 'Dashboard', ...value, chartScripts: true });
  });

  return router;
}
