import { Router } from 'express';
import type { Queries } from '../../db';
import { DataVersionCache } from '../cache';
import { buildChart, withoutRows } from '../charts/chart';
import { HttpError } from '../errors';
import { parseId } from '../validation/query';

/** Figures and quotes listed on a source's page; a large document's full list is its CSV. */
const LISTED_FIGURES = 100;
const LISTED_QUOTES = 20;

export function sourceRoutes(q: Queries): Router {
  const router = Router();
  const cache = new DataVersionCache(8);
  router.get('/sources', (_req, res) => {
    // A source is public once a published figure has cited it (migration 0009).
    res.render('sources/index', { title: 'Sources', sources: q.sources.listPublicWithCounts() });
  });

  router.get('/sources/:id', (req, res) => {
    const id = parseId(req.params.id, 'source');
    // Staff see a source no published figure cites yet; to anyone else it does not exist.
    const staff = Boolean(res.locals.user);
    const source = staff ? q.sources.getById(id) : q.sources.getPublicById(id);
    if (!source) throw new HttpError(404, `there is no source ${id}`);
    const view = cache.get(String(id), q.exports.dataVersion().version, () => {
      const rows = q.charts.listFigures({ sourceId: id });
      const chart = buildChart(rows, { id: 'source', title: 'Figures from this document', filters: { source: id } });
      const quotes = [...new Set(rows.map((f) => f.source_quote))];
      return { chart: withoutRows(chart), figures: rows.slice(0, LISTED_FIGURES), total: rows.length, quotes: quotes.slice(0, LISTED_QUOTES), totalQuotes: quotes.length };
    });
    const notPublic = staff && q.sources.publicSince(id) === null;
    res.render('sources/show', { title: source.title, source, notPublic, ...view, csvHref: `/export/figures.csv?source=${id}`, chartScripts: true });
  });
  return router;
}
