import { Router } from 'express';
import type { Queries } from '../../../db';
import { HttpError } from '../../errors';
import { requireAdmin } from '../../middleware/auth';
import { isRealDate } from '../../validation/query';
import { parsePositiveInt } from '../../validation/query';

const PAGE_SIZE = 100;

/** An audit entry's details as a reader sees them: changed fields (before → after) and other facts. */
export interface AuditDetails {
  changes: { field: string; before: string; after: string }[];
  facts: { name: string; value: string }[];
}

const shown = (v: unknown): string => (v === null || v === undefined || v === '' ? '—' : typeof v === 'string' ? v : JSON.stringify(v));
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads the JSON the workflow stored: `{ before, after }` becomes one row per
 * field that differs, `{ from, to }` one row, every other key a fact.
 */
export function auditDetails(raw: string | null, action: string): AuditDetails | null {
  if (raw === null || raw === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { changes: [], facts: [{ name: 'details', value: raw }] };
  }
  if (!isRecord(parsed)) return { changes: [], facts: [{ name: 'details', value: shown(parsed) }] };
  const { before, after, from, to, ...rest } = parsed;
  const changes: AuditDetails['changes'] = [];
  const facts: AuditDetails['facts'] = [];
  if (isRecord(before) && isRecord(after)) {
    for (const field of [...new Set([...Object.keys(before), ...Object.keys(after)])]) {
      if (JSON.stringify(before[field] ?? null) !== JSON.stringify(after[field] ?? null)) {
        changes.push({ field, before: shown(before[field]), after: shown(after[field]) });
      }
    }
  } else {
    if (before !== undefined) facts.push({ name: 'before', value: shown(before) });
    if (after !== undefined) facts.push({ name: 'after', value: shown(after) });
  }
  if (from !== undefined || to !== undefined) changes.push({ field: action.includes('role') ? 'role' : 'value', before: shown(from), after: shown(to) });
  for (const [name, value] of Object.entries(rest)) facts.push({ name: name.replace(/_/g, ' '), value: shown(value) });
  return { changes, facts };
}

function optionalDate(value: unknown, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !isRealDate(value)) throw new HttpError(400, `${name} must be a date written YYYY-MM-DD`);
  return value;
}

/** The audit log (admin only): every change by anyone, filterable by user, type and date. */
export function adminAuditRoutes(q: Queries): Router {
  const router = Router();
  router.get('/admin/audit', requireAdmin, (req, res) => {
    const users = q.users.list();
    const types = q.audit.entityTypes();
    const userParam = typeof req.query.user === 'string' && req.query.user !== '' ? req.query.user : undefined;
    const user = userParam === undefined ? undefined : users.find((u) => u.username.toLowerCase() === userParam.toLowerCase());
    if (userParam !== undefined && !user) throw new HttpError(400, `unknown user "${userParam}"`);
    const typeParam = typeof req.query.type === 'string' && req.query.type !== '' ? req.query.type : undefined;
    if (typeParam !== undefined && !/^[a-z_-]{1,64}$/.test(typeParam)) throw new HttpError(400, 'type must be a word such as figure or user');
    const from = optionalDate(req.query.from, 'from');
    const to = optionalDate(req.query.to, 'to');
    const page = parsePositiveInt(req.query.page, 'page', 1);
    const filter = { userId: user?.id, entityType: typeParam, from, to };
    const total = q.audit.count(filter);
    const rows = q.audit.search(filter, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
    const params = new URLSearchParams();
    if (user) params.set('user', user.username);
    if (typeParam) params.set('type', typeParam);
    if (from) params.set('from', from);
    if (to) params.set('to', to);
    const href = (p: number): string => {
      const qs = new URLSearchParams(params);
      if (p > 1) qs.set('page', String(p));
      return `/admin/audit?${qs.toString()}`;
    };
    res.render('admin/audit', {
      title: 'Audit log',
      rows: rows.map((r) => ({ ...r, detail: auditDetails(r.details, r.action) })),
      total,
      users,
      types: [...new Set([...types, 'figure', 'source', 'user', 'session', 'indicator', 'location'])].sort(),
      filters: { user: user?.username ?? '', type: typeParam ?? '', from: from ?? '', to: to ?? '' },
      prevHref: page > 1 ? href(page - 1) : null,
      nextHref: page * PAGE_SIZE < total ? href(page + 1) : null,
    });
  });
  return router;
}
