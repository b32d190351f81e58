import { Router } from 'express';
import type { Queries } from '../../db';
import type { PageViews } from '../charts/page-views';
import { HttpError } from '../errors';
import { pageWords } from '../i18n';
import { parseId, parsePositiveInt } from '../validation/query';
import { pageLanguage } from '../i18n';

const PAGE_SIZE = 50;

export function sourceRoutes(q: Queries, views: PageViews): Router {
  const router = Router();
  router.get('/sources', (req, res) => {
    // A source is public once a published figure has cited it (migration 0009).
    const page = parsePositiveInt(req.query.page, 'page', 1);
    const total = q.sources.countPublic();
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    if (page > pages) throw new HttpError(404, `page ${page} is past the last page (${pages})`);
    const href = (n: number): string => (n > 1 ? `/sources?page=${n}` : '/sources');
    res.render('sources/index', {
      title: pageWords(res)('page.sourcesTitle'),
      sources: q.sources.listPublicWithCountsPage(PAGE_SIZE, (page - 1) * PAGE_SIZE),
      total,
      page,
      pages,
      prevHref: page > 1 ? href(page - 1) : null,
      nextHref: page < pages ? href(page + 1) : null,
    });
  });

  router.get('/sources/:id', async (req, res) => {
    const id = parseId(req.params.id, 'source');
    // Staff see a source no published figure cites yet; to anyone else it does not exist.
    const staff = Boolean(res.locals.user);
    const source = staff ? q.sources.getById(id) : q.sources.getPublicById(id);
    if (!source) throw new HttpError(404, `there is no source ${id}`);
    const served = await views.get('source', String(id), { id }, pageLanguage(res));
    const view = served.value;
    res.locals.pageView = served.view;
    const notPublic = staff && q.sources.publicSince(id) === null;
    res.render('sources/show', { title: source.title, source, notPublic, ...view, csvHref: `/export/figures.csv?source=${id}`, chartScripts: true });
  });
  return router;
}
