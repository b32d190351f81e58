import { Router } from 'express';
import type { Queries } from '../../../db';
import { parsePositiveInt } from '../../validation/query';

const PAGE_SIZE = 50;

/** Open inconsistencies of published figures: stored at write time, read here by page. */
export function adminCheckRoutes(q: Queries): Router {
  const router = Router();
  router.get('/admin/checks', (req, res) => {
    const total = q.checks.countOpen();
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const page = Math.min(parsePositiveInt(req.query.page, 'page', 1), pages);
    const checks = q.checks.open({ limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }).map((c) => ({ ...c, related: JSON.parse(c.related) as number[] }));
    res.render('admin/checks/index', { title: 'Consistency checks', checks, total, page, pages });
  });
  return router;
}
