import { Router, type Request, type Response } from 'express';
import type { Queries } from '../../db';
import { CONTRACT_VERSION } from '../domain/figure';
import { answerIfFresh } from '../export/caching';
import { writeCsv } from '../export/csv';
import { encodeCursor, encodeToken, feedWindow, parseCursor, parseSince } from '../export/sync';
import { parseExportQuery } from '../validation/export-filter';
import { parsePositiveInt } from '../validation/query';

/** Rows fetched per keyset page while streaming: large enough to be fast, small enough to keep memory flat. */
const EXPORT_PAGE_ROWS = 5000;
/** A paged CSV pull (`limit`) takes at most this many rows a page. */
export const CSV_MAX_LIMIT = 100_000;

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
    const feed = q.exports.feedPosition();
    const since = parseSince(req.query.since, feed);
    const { asOf, afterId } = parseCursor(req.query.cursor, feed);
    const window = feedWindow(asOf, since);
    const limit = req.query.limit === undefined ? null : parsePositiveInt(req.query.limit, 'limit', CSV_MAX_LIMIT, CSV_MAX_LIMIT);
    const state = { position: asOf, databaseId: feed.databaseId };
    res.set('Sync-Token', encodeToken(state));
    res.set('Tally-Contract-Version', String(CONTRACT_VERSION));
    if (answerIfFresh(req, res, q.exports.dataVersion(), { csv: 1, filter, flags, window, afterId, limit })) return;
    const walk = window.since === null && q.exports.shouldWalk(filter);
    const nextPage = (after: number) => q.exports.figureCells(filter, window, after, limit === null ? EXPORT_PAGE_ROWS : Math.min(EXPORT_PAGE_ROWS, limit + 1), walk);
    if (limit !== null) {
      // A paged pull says where the next page starts before the body: one row past the page tells.
      let probeAfter = afterId;
      let seen = 0;
      let lastOfPage = afterId;
      for (;;) {
        const rows = nextPage(probeAfter);
        if (rows.length === 0) break;
        for (const r of rows) {
          seen += 1;
          if (seen === limit) lastOfPage = r[0];
          if (seen > limit) break;
        }
        if (seen > limit) break;
        probeAfter = rows[rows.length - 1]?.[0] as number;
      }
      if (seen > limit) res.set('Link', `<${nextPageUrl(req, encodeCursor(state, lastOfPage))}>; rel="next"`);
    }
    const today = new Date().toISOString().slice(0, 10);
    res.set('Content-Type', 'text/csv; charset=utf-8');
    res.set('Content-Disposition', `attachment; filename="tally-figures-${today}.csv"`);
    await writeCsv(res, nextPage, q.exports.lookups, {
      hxl: flags.hxl === true,
      bom: flags.bom === true,
      afterId,
      ...(limit === null ? {} : { maxRows: limit }),
    });
  });

  return router;
}
