import { Router } from 'express';
import type { Queries } from '../../db';

export function sourceRoutes(q: Queries): Router {
  const router = Router();
  router.get('/sources', (_req, res) => {
    res.render('sources/index', { title: 'Sources', sources: q.sources.listWithCounts() });
  });
  return router;
}
