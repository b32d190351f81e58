import { Router } from 'express';
import type { Queries } from '../../db';
import { buildChart } from '../charts/chart';
import { HttpError } from '../errors';
import { parseId } from '../validation/query';

export function sourceRoutes(q: Queries): Router {
  const router = Router();
  router.get('/sources', (_req, res) => {
    res.render('sources/index', { title: 'Sources', sources: q.sources.listWithCounts() });
  });

  router.get('/sources/:id', (req, res) => {
    const id = parseId(req.params.id, 'source');
    const source = q.sources.getById(id);
    if (!source) throw new HttpError(404, `there is no source ${id}`);
    const rows = q.charts.listFigures({ sourceId: id });
    const chart = buildChart(rows, { id: 'source', title: 'Figures from this document', filters: { source: id } });
    res.render('sources/show', { title: source.title, source, chart, figures: rows, chartScripts: true });
  });
  return router;
}
