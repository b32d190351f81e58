import { Router } from 'express';
import type { Queries } from '../../../db';
import { changeOwnPassword, signOutEverywhere } from '../../auth/accounts';
import { formValues } from '../../validation/forms';
import { currentUser } from '../../middleware/auth';
import { SESSION_ABSOLUTE_MS, SESSION_COOKIE, SESSION_IDLE_MS } from '../../middleware/session';

/** The signed-in user's own account: who they are, and "sign out everywhere". */
export function adminAccountRoutes(q: Queries): Router {
  const router = Router();

  router.get('/admin/account', (_req, res) => {
    res.render('admin/account', { title: 'Your account', errors: {}, values: {} });
  });

  router.post('/admin/account/password', async (req, res, next) => {
    const user = currentUser(res);
    const v = formValues(req.body);
    const text = (name: string): string => (v[name] ?? '').slice(0, 1000);
    const errors = await changeOwnPassword(q, user.id, { current: text('current_password'), next: text('new_password'), confirm: text('confirm_password') });
    if (errors) {
      // Passwords are never sent back into the page.
      res.status(400).render('admin/account', { title: 'Your account', errors, values: {} });
      return;
    }
    // The new password ended every session of the account; this one carries on, on a new id.
    const generation = q.users.getById(user.id)?.session_generation;
    req.session.regenerate((err) => {
      if (err || generation === undefined) {
        next(err ?? new Error('the user vanished while changing the password'));
        return;
      }
      req.session.userId = user.id;
      req.session.generation = generation;
      req.session.endsAt = Date.now() + SESSION_ABSOLUTE_MS;
      req.session.flash = { kind: 'success', message: 'Password changed. Your other sessions are signed out; sign in with the new password next time.' };
      res.redirect(303, '/admin/account');
    });
  });

  // "Stay signed in" from the idle warning: any request moves the idle end on; this one says when the session now ends.
  router.get('/admin/session', (_req, res) => {
    res.json({ idleSeconds: SESSION_IDLE_MS / 1000, endsAt: res.locals.sessionEndsAt ?? null });
  });

  router.post('/admin/account/sign-out-everywhere', (req, res, next) => {
    const user = currentUser(res);
    signOutEverywhere(q, user.id);
    req.session.destroy((err) => {
      if (err) {
        next(err);
        return;
      }
      res.clearCookie(SESSION_COOKIE, { path: '/' });
      res.redirect(303, '/login?signed_out=everywhere');
    });
  });

  return router;
}
