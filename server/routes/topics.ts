import { Router } from 'express';
import type { Queries } from '../../db';
import { DataVersionCache } from '../cache';
import type { ChartFigureRow } from '../../db/queries/charts';
import { buildChart, withoutRows, type ChartView } from '../charts/chart';
import { HttpError } from '../errors';

type Topic = NonNullable<ReturnType<Queries['topics']['getBySlug']>>;

/** A topic's chart and its related figures' chart (null when it names none with figures), with their page and embed addresses. */
export function topicCharts(q: Queries, topic: Topic): { chart: ChartView; related: ChartView | null; rows: ChartFigureRow[] } {
  const base = { locationCodes: topic.filters.location ?? [], from: topic.filters.from ?? null, to: topic.filters.to ?? null };
  const rows = q.charts.listFigures({ ...base, indicatorCodes: topic.indicators });
  const relatedRows = topic.related.length > 0 ? q.charts.listFigures({ ...base, indicatorCodes: topic.related }) : [];
  const filters = { location: topic.filters.location ?? [], from: topic.filters.from ?? null, to: topic.filters.to ?? null };
  const path = `/topics/${topic.slug}`;
  return {
    chart: buildChart(rows, { id: 'topic', title: topic.title, filters: { ...filters, indicator: topic.indicators }, href: path, embed: `/embed${path}` }),
    related:
      relatedRows.length > 0
        ? buildChart(relatedRows, { id: 'related', title: 'Related figures', filters: { ...filters, indicator: topic.related }, href: path, embed: `/embed${path}/related` })
        : null,
    rows,
  };
}

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
      const { chart, related, rows } = topicCharts(q, topic);
      return {
        chart: withoutRows(chart),
        related: related ? withoutRows(related) : null,
        // The story in order: every figure, who states it, who claims, did and disputes it.
        figures: [...rows].sort((a, b) => a.reference_period_end.localeCompare(b.reference_period_end) || a.id - b.id),
      };
    });
    res.render('topics/show', { title: topic.title, topic, ...view, chartScripts: true });
  });

  return router;
}
