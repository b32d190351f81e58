import { Router, type Response } from 'express';
import type { Queries } from '../../db';
import type { ChartView } from '../charts/chart';
import type { PageViews } from '../charts/page-views';
import { DASHBOARD_CHARTS } from '../charts/pages';
import { HttpError } from '../errors';
import { parseChartFilters, parseColourBy } from '../validation/chart-query';
import { parseId, parsePositiveInt } from '../validation/query';
import { nameIn, pageWords } from '../i18n';
import { topicArgs, topicOf } from './topics';

/**
 * Embeddable copies of every chart view: the card alone, with its sources and
 * a link back. These are the only pages another site may frame (see
 * server/middleware/security.ts); ?panel=N shows one card. Their charts are
 * the pages' own views (server/charts/page-views.ts), computed off the
 * request path and shared with the pages they copy.
 */
export function embedRoutes(q: Queries, views: PageViews): Router {
  const router = Router();

  const render = (res: Response, chart: ChartView, title: string, pageHref: string, panelParam: unknown): void => {
    const panel = panelParam === undefined ? null : parsePositiveInt(panelParam, 'panel', 1, 100);
    if (panel !== null && panel > chart.panels.length) throw new HttpError(404, `this chart has ${chart.panels.length} panel${chart.panels.length === 1 ? '' : 's'}, not ${panel}`);
    const shown = panel === null ? chart : { ...chart, panels: chart.panels.slice(panel - 1, panel) };
    res.render('embed', { title, chart: shown, pageHref, chartScripts: true, embedded: true });
  };

  router.get('/embed/dashboard/:name', async (req, res) => {
    const name = DASHBOARD_CHARTS.find((n) => n === req.params.name);
    if (!name) throw new HttpError(404, `the dashboard has no chart "${String(req.params.name).slice(0, 40)}" (it has ${DASHBOARD_CHARTS.join(', ')})`);
    const served = await views.get('dashboard', '', {});
    res.locals.pageView = served.view;
    const chart = served.value[name];
    render(res, chart, pageWords(res)(`page.${name}`), '/', req.query.panel);
  });

  router.get('/embed/compare', async (req, res) => {
    const filters = parseChartFilters(req.query, q);
    if (filters.indicator.length === 0) throw new HttpError(400, 'choose at least one indicator to compare, e.g. ?indicator=civilian_deaths');
    const served = await views.get('compare', JSON.stringify(filters), { filters });
    res.locals.pageView = served.view;
    const chart = served.value.chart;
    render(res, chart, pageWords(res)('page.comparison'), chart.panels[0]?.shareHref.split('#')[0] ?? '/compare', req.query.panel);
  });

  router.get('/embed/indicators/:code', async (req, res) => {
    const indicator = q.indicators.getByCode(req.params.code);
    if (!indicator) throw new HttpError(404, `there is no indicator "${req.params.code.slice(0, 80)}"`);
    const by = parseColourBy(req.query.by);
    const filters = parseChartFilters({ ...req.query, indicator: undefined }, q);
    const served = await views.get('indicator', JSON.stringify([indicator.code, by, filters]), { code: indicator.code, name: indicator.name, by, filters });
    res.locals.pageView = served.view;
    render(res, served.value.chart, nameIn(res, 'indicator', indicator.code, indicator.name), `/indicators/${encodeURIComponent(indicator.code)}`, req.query.panel);
  });

  router.get('/embed/locations/:code', async (req, res) => {
    const location = q.locations.getByCode(req.params.code);
    if (!location) throw new HttpError(404, `there is no place "${req.params.code.slice(0, 80)}"`);
    const served = await views.get('location', location.code, { code: location.code, name: location.name });
    res.locals.pageView = served.view;
    render(res, served.value.chart, nameIn(res, 'location', location.code, location.name), `/locations/${encodeURIComponent(location.code)}`, req.query.panel);
  });

  router.get('/embed/sources/:id', async (req, res) => {
    const id = parseId(req.params.id, 'source');
    // A source is public once a published figure cites it: until then no one embeds it.
    const source = q.sources.getPublicById(id);
    if (!source) throw new HttpError(404, `there is no source ${id}`);
    const served = await views.get('source', String(id), { id });
    const chart = served.value.chart;
    if (!chart) throw new HttpError(404, `source ${id} states ${served.value.total} figures, too many to chart by document: embed an indicator's or a place's chart instead`);
    res.locals.pageView = served.view;
    render(res, chart, source.title, `/sources/${id}`, req.query.panel);
  });

  router.get('/embed/topics/:slug', async (req, res) => {
    const topic = topicOf(q, req.params.slug);
    const args = topicArgs(topic);
    const served = await views.get('topic', JSON.stringify(args), args);
    res.locals.pageView = served.view;
    render(res, served.value.chart, topic.title, `/topics/${topic.slug}`, req.query.panel);
  });
  router.get('/embed/topics/:slug/related', async (req, res) => {
    const topic = topicOf(q, req.params.slug);
    const args = topicArgs(topic);
    const served = await views.get('topic', JSON.stringify(args), args);
    res.locals.pageView = served.view;
    const related = served.value.related;
    if (!related) throw new HttpError(404, `the topic "${topic.title}" has no related figures to chart`);
    render(res, related, `${topic.title}: related figures`, `/topics/${topic.slug}`, req.query.panel);
  });

  return router;
}
