import { Router } from 'express';
import type { Queries } from '../../../db';
import { HttpError } from '../../errors';
import { requireAdmin } from '../../middleware/auth';
import { isRealDate } from '../../validation/query';
import { parsePositiveInt } from '../../validation/query';

const PAGE_SIZE = 100;

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
      rows,
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
