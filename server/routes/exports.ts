import { Router, type Request, type Response } from 'express';
import type { Queries } from '../../db';
import { answerIfFresh } from '../export/caching';
import { lineId, writeCsv, writeCsvLines } from '../export/csv';
import { encodeCursor, readFeed } from '../export/sync';
import { parseExportQuery } from '../validation/export-filter';
import { parsePositiveInt } from '../validation/query';

/** Rows fetched per keyset page while streaming: large enough to be fast, small enough to keep memory flat. */
const EXPORT_PAGE_ROWS = 5000;
/** A paged CSV pull (`limit`) takes at most this many rows a page, read in one go; without `limit` the export streams. */
export const CSV_MAX_LIMIT = 10_000;

/** The URL of the next page: the same query with the cursor replaced. */
export function nextPageUrl(req: Request, cursor: string): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(req.query)) {
    if (name === 'cursor') continue;
    for (const v of Array.isArray(value) ? value : [value]) if (typeof v === 'string') params.append(name, v);
  }
  params.set('cursor', cursor);
  return `${req.path}?${params.toString()}`;
}

export function exportRoutes(q: Queries): Router {
  const router = Router();

  router.get('/export/figures.csv', async (req: Request, res: Response) => {
    const { filter, flags } = parseExportQuery(req.query, q, { flags: ['hxl', 'bom'], others: ['since', 'limit', 'cursor'] });
    const limit = req.query.limit === undefined ? null : parsePositiveInt(req.query.limit, 'limit', CSV_MAX_LIMIT, CSV_MAX_LIMIT);
    const { window, afterId, state } = readFeed(req.query, q.exports.feedPosition(), res);
    if (answerIfFresh(req, res, q.exports.dataVersion(), { csv: 1, filter, flags, window, afterId, limit })) return;
    const walk = window.since === null && q.exports.shouldWalk(filter);
    const today = new Date().toISOString().slice(0, 10);
    const head = (): void => {
      res.set('Content-Type', 'text/csv; charset=utf-8');
      res.set('Content-Disposition', `attachment; filename="tally-figures-${today}.csv"`);
    };
    const options = { hxl: flags.hxl === true, bom: flags.bom === true, afterId };
    if (window.since === null) {
      // A full pull: SQLite builds each line; JavaScript joins and writes them.
      let nextLines = (after: number) => q.exports.figureLines(filter, window, after, EXPORT_PAGE_ROWS, walk);
      if (limit !== null) {
        const rows = q.exports.figureLines(filter, window, afterId, limit + 1, walk);
        const page = rows.slice(0, limit);
        const lastLine = page.at(-1);
        const last = lastLine === undefined ? undefined : lineId(lastLine);
        if (rows.length > limit && last !== undefined) res.set('Link', `<${nextPageUrl(req, encodeCursor(state, last))}>; rel="next"`);
        nextLines = (after) => (after === afterId ? page : []);
      }
      head();
      await writeCsvLines(res, nextLines, options);
      return;
    }
    let nextPage = (after: number) => q.exports.figureCells(filter, window, after, EXPORT_PAGE_ROWS, walk);
    if (limit !== null) {
      // A page is read once, with one row more: whether it exists says where the next page starts (the Link header goes before the body).
      const rows = q.exports.figureCells(filter, window, afterId, limit + 1, walk);
      const page = rows.slice(0, limit);
      const last = page.at(-1)?.[0];
      if (rows.length > limit && last !== undefined) res.set('Link', `<${nextPageUrl(req, encodeCursor(state, last))}>; rel="next"`);
      nextPage = (after) => (after === afterId ? page : []);
    }
    head();
    await writeCsv(res, nextPage, q.exports.lookups, options);
  });

  return router;
}
