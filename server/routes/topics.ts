import { Router } from 'express';
import type { Queries } from '../../db';
import { DataVersionCache } from '../cache';
import { buildChart, withoutRows } from '../charts/chart';
import { HttpError } from '../errors';

/** Topic pages: indicators an admin grouped, drawn together, with related figures beside them and every figure listed. */
export function topicRoutes(q: Queries): Router {
  const router = Router();
  const cache = new DataVersionCache(8);

  router.get('/topics', (_req, res) => {
    res.render('topics/index', { title: 'Topics', topics: q.topics.list() });
  });

  router.get('/topics/:slug', (req, res) => {
    const slug = typeof req.params.slug === 'string' ? req.params.slug : '';
    const topic = /^[a-z0-9-]{2,80}$/.test(slug) ? q.topics.getBySlug(slug) : undefined;
    if (!topic) throw new HttpError(404, `there is no topic "${slug.slice(0, 80)}"`);
    const view = cache.get(slug, q.exports.dataVersion().version, () => {
      const base = { locationCodes: topic.filters.location ?? [], from: topic.filters.from ?? null, to: topic.filters.to ?? null };
      const rows = q.charts.listFigures({ ...base, indicatorCodes: topic.indicators });
      const relatedRows = topic.related.length > 0 ? q.charts.listFigures({ ...base, indicatorCodes: topic.related }) : [];
      const filters = { location: topic.filters.location ?? [], from: topic.filters.from ?? null, to: topic.filters.to ?? null };
      return {
        chart: withoutRows(buildChart(rows, { id: 'topic', title: topic.title, filters: { ...filters, indicator: topic.indicators } })),
        related: relatedRows.length > 0 ? withoutRows(buildChart(relatedRows, { id: 'related', title: 'Related figures', filters: { ...filters, indicator: topic.related } })) : null,
        // The story in order: every figure, who states it, who claims, did and disputes it.
        figures: [...rows].sort((a, b) => a.reference_period_end.localeCompare(b.reference_period_end) || a.id - b.id),
      };
    });
    res.render('topics/show', { title: topic.title, topic, ...view, chartScripts: true });
  });

  return router;
}
