import { Router, type Request, type Response } from 'express';
import type { Queries } from '../../db';
import { answerIfFresh } from '../export/caching';
import { writeCsv } from '../export/csv';
import { parseExportQuery } from '../validation/export-filter';

/** Rows fetched per keyset page while streaming: large enough to be fast, small enough to keep memory flat. */
const EXPORT_PAGE_ROWS = 5000;

export function exportRoutes(q: Queries): Router {
  const router = Router();

  router.get('/export/figures.csv', async (req: Request, res: Response) => {
    const { filter, flags } = parseExportQuery(req.query, q, { flags: ['hxl', 'bom'] });
    if (answerIfFresh(req, res, q.exports.dataVersion(), { csv: 1, filter, flags })) return;
    const today = new Date().toISOString().slice(0, 10);
    res.set('Content-Type', 'text/csv; charset=utf-8');
    res.set('Content-Disposition', `attachment; filename="tally-figures-${today}.csv"`);
    const walk = q.exports.shouldWalk(filter);
    await writeCsv(res, (afterId) => q.exports.figureCells(filter, afterId, EXPORT_PAGE_ROWS, walk), q.exports.lookups, {
      hxl: flags.hxl === true,
      bom: flags.bom === true,
    });
  });

  return router;
}
