import { Router, type Request, type Response } from 'express';
import type { Queries } from '../../../db';
import { FIGURE_FIELDS, StaleEditError, type FigureFields } from '../../../db/queries/figure-edits';
import { QUALIFIERS, VERIFICATIONS } from '../../../db/types';
import { HttpError } from '../../errors';
import { currentUser, requireAdmin } from '../../middleware/auth';
import { formValues, parseFigureForm, requiredReason, type FieldErrors, type FormValues } from '../../validation/forms';
import { parseId } from '../../validation/query';

/** The form's strings for a stored figure or pending change. */
export function valuesOf(fields: FigureFields): FormValues {
  const values: FormValues = {};
  for (const c of FIGURE_FIELDS) values[c] = fields[c] === null ? '' : String(fields[c]);
  values.period_kind = fields.reference_period_start === fields.reference_period_end ? 'day' : 'range';
  return values;
}

function revisionToken(values: FormValues): number | undefined {
  const raw = values.revision;
  return raw && /^\d{1,15}$/.test(raw) ? Number(raw) : undefined;
}

export function adminFigureRoutes(q: Queries): Router {
  const router = Router();

  function renderForm(
    res: Response,
    options: { figureId: number | null; values: FormValues; errors: FieldErrors; revision: number | null; conflict?: unknown; status?: number },
  ): void {
    res.status(options.status ?? (Object.keys(options.errors).length > 0 ? 400 : 200));
    res.render('admin/figures/form', {
      title: options.figureId ? `Edit figure ${options.figureId}` : 'New figure',
      figureId: options.figureId,
      figure: options.figureId ? q.figures.getById(options.figureId) : undefined,
      values: options.values,
      errors: options.errors,
      revision: options.revision,
      conflict: options.conflict ?? null,
      indicators: q.indicators.list(),
      locations: q.locations.list(),
      sources: q.sources.listForPicker(),
      qualifiers: QUALIFIERS,
      verifications: VERIFICATIONS,
    });
  }

  /** Checks the chosen indicator, place and source exist; adds an error beside each that does not. */
  function checkReferences(fields: { indicator_id: number; location_id: number; source_id: number | null }, errors: FieldErrors): void {
    if (!q.indicators.getById(fields.indicator_id)) errors.indicator_id = 'Choose an indicator from the list.';
    if (!q.locations.getById(fields.location_id)) errors.location_id = 'Choose a place from the list.';
    if (fields.source_id !== null && !q.sources.getById(fields.source_id)) errors.source_id = 'Choose a source from the list.';
  }

  function loadFigure(req: Request) {
    const id = parseId(req.params.id, 'figure');
    const row = q.figureEdits.getRow(id);
    if (!row) throw new HttpError(404, `there is no figure ${id}`);
    return row;
  }

  /** Parses, validates and creates an inline source; returns the fields to save or the errors. */
  function readFigure(body: unknown, userId: number):
    | { ok: true; fields: FigureFields; values: FormValues; sourceToCreate: (() => number) | null }
    | { ok: false; errors: FieldErrors; values: FormValues } {
    const parsed = parseFigureForm(body);
    if (!parsed.ok) {
      const values = parsed.values;
      return { ok: false, errors: parsed.errors, values };
    }
    const { fields, newSource } = parsed.data;
    const errors: FieldErrors = {};
    checkReferences(fields, errors);
    if (newSource?.url && q.sources.getByUrl(newSource.url)) {
      errors.new_source_url = 'A source with this address already exists: choose it in the list above.';
    }
    if (Object.keys(errors).length > 0) return { ok: false, errors, values: parsed.values };
    const sourceToCreate = newSource
      ? () => {
          const id = q.sources.create(newSource, userId);
          q.audit.record({ userId, action: 'create', entityType: 'source', entityId: id, details: { title: newSource.title } });
          return id;
        }
      : null;
    return { ok: true, fields: { ...fields, source_id: fields.source_id ?? 0 }, values: parsed.values, sourceToCreate };
  }

  router.get('/admin/figures/new', (req, res) => {
    const last = req.session.lastEntry;
    const values: FormValues = { period_kind: 'day', qualifier: 'exact', verification: 'reported' };
    if (last) {
      values.source_id = String(last.source_id);
      values.reported_by = last.reported_by;
    }
    renderForm(res, { figureId: null, values, errors: {}, revision: null });
  });

  router.post('/admin/figures', (req, res) => {
    const user = currentUser(res);
    const input = readFigure(req.body, user.id);
    if (!input.ok) {
      renderForm(res, { figureId: null, values: input.values, errors: input.errors, revision: null });
      return;
    }
    const id = q.transaction(() => {
      const fields = input.sourceToCreate ? { ...input.fields, source_id: input.sourceToCreate() } : input.fields;
      const figureId = q.figureEdits.createDraft(fields, user.id);
      q.audit.record({ userId: user.id, action: 'create', entityType: 'figure', entityId: figureId, details: null });
      req.session.lastEntry = { source_id: fields.source_id, reported_by: fields.reported_by };
      return figureId;
    });
    req.session.flash = { kind: 'success', message: `Draft figure ${id} saved. Submit it for review when it is ready.` };
    res.redirect(303, `/admin/figures/${id}`);
  });

  router.get('/admin/figures/:id', (req, res) => {
    renderFigure(req, res, {});
  });

  function renderFigure(req: Request, res: Response, errors: FieldErrors, status = 200): void {
    const row = loadFigure(req);
    const figure = q.figures.getById(row.id);
    const pending = q.figureEdits.getPending(row.id);
    const user = currentUser(res);
    const pendingDetail = pending
      ? {
          ...pending,
          indicator_name: q.indicators.getById(pending.indicator_id)?.name ?? '?',
          location_name: q.locations.getById(pending.location_id)?.name ?? '?',
          source_title: q.sources.getById(pending.source_id)?.title ?? '?',
        }
      : null;
    const submittedAt = pending ? pending.submitted_at : row.status === 'draft' ? row.submitted_at : null;
    const lastEditor = pending ? pending.updated_by : row.updated_by;
    const hasWork = Boolean(pending) || row.status === 'draft';
    res.status(status).render('admin/figures/show', {
      title: `Figure ${row.id}`,
      figure,
      row,
      pending: pendingDetail,
      changedFields: pending ? FIGURE_FIELDS.filter((c) => pending[c] !== row[c]) : [],
      submittedAt,
      canSubmit: hasWork && !submittedAt,
      canPublish: user.role === 'admin' && hasWork && Boolean(submittedAt),
      selfPublish: lastEditor === user.id,
      canRetire: user.role === 'admin' && row.status === 'published',
      canEdit: row.status !== 'retired',
      revision: q.figureEdits.latestRevisionId(row.id),
      errors,
      values: formValues(req.body),
    });
  }

  router.get('/admin/figures/:id/edit', (req, res) => {
    const row = loadFigure(req);
    if (row.status === 'retired') throw new HttpError(409, 'A retired figure is not edited: restore one of its revisions from its history.');
    const pending = q.figureEdits.getPending(row.id);
    renderForm(res, { figureId: row.id, values: valuesOf(pending ?? row), errors: {}, revision: q.figureEdits.latestRevisionId(row.id) });
  });

  router.post('/admin/figures/:id', (req, res) => {
    const user = currentUser(res);
    const row = loadFigure(req);
    if (row.status === 'retired') throw new HttpError(409, 'A retired figure is not edited: restore one of its revisions from its history.');
    const values = formValues(req.body);
    const expected = revisionToken(values);
    if (expected === undefined) throw new HttpError(400, 'The form is missing its revision number: reload the edit page and try again.');
    const input = readFigure(req.body, user.id);
    if (!input.ok) {
      renderForm(res, { figureId: row.id, values: input.values, errors: input.errors, revision: expected });
      return;
    }
    try {
      const outcome = q.transaction(() => {
        const fields = input.sourceToCreate ? { ...input.fields, source_id: input.sourceToCreate() } : input.fields;
        const saved = q.figureEdits.saveFields(row.id, fields, user.id, { action: 'edit', note: null, expectedRevisionId: expected });
        q.audit.record({ userId: user.id, action: 'edit', entityType: 'figure', entityId: row.id, details: { pending: saved === 'pending' } });
        return saved;
      });
      req.session.flash = {
        kind: 'success',
        message:
          outcome === 'pending'
            ? 'Change saved as pending: the public still sees the published version until the change is published.'
            : 'Draft saved.',
      };
      res.redirect(303, `/admin/figures/${row.id}`);
    } catch (err) {
      if (!(err instanceof StaleEditError)) throw err;
      const current = q.figureEdits.getPending(row.id) ?? q.figureEdits.getRow(row.id);
      if (!current) throw err;
      renderForm(res, {
        figureId: row.id,
        values: input.values,
        errors: {},
        // Saving again from this page deliberately replaces the other person's version.
        revision: q.figureEdits.latestRevisionId(row.id),
        conflict: { theirs: valuesOf(current), mine: input.values, fields: FIGURE_FIELDS },
        status: 409,
      });
    }
  });

  router.post('/admin/figures/:id/submit', (req, res) => {
    const user = currentUser(res);
    const row = loadFigure(req);
    const pending = q.figureEdits.getPending(row.id);
    const submitted = pending ? pending.submitted_at : row.status === 'draft' ? row.submitted_at : 'n/a';
    if (submitted !== null) throw new HttpError(409, 'There is nothing to submit: this figure has no unsubmitted draft or change.');
    q.transaction(() => {
      q.figureEdits.submit(row.id, user.id);
      q.audit.record({ userId: user.id, action: 'submit', entityType: 'figure', entityId: row.id, details: null });
    });
    req.session.flash = { kind: 'success', message: 'Submitted for review. Another person (an admin) publishes it.' };
    res.redirect(303, `/admin/figures/${row.id}`);
  });

  router.post('/admin/figures/:id/publish', requireAdmin, (req, res) => {
    const user = currentUser(res);
    const row = loadFigure(req);
    const pending = q.figureEdits.getPending(row.id);
    const submitted = pending ? pending.submitted_at : row.status === 'draft' ? row.submitted_at : null;
    if (!submitted) throw new HttpError(409, 'There is nothing submitted to publish for this figure.');
    const lastEditor = pending ? pending.updated_by : row.updated_by;
    const reason = requiredReason(req.body, 'reason');
    // Four eyes: whoever last edited it does not publish it, unless an admin says why.
    if (lastEditor === user.id && !reason) {
      renderFigure(req, res, { reason: 'You made the last edit: someone else should publish it. To publish it yourself, say why.' }, 400);
      return;
    }
    const note = lastEditor === user.id ? `Published by the person who last edited it. Reason: ${reason}` : reason;
    q.transaction(() => {
      q.figureEdits.publish(row.id, user.id, note);
      q.audit.record({ userId: user.id, action: 'publish', entityType: 'figure', entityId: row.id, details: { self: lastEditor === user.id, note } });
    });
    req.session.flash = { kind: 'success', message: 'Published: the public pages, the API and exports now show this version.' };
    res.redirect(303, `/admin/figures/${row.id}`);
  });

  router.post('/admin/figures/:id/retire', requireAdmin, (req, res) => {
    const user = currentUser(res);
    const row = loadFigure(req);
    if (row.status !== 'published') throw new HttpError(409, 'Only a published figure can be retired.');
    const reason = requiredReason(req.body, 'retired_reason');
    if (!reason) {
      renderFigure(req, res, { retired_reason: 'Required: say why the figure is withdrawn (at most 2000 characters).' }, 400);
      return;
    }
    q.transaction(() => {
      q.figureEdits.retire(row.id, user.id, reason);
      q.audit.record({ userId: user.id, action: 'retire', entityType: 'figure', entityId: row.id, details: { reason } });
    });
    req.session.flash = { kind: 'success', message: 'Retired: the figure has left current figures, charts and exports, and stays viewable with its history.' };
    res.redirect(303, `/admin/figures/${row.id}`);
  });

  router.post('/admin/figures/:id/restore', (req, res) => {
    const user = currentUser(res);
    const row = loadFigure(req);
    const values = formValues(req.body);
    const revisionId = parseId(values.revision_id, 'revision');
    const revision = q.figureEdits.getRevision(row.id, revisionId);
    if (!revision) throw new HttpError(404, `figure ${row.id} has no revision ${revisionId}`);
    const snapshot = JSON.parse(revision.snapshot) as FigureFields;
    const fields = Object.fromEntries(FIGURE_FIELDS.map((c) => [c, snapshot[c] ?? null])) as unknown as FigureFields;
    try {
      const outcome = q.transaction(() => {
        const saved = q.figureEdits.saveFields(row.id, fields, user.id, {
          action: 'restore',
          note: `Restored the state of revision ${revisionId}`,
          expectedRevisionId: revisionToken(values),
        });
        q.audit.record({ userId: user.id, action: 'restore', entityType: 'figure', entityId: row.id, details: { revision: revisionId } });
        return saved;
      });
      req.session.flash = {
        kind: 'success',
        message:
          outcome === 'pending'
            ? `Revision ${revisionId} restored as a pending change: publish it to make it public.`
            : `Revision ${revisionId} restored as a draft: submit it for review to publish it.`,
      };
      res.redirect(303, `/admin/figures/${row.id}`);
    } catch (err) {
      if (err instanceof StaleEditError) {
        throw new HttpError(409, 'Someone changed this figure after you opened its history: reload the history and choose again.');
      }
      throw err;
    }
  });

  return router;
}
