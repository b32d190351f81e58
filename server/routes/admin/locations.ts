import { Router, type Response } from 'express';
import type { Queries } from '../../../db';
import { HttpError } from '../../errors';
import { currentUser, requireAdmin } from '../../middleware/auth';
import { parseLocationForm, type FieldErrors, type FormValues } from '../../validation/forms';
import { parseId } from '../../validation/query';
import { WorkflowError } from '../../workflow/errors';
import * as catalogue from '../../workflow/catalogue';
import { editNotice, outcomeMessage, renderEntry } from './catalogue-review';

/** Places: admins list, add, edit, and remove one that nothing has ever used. */
export function adminLocationRoutes(q: Queries): Router {
  const router = Router();
  router.use('/admin/locations', requireAdmin);

  const renderForm = (res: Response, locationId: number | null, values: FormValues, errors: FieldErrors): void => {
    res.status(Object.keys(errors).length > 0 ? 400 : 200).render('admin/locations/form', {
      title: locationId ? 'Edit place' : 'New place',
      locationId,
      values,
      errors,
      locations: q.locations.list().filter((l) => l.id !== locationId),
      notice: locationId ? editNotice(q, 'location', locationId) : null,
    });
  };
  const load = (raw: unknown) => {
    const id = parseId(raw, 'place');
    const location = q.locations.getById(id);
    if (!location) throw new HttpError(404, `there is no place ${id}`);
    return location;
  };
  const checkParent = (parentId: number | null, errors: FieldErrors): void => {
    if (parentId !== null && !q.locations.getById(parentId)) errors.parent_id = 'Choose a place from the list.';
  };

  router.get('/admin/locations', (_req, res) => {
    const all = q.locations.list();
    const names = new Map(all.map((l) => [l.id, l.name]));
    const open = q.catalogueChanges.openEntityIds('location');
    const locations = all.map((l) => ({ ...l, parent_name: l.parent_id ? names.get(l.parent_id) ?? '' : '', inUse: q.locations.isInUse(l.id), changePending: open.has(l.id) }));
    res.render('admin/locations/index', { title: 'Places', locations });
  });

  router.get('/admin/locations/new', (_req, res) => renderForm(res, null, { admin_level: '1' }, {}));

  router.post('/admin/locations', (req, res) => {
    const user = currentUser(res);
    const parsed = parseLocationForm(req.body);
    const errors: FieldErrors = parsed.ok ? {} : parsed.errors;
    if (parsed.ok) {
      checkParent(parsed.data.parent_id, errors);
    }
    if (!parsed.ok || Object.keys(errors).length > 0) return renderForm(res, null, parsed.values, errors);
    try {
      catalogue.createLocation(q, user, parsed.data);
    } catch (err) {
      if (err instanceof WorkflowError && err.field) return renderForm(res, null, parsed.values, { [err.field]: err.message });
      throw err;
    }
    req.session.flash = { kind: 'success', message: `Place ${parsed.data.code} added.` };
    res.redirect(303, '/admin/locations');
  });

  router.get('/admin/locations/:id', (req, res) => {
    renderEntry(q, req, res, 'location', load(req.params.id).id);
  });

  router.get('/admin/locations/:id/edit', (req, res) => {
    const stored = load(req.params.id);
    // An open change is what its proposer edits further.
    const l = { ...stored, ...(q.catalogueChanges.getOpen('location', stored.id)?.after as Partial<typeof stored> | undefined) };
    renderForm(res, l.id, { code: l.code, name: l.name, admin_level: String(l.admin_level), parent_id: l.parent_id ? String(l.parent_id) : '' }, {});
  });

  router.post('/admin/locations/:id', (req, res) => {
    const user = currentUser(res);
    const before = load(req.params.id);
    // The code identifies the place in URLs and exports: it never changes.
    const parsed = parseLocationForm({ ...(req.body as object), code: before.code });
    const errors: FieldErrors = parsed.ok ? {} : parsed.errors;
    if (parsed.ok) {
      checkParent(parsed.data.parent_id, errors);
      if (parsed.data.parent_id === before.id) errors.parent_id = 'A place cannot be its own parent.';
    }
    if (!parsed.ok || Object.keys(errors).length > 0) return renderForm(res, before.id, parsed.values, errors);
    const { name, admin_level, parent_id } = parsed.data;
    let outcome: catalogue.EditOutcome;
    try {
      outcome = catalogue.updateLocation(q, user, before.id, { name, admin_level, parent_id });
    } catch (err) {
      if (err instanceof WorkflowError && err.field) return renderForm(res, before.id, parsed.values, { [err.field]: err.message });
      throw err;
    }
    req.session.flash = { kind: 'success', message: outcomeMessage(`Place ${before.code}`, outcome) };
    res.redirect(303, `/admin/locations/${before.id}`);
  });

  router.post('/admin/locations/:id/remove', (req, res) => {
    const user = currentUser(res);
    const location = load(req.params.id);
    catalogue.removeLocation(q, user, location.id);
    req.session.flash = { kind: 'success', message: `Place ${location.code} removed.` };
    res.redirect(303, '/admin/locations');
  });

  return router;
}
