import { Router, type Response } from 'express';
import type { Queries } from '../../../db';
import { AGGREGATIONS } from '../../../db/types';
import { HttpError } from '../../errors';
import { currentUser, requireAdmin } from '../../middleware/auth';
import { parseIndicatorForm, type FieldErrors, type FormValues } from '../../validation/forms';
import { parseId } from '../../validation/query';
import { WorkflowError } from '../../workflow/errors';
import * as catalogue from '../../workflow/catalogue';
import { editNotice, outcomeMessage, renderEntry } from './catalogue-review';

/** Indicators: admins list, add, edit, and remove one that nothing has ever used. */
export function adminIndicatorRoutes(q: Queries): Router {
  const router = Router();
  router.use('/admin/indicators', requireAdmin);

  const renderForm = (res: Response, indicatorId: number | null, values: FormValues, errors: FieldErrors): void => {
    res.status(Object.keys(errors).length > 0 ? 400 : 200).render('admin/indicators/form', {
      title: indicatorId ? `Edit indicator` : 'New indicator',
      indicatorId,
      values,
      errors,
      aggregations: AGGREGATIONS,
      notice: indicatorId ? editNotice(q, 'indicator', indicatorId) : null,
    });
  };
  const load = (raw: unknown) => {
    const id = parseId(raw, 'indicator');
    const indicator = q.indicators.getById(id);
    if (!indicator) throw new HttpError(404, `there is no indicator ${id}`);
    return indicator;
  };

  router.get('/admin/indicators', (_req, res) => {
    const open = q.catalogueChanges.openEntityIds('indicator');
    const indicators = q.indicators.list().map((i) => ({ ...i, inUse: q.indicators.isInUse(i.id), changePending: open.has(i.id) }));
    res.render('admin/indicators/index', { title: 'Indicators', indicators });
  });

  router.get('/admin/indicators/new', (_req, res) => renderForm(res, null, { aggregation: 'flow', unit: 'people' }, {}));

  router.post('/admin/indicators', (req, res) => {
    const user = currentUser(res);
    const parsed = parseIndicatorForm(req.body);
    if (!parsed.ok) return renderForm(res, null, parsed.values, parsed.errors);
    try {
      catalogue.createIndicator(q, user, parsed.data);
    } catch (err) {
      if (err instanceof WorkflowError && err.field) return renderForm(res, null, parsed.values, { [err.field]: err.message });
      throw err;
    }
    req.session.flash = { kind: 'success', message: `Indicator ${parsed.data.code} added.` };
    res.redirect(303, '/admin/indicators');
  });

  router.get('/admin/indicators/:id', (req, res) => {
    renderEntry(q, req, res, 'indicator', load(req.params.id).id);
  });

  router.get('/admin/indicators/:id/edit', (req, res) => {
    const stored = load(req.params.id);
    // An open change is what its proposer edits further.
    const i = { ...stored, ...(q.catalogueChanges.getOpen('indicator', stored.id)?.after as Partial<typeof stored> | undefined) };
    renderForm(res, i.id, { code: i.code, name: i.name, description: i.description ?? '', unit: i.unit, aggregation: i.aggregation, hxl_hashtag: i.hxl_hashtag }, {});
  });

  router.post('/admin/indicators/:id', (req, res) => {
    const user = currentUser(res);
    const before = load(req.params.id);
    // The code is an identifier other services rely on: it never changes.
    const parsed = parseIndicatorForm({ ...(req.body as object), code: before.code });
    if (!parsed.ok) return renderForm(res, before.id, parsed.values, parsed.errors);
    const { name, description, unit, aggregation, hxl_hashtag } = parsed.data;
    let outcome: catalogue.EditOutcome;
    try {
      outcome = catalogue.updateIndicator(q, user, before.id, { name, description, unit, aggregation, hxl_hashtag });
    } catch (err) {
      if (err instanceof WorkflowError && err.field) return renderForm(res, before.id, parsed.values, { [err.field]: err.message });
      throw err;
    }
    req.session.flash = { kind: 'success', message: outcomeMessage(`Indicator ${before.code}`, outcome) };
    res.redirect(303, `/admin/indicators/${before.id}`);
  });

  router.post('/admin/indicators/:id/remove', (req, res) => {
    const user = currentUser(res);
    const indicator = load(req.params.id);
    catalogue.removeIndicator(q, user, indicator.id);
    req.session.flash = { kind: 'success', message: `Indicator ${indicator.code} removed.` };
    res.redirect(303, '/admin/indicators');
  });

  return router;
}
