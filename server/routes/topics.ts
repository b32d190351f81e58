import { Router } from 'express';
import type { Queries } from '../../db';
import type { PageViews } from '../charts/page-views';
import { HttpError } from '../errors';
import { pageWords } from '../i18n';
import { pageLanguage } from '../i18n';

type Topic = NonNullable<ReturnType<Queries['topics']['getBySlug']>>;

/** The page view arguments of a topic: its own definition is part of the key, so an edited topic is a new page. */
export function topicArgs(topic: Topic) {
  return { slug: topic.slug, title: topic.title, indicators: topic.indicators, related: topic.related, filters: topic.filters };
}

/** The topic named by a slug, or a 404 naming it. */
export function topicOf(q: Queries, slugParam: unknown): Topic {
  const slug = typeof slugParam === 'string' ? slugParam : '';
  const topic = /^[a-z0-9-]{2,80}$/.test(slug) ? q.topics.getBySlug(slug) : undefined;
  if (!topic) throw new HttpError(404, `there is no topic "${slug.slice(0, 80)}"`);
  return topic;
}

/** Topic pages: indicators an admin grouped, drawn together, with related figures beside them and every figure listed. */
export function topicRoutes(q: Queries, views: PageViews): Router {
  const router = Router();

  router.get('/topics', (_req, res) => {
    res.render('topics/index', { title: pageWords(res)('topics.h1'), topics: q.topics.list() });
  });

  router.get('/topics/:slug', async (req, res) => {
    const topic = topicOf(q, req.params.slug);
    const args = topicArgs(topic);
    const served = await views.get('topic', JSON.stringify(args), args, pageLanguage(res));
    const view = served.value;
    res.locals.pageView = served.view;
    res.render('topics/show', { title: topic.title, topic, ...view, chartScripts: true });
  });

  return router;
}
