import { Router, type Request, type Response } from 'express';
import type { Queries } from '../../db';
import type { ExportRow } from '../../db/queries/export';
import { openApiDocument } from '../api/openapi';
import { CONTRACT_VERSION, EXPORT_COLUMNS } from '../domain/figure';
import { HttpError } from '../errors';
import { answerIfFresh } from '../export/caching';
import { encodeCursor, readFeed } from '../export/sync';
import { parseExportQuery } from '../validation/export-filter';
import { parseId, parsePositiveInt, refuseUnknownParams } from '../validation/query';
import { nextPageUrl } from './exports';

export const API_MAX_LIMIT = 10_000;
const API_DEFAULT_LIMIT = 1000;
/** Sources per page of /api/v1/sources: each counts its published figures. */
export const SOURCES_DEFAULT_LIMIT = 500;
export const SOURCES_MAX_LIMIT = 1000;
const SOURCE_PARAMS = ['limit', 'cursor'];

/** The same columns as the CSV, as a JSON object with numbers as numbers. */
function rowObject(row: ExportRow): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  EXPORT_COLUMNS.forEach((column, i) => {
    out[column] = row[i] ?? null;
  });
  return out;
}

export function apiRoutes(q: Queries): Router {
  const router = Router();

  router.get('/api/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });

  router.get('/api/v1/figures', (req: Request, res: Response) => {
    const { filter } = parseExportQuery(req.query, q, { others: ['limit', 'cursor', 'since'] });
    const limit = parsePositiveInt(req.query.limit, 'limit', API_DEFAULT_LIMIT, API_MAX_LIMIT);
    const { window, afterId, state, token: syncToken } = readFeed(req.query, q.exports.feedPosition(), res);
    if (answerIfFresh(req, res, q.exports.dataVersion(), { api: 1, filter, limit, afterId, window })) return;
    // One extra row tells whether another page follows.
    const rows = q.exports.page(filter, window, afterId, limit + 1);
    const more = rows.length > limit;
    const data = (more ? rows.slice(0, limit) : rows).map(rowObject);
    const last = data.at(-1)?.figure_id;
    const nextCursor = more && typeof last === 'number' ? encodeCursor(state, last) : null;
    if (nextCursor) res.set('Link', `<${nextPageUrl(req, nextCursor)}>; rel="next"`);
    res.json({
      data,
      meta: { count: data.length, limit, next_cursor: nextCursor, sync_token: syncToken, contract_version: CONTRACT_VERSION },
    });
  });

  router.get('/api/v1/figures/:id', (req: Request, res: Response) => {
    const id = parseId(req.params.id, 'figure');
    const row = q.exports.getById(id);
    if (!row) throw new HttpError(404, `there is no published figure ${id}`);
    res.json({ data: rowObject(row) });
  });

  router.get('/api/v1/indicators', (_req, res) => {
    res.json({ data: q.indicators.list().map(({ id: _id, ...rest }) => rest) });
  });

  router.get('/api/v1/locations', (_req, res) => {
    const all = q.locations.list();
    const codeById = new Map(all.map((l) => [l.id, l.code]));
    res.json({
      data: all.map((l) => ({
        code: l.code,
        name: l.name,
        admin_level: l.admin_level,
        parent_code: l.parent_id === null ? null : (codeById.get(l.parent_id) ?? null),
      })),
    });
  });

  router.get('/api/v1/sources', (req: Request, res: Response) => {
    refuseUnknownParams(req.query, SOURCE_PARAMS);
    const limit = parsePositiveInt(req.query.limit, 'limit', SOURCES_DEFAULT_LIMIT, SOURCES_MAX_LIMIT);
    const cursor = req.query.cursor;
    if (cursor !== undefined && (typeof cursor !== 'string' || !/^\d{1,15}$/.test(cursor))) {
      throw new HttpError(400, 'cursor must be the next_cursor of the previous page, as given');
    }
    // One extra row tells whether another page follows.
    const rows = q.sources.listPublicAfter(cursor === undefined ? 0 : Number(cursor), limit + 1);
    const more = rows.length > limit;
    const data = (more ? rows.slice(0, limit) : rows).map(({ figure_count, ...s }) => ({ ...s, published_figures: figure_count }));
    const last = data.at(-1)?.id;
    const nextCursor = more && last !== undefined ? String(last) : null;
    if (nextCursor) res.set('Link', `<${nextPageUrl(req, nextCursor)}>; rel="next"`);
    res.json({ data, meta: { count: data.length, limit, next_cursor: nextCursor } });
  });

  router.get('/api', (_req, res) => {
    res.render('api/index', { title: 'API and CSV export', contractVersion: CONTRACT_VERSION });
  });

  return router;
}
