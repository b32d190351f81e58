import { Router } from 'express';
import type { Queries } from '../../../db';
import { signOutEverywhere } from '../../auth/accounts';
import { currentUser } from '../../middleware/auth';
import { SESSION_COOKIE, SESSION_IDLE_MS } from '../../middleware/session';

/** The signed-in user's own account: who they are, and "sign out everywhere". */
export function adminAccountRoutes(q: Queries): Router {
  const router = Router();

  router.get('/admin/account', (_req, res) => {
    res.render('admin/account', { title: 'Your account' });
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
