import { Router, type Response } from 'express';
import type { Queries } from '../../db';
import { DataVersionCache } from '../cache';
import { withoutRows, type ChartView } from '../charts/chart';
import { HttpError } from '../errors';
import { parseChartFilters, parseColourBy } from '../validation/chart-query';
import { parseId, parsePositiveInt } from '../validation/query';
import { compareChart } from './compare';
import { dashboardView, DASHBOARD_CHARTS } from './dashboard';
import { filterFor, indicatorChart } from './indicators';
import { locationChart } from './locations';
import { sourceChart } from './sources';
import { topicCharts } from './topics';

/**
 * Embeddable copies of every chart view: the card alone, with its sources and
 * a link back. These are the only pages another site may frame (see
 * server/middleware/security.ts); ?panel=N shows one card.
 */
export function embedRoutes(q: Queries): Router {
  const router = Router();
  const cache = new DataVersionCache(32);
  const cached = (key: string, build: () => ChartView): ChartView => cache.get(key, q.exports.dataVersion().version, () => withoutRows(build()));

  const render = (res: Response, chart: ChartView, title: string, pageHref: string, panelParam: unknown): void => {
    const panel = panelParam === undefined ? null : parsePositiveInt(panelParam, 'panel', 1, 100);
    if (panel !== null && panel > chart.panels.length) throw new HttpError(404, `this chart has ${chart.panels.length} panel${chart.panels.length === 1 ? '' : 's'}, not ${panel}`);
    const shown = panel === null ? chart : { ...chart, panels: chart.panels.slice(panel - 1, panel) };
    res.render('embed', { title, chart: shown, pageHref, chartScripts: true, embedded: true });
  };

  router.get('/embed/dashboard/:name', (req, res) => {
    const name = DASHBOARD_CHARTS.find((n) => n === req.params.name);
    if (!name) throw new HttpError(404, `the dashboard has no chart "${String(req.params.name).slice(0, 40)}" (it has ${DASHBOARD_CHARTS.join(', ')})`);
    const chart = cached(`dashboard|${name}`, () => dashboardView(q)[name]);
    render(res, chart, chart.title, '/', req.query.panel);
  });

  router.get('/embed/compare', (req, res) => {
    const filters = parseChartFilters(req.query, q);
    if (filters.indicator.length === 0) throw new HttpError(400, 'choose at least one indicator to compare, e.g. ?indicator=civilian_deaths');
    const chart = cached(`compare|${JSON.stringify(filters)}`, () => compareChart(q, filters));
    render(res, chart, 'Comparison', chart.panels[0]?.shareHref.split('#')[0] ?? '/compare', req.query.panel);
  });

  router.get('/embed/indicators/:code', (req, res) => {
    const indicator = q.indicators.getByCode(req.params.code);
    if (!indicator) throw new HttpError(404, `there is no indicator "${req.params.code.slice(0, 80)}"`);
    const by = parseColourBy(req.query.by);
    const filters = parseChartFilters({ ...req.query, indicator: undefined }, q);
    const chart = cached(`indicator|${JSON.stringify([indicator.code, by, filters])}`, () =>
      indicatorChart(indicator, by, filters, q.charts.listFigures({ ...filterFor(filters), indicatorCodes: [indicator.code] })),
    );
    render(res, chart, indicator.name, `/indicators/${encodeURIComponent(indicator.code)}`, req.query.panel);
  });

  router.get('/embed/locations/:code', (req, res) => {
    const location = q.locations.getByCode(req.params.code);
    if (!location) throw new HttpError(404, `there is no place "${req.params.code.slice(0, 80)}"`);
    const chart = cached(`location|${location.code}`, () => locationChart(location, q.charts.listFigures({ locationCodes: [location.code] })));
    render(res, chart, location.name, `/locations/${encodeURIComponent(location.code)}`, req.query.panel);
  });

  router.get('/embed/sources/:id', (req, res) => {
    const id = parseId(req.params.id, 'source');
    const source = q.sources.getById(id);
    if (!source) throw new HttpError(404, `there is no source ${id}`);
    const chart = cached(`source|${id}`, () => sourceChart(id, q.charts.listFigures({ sourceId: id })));
    render(res, chart, source.title, `/sources/${id}`, req.query.panel);
  });

  const topicOf = (slugParam: unknown) => {
    const slug = typeof slugParam === 'string' ? slugParam : '';
    const topic = /^[a-z0-9-]{2,80}$/.test(slug) ? q.topics.getBySlug(slug) : undefined;
    if (!topic) throw new HttpError(404, `there is no topic "${slug.slice(0, 80)}"`);
    return topic;
  };
  router.get('/embed/topics/:slug', (req, res) => {
    const topic = topicOf(req.params.slug);
    const chart = cached(`topic|${topic.slug}`, () => topicCharts(q, topic).chart);
    render(res, chart, topic.title, `/topics/${topic.slug}`, req.query.panel);
  });
  router.get('/embed/topics/:slug/related', (req, res) => {
    const topic = topicOf(req.params.slug);
    const related = cache.get(`related|${topic.slug}`, q.exports.dataVersion().version, () => {
      const chart = topicCharts(q, topic).related;
      return chart ? withoutRows(chart) : null;
    });
    if (!related) throw new HttpError(404, `the topic "${topic.title}" has no related figures to chart`);
    render(res, related, `${topic.title}: related figures`, `/topics/${topic.slug}`, req.query.panel);
  });

  return router;
}
