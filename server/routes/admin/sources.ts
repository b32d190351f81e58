import { Router, type Response } from 'express';
import type { Queries } from '../../../db';
import type { NewSource } from '../../../db/queries/sources';
import { HttpError } from '../../errors';
import { currentUser } from '../../middleware/auth';
import { parseSourceForm, type FieldErrors, type FormValues } from '../../validation/forms';
import { parseId } from '../../validation/query';
import { WorkflowError } from '../../workflow/errors';
import * as catalogue from '../../workflow/catalogue';
import { editNotice, outcomeMessage, renderEntry } from './catalogue-review';

function valuesOf(s: NewSource): FormValues {
  const { title, publisher, url, published_on, accessed_on, notes } = s;
  return Object.fromEntries(Object.entries({ title, publisher, url, published_on, accessed_on, notes }).map(([k, v]) => [k, v ?? '']));
}

/** Sources: every staff member may list, add and correct them (nothing is removed: figures cite them). */
export function adminSourceRoutes(q: Queries): Router {
  const router = Router();

  const renderForm = (res: Response, sourceId: number | null, values: FormValues, errors: FieldErrors): void => {
    res.status(Object.keys(errors).length > 0 ? 400 : 200).render('admin/sources/form', {
      title: sourceId ? `Edit source ${sourceId}` : 'New source',
      sourceId,
      values,
      errors,
      notice: sourceId ? editNotice(q, 'source', sourceId) : null,
    });
  };

  router.get('/admin/sources', (_req, res) => {
    const open = q.catalogueChanges.openEntityIds('source');
    const sources = q.sources.listWithCounts().map((s) => ({ ...s, changePending: open.has(s.id) }));
    res.render('admin/sources/index', { title: 'Sources', sources });
  });

  router.get('/admin/sources/new', (_req, res) => renderForm(res, null, {}, {}));

  router.post('/admin/sources', (req, res) => {
    const user = currentUser(res);
    const parsed = parseSourceForm(req.body);
    if (!parsed.ok) return renderForm(res, null, parsed.values, parsed.errors);
    try {
      catalogue.createSource(q, user, parsed.data);
    } catch (err) {
      if (err instanceof WorkflowError && err.field) return renderForm(res, null, parsed.values, { [err.field]: err.message });
      throw err;
    }
    req.session.flash = { kind: 'success', message: 'Source added.' };
    res.redirect(303, '/admin/sources');
  });

  router.get('/admin/sources/:id', (req, res) => {
    renderEntry(q, req, res, 'source', parseId(req.params.id, 'source'));
  });

  router.get('/admin/sources/:id/edit', (req, res) => {
    const id = parseId(req.params.id, 'source');
    const source = q.sources.getById(id);
    if (!source) throw new HttpError(404, `there is no source ${id}`);
    // An open change is what its proposer edits further.
    const open = q.catalogueChanges.getOpen('source', id);
    renderForm(res, id, valuesOf({ ...source, ...(open?.after as Partial<NewSource> | undefined) }), {});
  });

  router.post('/admin/sources/:id', (req, res) => {
    const user = currentUser(res);
    const id = parseId(req.params.id, 'source');
    const before = q.sources.getById(id);
    if (!before) throw new HttpError(404, `there is no source ${id}`);
    const parsed = parseSourceForm(req.body);
    if (!parsed.ok) return renderForm(res, id, parsed.values, parsed.errors);
    let outcome: catalogue.EditOutcome;
    try {
      outcome = catalogue.updateSource(q, user, id, parsed.data);
    } catch (err) {
      if (err instanceof WorkflowError && err.field) return renderForm(res, id, parsed.values, { [err.field]: err.message });
      throw err;
    }
    req.session.flash = { kind: 'success', message: outcomeMessage('Source', outcome) };
    res.redirect(303, `/admin/sources/${id}`);
  });

  return router;
}
