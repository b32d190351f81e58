import { Router } from 'express';
import type { Queries } from '../../db';

export function healthRoutes(q: Queries): Router {
  const router = Router();
  // Answers only when the database does: a failing query becomes a 500 via the error handler.
  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok', schemaVersion: q.schemaVersion() });
  });
  return router;
}
