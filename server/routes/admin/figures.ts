import { Router, type Request, type Response } from 'express';
import type { Queries } from '../../../db';
import type { NewSource } from '../../../db/queries/sources';
import { MERGE_UNITS, fieldsFromSnapshot, mergeFigureEdits, resolveConflicts, type MergeUnit, type UnitOutcome } from '../../domain/merge';
import { FIGURE_FIELDS, MEASURE_LABELS, MEASURES, QUALIFIERS, VERIFICATIONS, parseWholeNumber, type FigureFields } from '../../domain/figure';
import { formatNumber } from '../../format';
import { HttpError } from '../../errors';
import { currentUser, requireAdmin } from '../../middleware/auth';
import { formValues, parseFigureForm, requiredReason, type FieldErrors, type FormValues } from '../../validation/forms';
import { parseId } from '../../validation/query';
import type { OverlappingFigure } from '../../../db/queries/staff-figures';
import { WorkflowError } from '../../workflow/errors';
import * as workflow from '../../workflow/figures';
import { StaleEditError } from '../../workflow/figures';

/** The form's strings for a stored figure or pending change. */
export function valuesOf(fields: FigureFields): FormValues {
  const values: FormValues = {};
  for (const c of FIGURE_FIELDS) values[c] = fields[c] === null ? '' : String(fields[c]);
  values.period_kind = fields.reference_period_start === fields.reference_period_end ? 'day' : 'range';
  return values;
}

/** "= 14,600,000" beside each number field whose text reads as a whole number ("14.6 million"), else nothing. */
function numberEchoes(values: FormValues): Record<'value' | 'value_low' | 'value_high', string> {
  const echo = (text: string | undefined): string => {
    const n = parseWholeNumber(text ?? '');
    return n === null ? '' : `= ${formatNumber(n)}`;
  };
  return { value: echo(values.value), value_low: echo(values.value_low), value_high: echo(values.value_high) };
}

/** What "Save and add another" keeps for the next figure from the same document. */
export const KEPT_FOR_NEXT = [
  'source_id', 'reported_by', 'verification', 'claimed_by', 'location_id', 'period_kind', 'reference_period_start', 'reference_period_end', 'measure',
] as const;

/** The kept values a new-figure URL carries (`?source=` from a source's page, or the fields themselves), as strings the form re-shows. */
function keptValues(query: Request['query']): FormValues {
  const values: FormValues = {};
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length <= 500 ? v : undefined);
  for (const name of KEPT_FOR_NEXT) {
    const v = text(query[name]);
    if (v !== undefined) values[name] = v;
  }
  const source = text(query.source);
  if (source !== undefined) values.source_id = source;
  return values;
}

/** "Find", or Enter pressed with words typed in the source search and no source chosen yet: show what they find, save nothing. */
function wantsSourceSearch(values: FormValues): boolean {
  if (values.step === 'find-source') return true;
  return (values.source_q ?? '').trim() !== '' && (values.source_id ?? '') === '';
}

const RESUMED = 'You are signed in again. This is the form as you sent it, with everything you typed; nothing was saved yet: check it and save.';

/** The values of a form carried through signing in again (server/auth/resume.ts), once, on the page it belongs to. */
function takeResumedForm(req: Request): FormValues | null {
  const resumed = req.session.resumedForm;
  if (!resumed || resumed.path !== req.path) return null;
  delete req.session.resumedForm;
  const values: FormValues = Object.create(null) as FormValues;
  Object.assign(values, resumed.values);
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
    options: {
      figureId: number | null;
      values: FormValues;
      errors: FieldErrors;
      revision: number | null;
      conflict?: unknown;
      status?: number;
      duplicates?: OverlappingFigure[];
      notice?: string;
    },
  ): void {
    res.status(options.status ?? (Object.keys(options.errors).length > 0 ? 400 : 200));
    const chosenId = /^[1-9]\d{0,14}$/.test(options.values.source_id ?? '') ? Number(options.values.source_id) : null;
    const chosen = chosenId === null ? undefined : q.staffFigures.sourceChoice(chosenId);
    const sourceQuery = (options.values.source_q ?? '').trim().slice(0, 200);
    // The picker offers the chosen source, then what the typed words find (or, with none typed and none chosen, the newest).
    const found = sourceQuery !== '' || !chosen ? q.staffFigures.findSources(sourceQuery, 15) : [];
    res.render('admin/figures/form', {
      title: options.figureId ? `Edit figure ${options.figureId}` : 'New figure',
      figureId: options.figureId,
      figure: options.figureId ? q.figures.getById(options.figureId) : undefined,
      values: options.values,
      echoes: numberEchoes(options.values),
      errors: options.errors,
      revision: options.revision,
      conflict: options.conflict ?? null,
      indicators: q.indicators.list(),
      locations: q.locations.list(),
      chosenSource: chosen ?? null,
      sourceChoices: found.filter((c) => c.id !== chosen?.id),
      sourceQuery,
      duplicates: options.duplicates ?? [],
      notice: options.notice ?? null,
      qualifiers: QUALIFIERS,
      verifications: VERIFICATIONS,
      measures: MEASURES,
      measureLabels: MEASURE_LABELS,
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

  /** Parses and checks the form; the source typed with it is created by the workflow. */
  function readFigure(body: unknown):
    | { ok: true; fields: FigureFields; values: FormValues; newSource: NewSource | null }
    | { ok: false; errors: FieldErrors; values: FormValues } {
    const parsed = parseFigureForm(body, (id) => q.indicators.getById(id));
    if (!parsed.ok) return { ok: false, errors: parsed.errors, values: parsed.values };
    const { fields, newSource } = parsed.data;
    const errors: FieldErrors = {};
    checkReferences({ ...fields, source_id: newSource ? null : fields.source_id }, errors);
    if (Object.keys(errors).length > 0) return { ok: false, errors, values: parsed.values };
    return { ok: true, fields, values: parsed.values, newSource };
  }

  /** A workflow refusal tied to a form field is shown beside it; any other propagates. */
  function fieldError(err: unknown): FieldErrors {
    if (err instanceof WorkflowError && err.field) return { [err.field]: err.message };
    throw err;
  }

  /** The picker's suggestions as JSON for the form's script: the same search as its "Find" button. */
  router.get('/admin/figures/source-suggestions', (req, res) => {
    const text = typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : '';
    res.json(
      q.staffFigures.findSources(text, 15).map((c) => ({ id: c.id, title: c.title, publisher: c.publisher, url: c.url, published_on: c.published_on })),
    );
  });

  /** How a field's value reads on the comparison: names for the indicator, place and source, not ids. */
  function display(fields: FigureFields, field: (typeof FIGURE_FIELDS)[number], newSourceTitle: string | undefined): string {
    const v = fields[field];
    if (v === null || v === '') return '—';
    if (field === 'indicator_id') return q.indicators.getById(fields.indicator_id)?.name ?? `(indicator ${fields.indicator_id} no longer exists)`;
    if (field === 'location_id') {
      const place = q.locations.getById(fields.location_id);
      return place ? `${place.name} (${place.code})` : `(place ${fields.location_id} no longer exists)`;
    }
    if (field === 'source_id') {
      if (fields.source_id === 0) return `New source: ${newSourceTitle ?? ''}`;
      const source = q.sources.getById(fields.source_id);
      return source ? `${source.publisher}: ${source.title}` : `(source ${fields.source_id} no longer exists)`;
    }
    if (field === 'measure') return MEASURE_LABELS[fields.measure];
    return String(v);
  }

  /**
   * Someone saved the figure after this form was opened: both edits are
   * combined three ways (server/domain/merge.ts). The form comes back holding
   * every change only one side made, and asks about what both changed.
   */
  function threeWay(figureId: number, startedFrom: number, theirs: FigureFields, mine: FigureFields, typed: FormValues) {
    const revision = q.figureEdits.getRevision(figureId, startedFrom);
    const base = revision ? fieldsFromSnapshot(revision.snapshot, theirs) : null;
    const result = mergeFigureEdits(base, theirs, mine);
    const values: FormValues = { ...typed, ...valuesOf(result.merged) };
    if (result.merged.source_id === 0) values.source_id = 'new';
    const statement = result.outcomes.find((o) => o.unit.name === 'statement');
    if (statement?.change !== 'theirs') values.period_kind = typed.period_kind ?? values.period_kind ?? 'range';
    values.source_q = '';
    // The combination is checked again: units from two versions may not fit together.
    const recheck = parseFigureForm(values, (id) => q.indicators.getById(id));
    const pending = q.figureEdits.getPending(figureId);
    const editorId = pending ? pending.updated_by : q.figureEdits.getRow(figureId)?.updated_by;
    const theirName = (editorId ? q.users.getById(editorId)?.username : undefined) ?? 'Someone else';
    const newTitle = typed.new_source_title;
    const rows = (unit: MergeUnit) =>
      unit.fields.map((field) => ({
        field,
        base: base ? display(base, field, newTitle) : 'not known',
        theirs: display(theirs, field, newTitle),
        mine: display(mine, field, newTitle),
      }));
    const view = {
      theirName,
      units: result.outcomes.map((o: UnitOutcome) => ({ name: o.unit.name, change: o.change, rows: rows(o.unit) })),
      conflicts: result.conflicts.map((u) => u.name),
      takenFromTheirs: result.outcomes.filter((o) => o.change === 'theirs').map((o) => o.unit.name),
      keptFromMine: result.outcomes.filter((o) => o.change === 'mine').map((o) => o.unit.name),
    };
    return { values, errors: recheck.ok ? {} : recheck.errors, view };
  }

  /**
   * A form re-saved after a conflict carries the answers (`take_<unit>` =
   * theirs): each such unit is taken whole from the version saved now, if it is still the newest.
   */
  function withAnswers(figureId: number, token: number, values: FormValues): FormValues {
    const takeTheirs = MERGE_UNITS.map((u) => u.name).filter((name) => values[`take_${name}`] === 'theirs');
    if (takeTheirs.length === 0) return values;
    const current = workflow.currentContent(q, figureId);
    if (current.revision !== token) return values;
    const theirs = valuesOf(current.fields);
    const resolved = resolveConflicts(values, theirs, takeTheirs);
    if (takeTheirs.includes('statement')) resolved.period_kind = theirs.period_kind ?? 'range';
    if (takeTheirs.includes('source_id')) resolved.source_id = theirs.source_id ?? '';
    return resolved;
  }

  router.get('/admin/figures/new', (req, res) => {
    const last = req.session.lastEntry;
    const values: FormValues = { period_kind: 'day', qualifier: 'exact', verification: 'reported' };
    if (last) {
      values.source_id = String(last.source_id);
      values.reported_by = last.reported_by;
    }
    Object.assign(values, keptValues(req.query));
    const resumed = takeResumedForm(req);
    if (resumed) {
      renderForm(res, { figureId: null, values: resumed, errors: {}, revision: null, notice: RESUMED });
      return;
    }
    renderForm(res, { figureId: null, values, errors: {}, revision: null });
  });

  router.post('/admin/figures', (req, res) => {
    const user = currentUser(res);
    const typed = formValues(req.body);
    if (wantsSourceSearch(typed)) {
      renderForm(res, { figureId: null, values: typed, errors: {}, revision: null });
      return;
    }
    const input = readFigure(req.body);
    if (!input.ok) {
      renderForm(res, { figureId: null, values: input.values, errors: input.errors, revision: null });
      return;
    }
    // Before saving: the same indicator, place and an overlapping period already stated asks for a confirmation.
    if (input.values.confirm_duplicate !== 'yes') {
      const f = input.fields;
      const duplicates = q.staffFigures.overlapping({ indicator_id: f.indicator_id, location_id: f.location_id, start: f.reference_period_start, end: f.reference_period_end });
      if (duplicates.length > 0) {
        renderForm(res, { figureId: null, values: input.values, errors: {}, revision: null, duplicates });
        return;
      }
    }
    let id: number;
    try {
      id = workflow.createFigure(q, user, input.fields, input.newSource);
    } catch (err) {
      renderForm(res, { figureId: null, values: input.values, errors: fieldError(err), revision: null });
      return;
    }
    const saved = q.figureEdits.getRow(id);
    if (saved) req.session.lastEntry = { source_id: saved.source_id, reported_by: saved.reported_by };
    if (input.values.then === 'another' && saved) {
      const kept = new URLSearchParams();
      for (const name of KEPT_FOR_NEXT) kept.set(name, name === 'source_id' ? String(saved.source_id) : (input.values[name] ?? ''));
      req.session.flash = {
        kind: 'success',
        message: `Draft figure ${id} saved. This form keeps its source, originator, place, period and measure for the next one.`,
      };
      res.redirect(303, `/admin/figures/new?${kept.toString()}`);
      return;
    }
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
      // Staff see what the consistency checks say of the content awaiting review (warnings, never refusals).
      warnings: hasWork ? q.checks.preview(row.id, pending ?? row) : q.checks.forFigure(row.id),
      errors,
      values: formValues(req.body),
    });
  }

  router.get('/admin/figures/:id/edit', (req, res) => {
    const row = loadFigure(req);
    if (row.status === 'retired') throw new HttpError(409, 'A retired figure is not edited: restore one of its revisions from its history.');
    const pending = q.figureEdits.getPending(row.id);
    const resumed = takeResumedForm(req);
    if (resumed) {
      // The revision the form was opened at, so an edit made meanwhile by someone else is still caught on saving.
      const revision = revisionToken(resumed) ?? q.figureEdits.latestRevisionId(row.id);
      renderForm(res, { figureId: row.id, values: resumed, errors: {}, revision, notice: RESUMED });
      return;
    }
    renderForm(res, { figureId: row.id, values: valuesOf(pending ?? row), errors: {}, revision: q.figureEdits.latestRevisionId(row.id) });
  });

  router.post('/admin/figures/:id', (req, res) => {
    const user = currentUser(res);
    const row = loadFigure(req);
    if (row.status === 'retired') throw new HttpError(409, 'A retired figure is not edited: restore one of its revisions from its history.');
    const values = formValues(req.body);
    const expected = revisionToken(values);
    if (expected === undefined) throw new HttpError(400, 'The form is missing its revision number: reload the edit page and try again.');
    if (wantsSourceSearch(values)) {
      renderForm(res, { figureId: row.id, values, errors: {}, revision: expected });
      return;
    }
    const input = readFigure(withAnswers(row.id, expected, values));
    if (!input.ok) {
      renderForm(res, { figureId: row.id, values: input.values, errors: input.errors, revision: expected });
      return;
    }
    try {
      const outcome = workflow.saveFigure(q, user, row.id, input.fields, { expectedRevisionId: expected, newSource: input.newSource });
      req.session.flash = {
        kind: 'success',
        message:
          outcome === 'pending'
            ? 'Change saved as pending: the public still sees the published version until the change is published.'
            : 'Draft saved.',
      };
      res.redirect(303, `/admin/figures/${row.id}`);
    } catch (err) {
      if (!(err instanceof StaleEditError)) {
        renderForm(res, { figureId: row.id, values: input.values, errors: fieldError(err), revision: expected });
        return;
      }
      const current = workflow.currentContent(q, row.id);
      const merge = threeWay(row.id, expected, current.fields, input.fields, input.values);
      renderForm(res, {
        figureId: row.id,
        values: merge.values,
        errors: merge.errors,
        // The re-shown form carries the newest revision and both sides' changes: saving it keeps both.
        revision: current.revision,
        conflict: merge.view,
        status: 409,
      });
    }
  });

  router.post('/admin/figures/:id/submit', (req, res) => {
    const row = loadFigure(req);
    workflow.submitFigure(q, currentUser(res), row.id);
    req.session.flash = { kind: 'success', message: 'Submitted for review. Another person (an admin) publishes it.' };
    res.redirect(303, `/admin/figures/${row.id}`);
  });

  router.post('/admin/figures/:id/send-back', requireAdmin, (req, res) => {
    const row = loadFigure(req);
    const comment = requiredReason(req.body, 'comment');
    if (!comment) {
      renderFigure(req, res, { comment: 'Required: tell the editor what to change (at most 2000 characters).' }, 400);
      return;
    }
    workflow.sendBackFigure(q, currentUser(res), row.id, comment);
    req.session.flash = { kind: 'success', message: 'Sent back to its editor with your comment.' };
    res.redirect(303, `/admin/figures/${row.id}`);
  });

  router.post('/admin/figures/:id/publish', requireAdmin, (req, res) => {
    const row = loadFigure(req);
    try {
      workflow.publishFigure(q, currentUser(res), row.id, requiredReason(req.body, 'reason'));
    } catch (err) {
      renderFigure(req, res, fieldError(err), 400);
      return;
    }
    req.session.flash = { kind: 'success', message: 'Published: the public pages, the API and exports now show this version.' };
    res.redirect(303, `/admin/figures/${row.id}`);
  });

  router.post('/admin/figures/:id/retire', requireAdmin, (req, res) => {
    const row = loadFigure(req);
    if (row.status !== 'published') throw new HttpError(409, 'Only a published figure can be retired.');
    const reason = requiredReason(req.body, 'retired_reason');
    if (!reason) {
      renderFigure(req, res, { retired_reason: 'Required: say why the figure is withdrawn (at most 2000 characters).' }, 400);
      return;
    }
    workflow.retireFigure(q, currentUser(res), row.id, reason);
    req.session.flash = { kind: 'success', message: 'Retired: the figure has left current figures, charts and exports, and stays viewable with its history.' };
    res.redirect(303, `/admin/figures/${row.id}`);
  });

  router.post('/admin/figures/:id/restore', (req, res) => {
    const row = loadFigure(req);
    const values = formValues(req.body);
    const revisionId = parseId(values.revision_id, 'revision');
    try {
      const outcome = workflow.restoreRevision(q, currentUser(res), row.id, revisionId, revisionToken(values));
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
