import { Router, type Response } from 'express';
import type { Queries } from '../../../db';
import * as accounts from '../../workflow/accounts';
import { ROLES, type Role } from '../../domain/accounts';
import { AccountError, addUser, resetPassword } from '../../auth/accounts';
import { HttpError } from '../../errors';
import { currentUser, requireAdmin } from '../../middleware/auth';
import { formValues, type FieldErrors, type FormValues } from '../../validation/forms';
import { parseId } from '../../validation/query';

function parseRole(value: string | undefined): Role | null {
  return (ROLES as readonly string[]).includes(value ?? '') ? (value as Role) : null;
}

/** Users (admin only): list, add, change role, disable and enable, reset a password. */
export function adminUserRoutes(q: Queries): Router {
  const router = Router();
  router.use('/admin/users', requireAdmin);

  const renderList = (res: Response, values: FormValues, errors: FieldErrors, created: { username: string; password: string } | null = null): void => {
    res.status(Object.keys(errors).length > 0 ? 400 : 200).render('admin/users/index', {
      title: 'Users',
      users: q.users.list(),
      values,
      errors,
      created,
      roles: ROLES,
    });
  };
  const load = (raw: unknown) => {
    const id = parseId(raw, 'user');
    const user = q.users.getById(id);
    if (!user) throw new HttpError(404, `there is no user ${id}`);
    return user;
  };
  router.get('/admin/users', (_req, res) => renderList(res, { role: 'editor' }, {}));

  router.post('/admin/users', async (req, res) => {
    const actor = currentUser(res);
    const values = formValues(req.body);
    const role = parseRole(values.role);
    const username = (values.username ?? '').trim();
    const password = values.password ?? '';
    if (!role) return renderList(res, values, { role: 'Choose editor or admin.' });
    try {
      const created = await addUser(q, { username, role, password: password === '' ? undefined : password, actorId: actor.id, via: 'web' });
      // A generated password is shown once, on this page, and never again.
      renderList(res, { role: 'editor' }, {}, created.generated ? { username, password: created.password } : null);
    } catch (err) {
      if (!(err instanceof AccountError)) throw err;
      const field = err.message.startsWith('Password') ? 'password' : 'username';
      renderList(res, { username, role }, { [field]: err.message });
    }
  });

  router.post('/admin/users/:id/role', (req, res) => {
    const actor = currentUser(res);
    const user = load(req.params.id);
    const role = parseRole(formValues(req.body).role);
    if (!role) throw new HttpError(400, 'role must be editor or admin');
    accounts.setRole(q, actor, user.id, role);
    req.session.flash = { kind: 'success', message: `${user.username} is now ${role === 'admin' ? 'an admin' : 'an editor'}.` };
    res.redirect(303, '/admin/users');
  });

  router.post('/admin/users/:id/disable', (req, res) => {
    const actor = currentUser(res);
    const user = load(req.params.id);
    accounts.disableUser(q, actor, user.id);
    req.session.flash = { kind: 'success', message: `${user.username} is disabled and signed out.` };
    res.redirect(303, '/admin/users');
  });

  router.post('/admin/users/:id/enable', (req, res) => {
    const actor = currentUser(res);
    const user = load(req.params.id);
    accounts.enableUser(q, actor, user.id);
    req.session.flash = { kind: 'success', message: `${user.username} can sign in again.` };
    res.redirect(303, '/admin/users');
  });

  router.post('/admin/users/:id/reset-password', async (_req, res) => {
    const actor = currentUser(res);
    const user = load(_req.params.id);
    const password = await resetPassword(q, user.username, actor.id, 'web');
    renderList(res, { role: 'editor' }, {}, { username: user.username, password });
  });

  return router;
}
