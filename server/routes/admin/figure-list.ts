import { Router, type Request, type Response } from 'express';
import type { Queries } from '../../../db';
import type { User } from '../../../db/queries/users';
import { VERIFICATIONS } from '../../domain/figure';
import { HttpError } from '../../errors';
import { currentUser } from '../../middleware/auth';
import { formValues, requiredReason, type FieldErrors } from '../../validation/forms';
import { parsePositiveInt } from '../../validation/query';
import {
  STAFF_STATUS_LABELS, STAFF_STATUSES, parseStaffFigureQuery, staffFigureHref,
} from '../../validation/staff-figure-query';
import { WorkflowError } from '../../workflow/errors';
import * as workflow from '../../workflow/figures';

const PAGE_SIZE = 50;
/** More than a page of checkboxes never arrives from the list; the limit keeps one request's work bounded. */
const MAX_BULK = 200;

export const BULK_ACTIONS = {
  submit: { label: 'Submit for review', done: 'Submitted', adminOnly: false },
  publish: { label: 'Publish', done: 'Published', adminOnly: true },
  send_back: { label: 'Send back to the editor (with a comment)', done: 'Sent back', adminOnly: true },
  retire: { label: 'Retire (with a reason)', done: 'Retired', adminOnly: true },
} as const;
type BulkAction = keyof typeof BULK_ACTIONS;

function isBulkAction(s: string): s is BulkAction {
  return Object.hasOwn(BULK_ACTIONS, s);
}

/** The ticked figure ids: `ids` once or repeated, each a positive whole number. */
function parseIds(value: unknown): number[] {
  const items: unknown[] = value === undefined ? [] : Array.isArray(value) ? value : [value];
  if (items.length > MAX_BULK) throw new HttpError(400, `at most ${MAX_BULK} figures can be changed at once`);
  const ids = items.map((item) => {
    if (typeof item !== 'string' || !/^[1-9]\d{0,14}$/.test(item)) throw new HttpError(400, 'ids must be figure ids, positive whole numbers');
    return Number(item);
  });
  return [...new Set(ids)];
}

/** The staff's list of every figure (GET, filters in the URL) and the bulk actions on the ticked ones. */
export function adminFigureListRoutes(q: Queries): Router {
  const router = Router();
  const usernameId = (username: string): number | undefined =>
    q.users.list().find((u) => u.username.toLowerCase() === username.toLowerCase())?.id;

  function bulkActionsFor(user: User) {
    return Object.entries(BULK_ACTIONS)
      .filter(([, a]) => user.role === 'admin' || !a.adminOnly)
      .map(([value, a]) => ({ value, label: a.label }));
  }

  function renderList(
    res: Response,
    input: Record<string, unknown>,
    form: { checked?: number[]; errors?: FieldErrors; values?: Record<string, string>; status?: number } = {},
  ): void {
    const user = currentUser(res);
    const { filter, query } = parseStaffFigureQuery(input, usernameId);
    const requested = parsePositiveInt(input.page, 'page', 1);
    const total = q.staffFigures.count(filter);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const page = Math.min(requested, pages);
    const rows = q.staffFigures.list(filter, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
    res.status(form.status ?? 200).render('admin/figures/index', {
      title: 'All figures',
      rows,
      total,
      page,
      pages,
      query,
      returnTo: staffFigureHref(query, page),
      prevHref: page > 1 ? staffFigureHref(query, page - 1) : null,
      nextHref: page < pages ? staffFigureHref(query, page + 1) : null,
      statuses: STAFF_STATUSES.map((s) => ({ value: s, label: STAFF_STATUS_LABELS[s] })),
      verifications: VERIFICATIONS,
      indicators: q.indicators.list(),
      locations: q.locations.list(),
      sources: q.sources.listForPicker(),
      editors: q.users.list(),
      actions: bulkActionsFor(user),
      checked: new Set(form.checked ?? []),
      errors: form.errors ?? {},
      values: form.values ?? {},
    });
  }

  router.get('/admin/figures', (req, res) => {
    renderList(res, req.query);
  });

  /** The list the form came from: its filters and page, read again (a bad one falls back to the whole list). */
  function returnQuery(raw: string | undefined): Record<string, unknown> {
    const path = raw ?? '';
    if (!path.startsWith('/admin/figures')) return {};
    const params = Object.fromEntries(new URLSearchParams(path.slice(path.indexOf('?') + 1 || path.length)));
    try {
      parseStaffFigureQuery(params, usernameId);
      parsePositiveInt(params.page, 'page', 1);
      return params;
    } catch (err) {
      if (err instanceof HttpError) return {};
      throw err;
    }
  }

  router.post('/admin/figures/bulk', (req: Request, res) => {
    const user = currentUser(res);
    const values = formValues(req.body);
    const back = returnQuery(values.return_to);
    const backHref = (): string => {
      const { query } = parseStaffFigureQuery(back, usernameId);
      return staffFigureHref(query, parsePositiveInt(back.page, 'page', 1));
    };
    const action = values.action ?? '';
    if (!isBulkAction(action)) throw new HttpError(400, `action must be one of: ${Object.keys(BULK_ACTIONS).join(', ')}`);
    if (BULK_ACTIONS[action].adminOnly && user.role !== 'admin') {
      throw new HttpError(403, 'Editors submit figures for review; an admin publishes, sends back or retires them.');
    }
    const body = req.body as Record<string, unknown>;
    const ids = parseIds(body.ids);
    const errors: FieldErrors = {};
    if (ids.length === 0) errors.ids = 'Tick at least one figure.';
    const note = requiredReason(req.body, 'note');
    if (!note && action === 'send_back') errors.note = 'Required to send back: tell the editors what to change (at most 2000 characters).';
    if (!note && action === 'retire') errors.note = 'Required to retire: say why the figures are withdrawn (at most 2000 characters).';
    if (Object.keys(errors).length > 0) {
      renderList(res, back, { checked: ids, errors, values, status: 400 });
      return;
    }

    const done: number[] = [];
    const refused: string[] = [];
    for (const id of ids) {
      try {
        if (action === 'submit') workflow.submitFigure(q, user, id);
        else if (action === 'publish') workflow.publishFigure(q, user, id, null);
        else if (action === 'send_back') workflow.sendBackFigure(q, user, id, note as string);
        else workflow.retireFigure(q, user, id, note as string);
        done.push(id);
      } catch (err) {
        if (!(err instanceof WorkflowError)) throw err;
        const f = q.figures.getById(id);
        refused.push(`Figure ${id}${f ? ` (${f.indicator_name}, ${f.location_name})` : ''}: ${err.message}`);
      }
    }
    const verb = BULK_ACTIONS[action].done;
    const count = (n: number): string => `${n} figure${n === 1 ? '' : 's'}`;
    req.session.flash =
      refused.length === 0
        ? { kind: 'success', message: `${verb}: ${count(done.length)}.` }
        : { kind: 'error', message: `${verb}: ${count(done.length)}. Not done for ${count(refused.length)}:`, details: refused };
    res.redirect(303, backHref());
  });

  return router;
}
