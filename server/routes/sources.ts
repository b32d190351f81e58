import { Router } from 'express';
import type { Queries } from '../../db';
import type { PageViews } from '../charts/page-views';
import { HttpError } from '../errors';
import { parseId, parsePositiveInt } from '../validation/query';

const PAGE_SIZE = 50;

export function sourceRoutes(q: Queries, views: PageViews): Router {
  const router = Router();
  router.get('/sources', (req, res) => {
    const page = parsePositiveInt(req.query.page, 'page', 1);
    const total = q.sources.count();
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    if (page > pages) throw new HttpError(404, `page ${page} is past the last page (${pages})`);
    const href = (n: number): string => (n > 1 ? `/sources?page=${n}` : '/sources');
    res.render('sources/index', {
      title: 'Sources',
      sources: q.sources.listWithCountsPage(PAGE_SIZE, (page - 1) * PAGE_SIZE),
      total,
      page,
      pages,
      prevHref: page > 1 ? href(page - 1) : null,
      nextHref: page < pages ? href(page + 1) : null,
    });
  });

  router.get('/sources/:id', async (req, res) => {
    const id = parseId(req.params.id, 'source');
    const source = q.sources.getById(id);
    if (!source) throw new HttpError(404, `there is no source ${id}`);
    const served = await views.get('source', String(id), { id });
    const view = served.value;
    res.locals.pageView = served.view;
    res.render('sources/show', { title: source.title, source, ...view, csvHref: `/export/figures.csv?source=${id}`, chartScripts: true });
  });
  return router;
}
