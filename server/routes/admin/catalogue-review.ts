import { Router, type Request, type Response } from 'express';
import type { Queries } from '../../../db';
import type { CatalogueChangeRow, CatalogueKind } from '../../../db/queries/catalogue-changes';
import { HttpError } from '../../errors';
import { currentUser, requireAdmin } from '../../middleware/auth';
import { formValues, requiredReason, type FieldErrors } from '../../validation/forms';
import { parseId } from '../../validation/query';
import { WorkflowError } from '../../workflow/errors';
import * as catalogue from '../../workflow/catalogue';

const LABELS: Record<string, string> = {
  title: 'Title',
  publisher: 'Publisher',
  url: 'Web address',
  published_on: 'Published on',
  accessed_on: 'Accessed on',
  notes: 'Notes',
  name: 'Name',
  description: 'Description',
  unit: 'Unit',
  aggregation: 'Aggregation',
  hxl_hashtag: 'HXL hashtag',
  admin_level: 'Admin level',
  parent: 'Part of',
};

export const KIND_WORDS: Record<CatalogueKind, string> = { source: 'source', indicator: 'indicator', location: 'place' };
const PATHS: Record<CatalogueKind, string> = { source: 'sources', indicator: 'indicators', location: 'locations' };

export const entryHref = (kind: CatalogueKind, id: number): string => `/admin/${PATHS[kind]}/${id}`;

const shown = (v: unknown): string =>
  v === null || v === undefined || v === '' ? '—' : typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v);

export interface FieldRow {
  field: string;
  label: string;
  before: string;
  after: string;
}

function currentRow(q: Queries, kind: CatalogueKind, id: number): Record<string, unknown> | undefined {
  const row = kind === 'source' ? q.sources.getById(id) : kind === 'indicator' ? q.indicators.getById(id) : q.locations.getById(id);
  return row as unknown as Record<string, unknown> | undefined;
}

/** A change's fields that differ, before → after, with names for ids. */
export function changedRows(q: Queries, change: CatalogueChangeRow, before: Record<string, unknown> = change.before): FieldRow[] {
  const a = catalogue.named(q, change.entity_type, before);
  const b = catalogue.named(q, change.entity_type, { ...before, ...change.after });
  return Object.keys(b)
    .filter((f) => shown(a[f]) !== shown(b[f]))
    .map((f) => ({ field: f, label: LABELS[f] ?? f, before: shown(a[f]), after: shown(b[f]) }));
}

/** An entry's name as staff know it: a source's publisher and title, an indicator's or place's name and code. */
export function entryName(q: Queries, kind: CatalogueKind, id: number): string {
  if (kind === 'source') {
    const s = q.sources.getById(id);
    return s ? `${s.publisher}: ${s.title}` : `source ${id}`;
  }
  const e = kind === 'indicator' ? q.indicators.getById(id) : q.locations.getById(id);
  return e ? `${e.name} (${e.code})` : `${KIND_WORDS[kind]} ${id}`;
}

/** A line of the review queue or of someone's returned work. */
export function queueItem(q: Queries, change: CatalogueChangeRow) {
  // An open change is read against what the entry says now: that is what publishing it replaces.
  const before = currentRow(q, change.entity_type, change.entity_id) ?? change.before;
  return {
    id: change.id,
    kind: KIND_WORDS[change.entity_type],
    name: entryName(q, change.entity_type, change.entity_id),
    href: entryHref(change.entity_type, change.entity_id),
    proposer: change.updated_by_name,
    proposedAt: change.updated_at,
    comment: change.comment,
    rows: changedRows(q, change, before),
  };
}

/**
 * The admin page of a source, indicator or place: what it says now, whether
 * the public sees it, its open change (before → after) with the review
 * forms, and every change it has had.
 */
export function renderEntry(q: Queries, req: Request, res: Response, kind: CatalogueKind, id: number, errors: FieldErrors = {}, status = 200): void {
  const user = currentUser(res);
  const now = currentRow(q, kind, id);
  if (!now) throw new HttpError(404, `there is no ${KIND_WORDS[kind]} ${id}`);
  const facts = Object.entries(catalogue.named(q, kind, now)).map(([f, v]) => ({ label: LABELS[f] ?? f, value: shown(v) }));
  const open = q.catalogueChanges.getOpen(kind, id);
  const code = typeof now.code === 'string' ? now.code : null;
  const isPublic = catalogue.isPublicEntry(q, kind, id);
  const events = q.catalogueChanges.eventsForEntity(kind, id);
  const history = q.catalogueChanges.listForEntity(kind, id).map((c) => ({
    id: c.id,
    status: c.status,
    proposer: c.proposed_by_name,
    proposedAt: c.proposed_at,
    decider: c.decided_by_name,
    decidedAt: c.decided_at,
    rows: changedRows(q, c, c.status === 'submitted' || c.status === 'sent_back' ? now : c.before),
    events: events.filter((e) => e.change_id === c.id),
  }));
  res.status(status).render('admin/catalogue/show', {
    title: entryName(q, kind, id),
    kind,
    kindWord: KIND_WORDS[kind],
    listHref: `/admin/${PATHS[kind]}`,
    listLabel: kind === 'location' ? 'Places' : kind === 'indicator' ? 'Indicators' : 'Sources',
    editHref: `${entryHref(kind, id)}/edit`,
    addFiguresHref: `/admin/figures/new?source=${id}`,
    publicHref: !isPublic && kind === 'source' ? null : kind === 'source' ? `/sources/${id}` : `/${PATHS[kind]}/${encodeURIComponent(code ?? '')}`,
    isPublic,
    publicSince: kind === 'source' ? q.sources.publicSince(id) : kind === 'indicator' ? q.indicators.publicSince(id) : q.locations.publicSince(id),
    facts,
    open: open
      ? {
          id: open.id,
          status: open.status,
          proposer: open.updated_by_name,
          proposedAt: open.updated_at,
          comment: open.comment,
          rows: changedRows(q, open, now),
          canReview: user.role === 'admin' && open.status === 'submitted',
          selfPublish: open.updated_by === user.id,
          canWithdraw: user.role === 'admin' || open.proposed_by === user.id || open.updated_by === user.id,
          mine: open.updated_by === user.id,
        }
      : null,
    history,
    errors,
    values: formValues(req.body),
  });
}

/** What the staff member is told after saving an edit. */
export function outcomeMessage(what: string, outcome: catalogue.EditOutcome): string {
  if (outcome === 'pending') return `${what}: change proposed for review. Readers see the published values until another person publishes it.`;
  if (outcome === 'unchanged') return `${what}: nothing changed.`;
  return `${what} saved.`;
}

/** What the edit form says before saving: whether the edit will be reviewed, and the open change's state. */
export function editNotice(q: Queries, kind: CatalogueKind, id: number): { review: boolean; open: string | null; comment: string | null } {
  const open = q.catalogueChanges.getOpen(kind, id);
  return {
    review: catalogue.isPublicEntry(q, kind, id),
    open: open ? (open.status === 'submitted' ? 'awaiting review' : 'sent back') : null,
    comment: open?.status === 'sent_back' ? open.comment : null,
  };
}

/** Publish, send back and withdraw a change of a source, indicator or place. */
export function catalogueReviewRoutes(q: Queries): Router {
  const router = Router();

  const load = (req: Request): CatalogueChangeRow => {
    const id = parseId(req.params.id, 'change');
    const change = q.catalogueChanges.getById(id);
    if (!change) throw new HttpError(404, `there is no change ${id}`);
    return change;
  };
  /** A refusal tied to a form field is shown beside it on the entry's page; any other propagates. */
  const refuse = (req: Request, res: Response, change: CatalogueChangeRow, err: unknown): void => {
    if (!(err instanceof WorkflowError && err.field)) throw err;
    renderEntry(q, req, res, change.entity_type, change.entity_id, { [err.field]: err.message }, err.status);
  };

  router.post('/admin/changes/:id/publish', requireAdmin, (req, res) => {
    const change = load(req);
    try {
      catalogue.publishChange(q, currentUser(res), change.id, requiredReason(req.body, 'reason'));
    } catch (err) {
      refuse(req, res, change, err);
      return;
    }
    req.session.flash = { kind: 'success', message: 'Published: every page, the API and exports that name it now show the change.' };
    res.redirect(303, entryHref(change.entity_type, change.entity_id));
  });

  router.post('/admin/changes/:id/send-back', requireAdmin, (req, res) => {
    const change = load(req);
    const comment = requiredReason(req.body, 'comment');
    if (!comment) {
      renderEntry(q, req, res, change.entity_type, change.entity_id, { comment: 'Required: tell the proposer what to change (at most 2000 characters).' }, 400);
      return;
    }
    catalogue.sendBackChange(q, currentUser(res), change.id, comment);
    req.session.flash = { kind: 'success', message: 'Sent back to its proposer with your comment.' };
    res.redirect(303, entryHref(change.entity_type, change.entity_id));
  });

  router.post('/admin/changes/:id/withdraw', (req, res) => {
    const change = load(req);
    catalogue.withdrawChange(q, currentUser(res), change.id);
    req.session.flash = { kind: 'success', message: 'Change withdrawn: it stays in the history.' };
    res.redirect(303, entryHref(change.entity_type, change.entity_id));
  });

  return router;
}
