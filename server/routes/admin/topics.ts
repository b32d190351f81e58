import { Router, type Response } from 'express';
import type { Queries } from '../../../db';
import type { Topic } from '../../../db/queries/topics';
import { HttpError } from '../../errors';
import { currentUser, requireAdmin } from '../../middleware/auth';
import { parseTopicForm, type FieldErrors, type FormValues } from '../../validation/forms';
import { parseId } from '../../validation/query';
import * as catalogue from '../../workflow/catalogue';
import { WorkflowError } from '../../workflow/errors';

function valuesOf(t: Topic): FormValues {
  return {
    slug: t.slug,
    title: t.title,
    summary: t.summary,
    indicators: t.indicators.join(', '),
    related: t.related.join(', '),
    location: (t.filters.location ?? []).join(', '),
    from: t.filters.from ?? '',
    to: t.filters.to ?? '',
  };
}

/** Topics (admin only): a title, a short text, its indicators, related indicators and filters; each gets a page. */
export function adminTopicRoutes(q: Queries): Router {
  const router = Router();
  router.use('/admin/topics', requireAdmin);

  const renderForm = (res: Response, topicId: number | null, values: FormValues, errors: FieldErrors): void => {
    res.status(Object.keys(errors).length > 0 ? 400 : 200).render('admin/topics/form', {
      title: topicId ? 'Edit topic' : 'New topic',
      topicId,
      values,
      errors,
      indicators: q.indicators.list(),
    });
  };
  const known = () => ({ indicators: new Set(q.indicators.list().map((i) => i.code)), locations: new Set(q.locations.list().map((l) => l.code)) });

  router.get('/admin/topics', (_req, res) => {
    res.render('admin/topics/index', { title: 'Topics', topics: q.topics.list() });
  });

  router.get('/admin/topics/new', (_req, res) => renderForm(res, null, {}, {}));

  router.post('/admin/topics', (req, res) => {
    const parsed = parseTopicForm(req.body, known());
    if (!parsed.ok) return renderForm(res, null, parsed.values, parsed.errors);
    try {
      catalogue.createTopic(q, currentUser(res), parsed.data);
    } catch (err) {
      if (err instanceof WorkflowError && err.field) return renderForm(res, null, parsed.values, { [err.field]: err.message });
      throw err;
    }
    req.session.flash = { kind: 'success', message: `Topic saved: its page is /topics/${parsed.data.slug}.` };
    res.redirect(303, `/topics/${parsed.data.slug}`);
  });

  router.get('/admin/topics/:id/edit', (req, res) => {
    const id = parseId(req.params.id, 'topic');
    const topic = q.topics.getById(id);
    if (!topic) throw new HttpError(404, `there is no topic ${id}`);
    renderForm(res, id, valuesOf(topic), {});
  });

  router.post('/admin/topics/:id', (req, res) => {
    const id = parseId(req.params.id, 'topic');
    const parsed = parseTopicForm(req.body, known());
    if (!parsed.ok) return renderForm(res, id, parsed.values, parsed.errors);
    try {
      catalogue.updateTopic(q, currentUser(res), id, parsed.data);
    } catch (err) {
      if (err instanceof WorkflowError && err.field) return renderForm(res, id, parsed.values, { [err.field]: err.message });
      throw err;
    }
    req.session.flash = { kind: 'success', message: 'Topic saved.' };
    res.redirect(303, `/topics/${parsed.data.slug}`);
  });

  return router;
}
