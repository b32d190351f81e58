import { Router } from 'express';
import type { Queries } from '../../db';
import { DataVersionCache } from '../cache';
import type { ChartFigureRow } from '../../db/queries/charts';
import { buildChart, withoutRows, type ChartView } from '../charts/chart';
import { HttpError } from '../errors';
import { parseId } from '../validation/query';

/** Figures and quotes listed on a source's page; a large document's full list is its CSV. */
const LISTED_FIGURES = 100;
const LISTED_QUOTES = 20;

/** A document's chart, with its page and embed addresses. */
export function sourceChart(id: number, rows: readonly ChartFigureRow[]): ChartView {
  return buildChart(rows, { id: 'source', title: 'Figures from this document', filters: { source: id }, href: `/sources/${id}`, embed: `/embed/sources/${id}` });
}

export function sourceRoutes(q: Queries): Router {
  const router = Router();
  const cache = new DataVersionCache(8);
  router.get('/sources', (_req, res) => {
    res.render('sources/index', { title: 'Sources', sources: q.sources.listWithCounts() });
  });

  router.get('/sources/:id', (req, res) => {
    const id = parseId(req.params.id, 'source');
    const source = q.sources.getById(id);
    if (!source) throw new HttpError(404, `there is no source ${id}`);
    const view = cache.get(String(id), q.exports.dataVersion().version, () => {
      const rows = q.charts.listFigures({ sourceId: id });
      const chart = sourceChart(id, rows);
      const quotes = [...new Set(rows.map((f) => f.source_quote))];
      return { chart: withoutRows(chart), figures: rows.slice(0, LISTED_FIGURES), total: rows.length, quotes: quotes.slice(0, LISTED_QUOTES), totalQuotes: quotes.length };
    });
    res.render('sources/show', { title: source.title, source, ...view, csvHref: `/export/figures.csv?source=${id}`, chartScripts: true });
  });
  return router;
}
