import { Router, type Request, type Response } from 'express';
import type { Queries } from '../../db';
import * as accounts from '../workflow/accounts';
import { hashPassword, verifyPassword } from '../auth/passwords';
import { csrfToken } from '../middleware/csrf';
import { loginRateLimits } from '../middleware/login-rate-limit';
import { SESSION_COOKIE } from '../middleware/session';

const FAILED_LOGIN = 'The username or password is not right, or the account is disabled.';

/** Only a path on this site: never `//host` or a full URL (no open redirect). */
export function safeNext(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return '/admin';
  return value;
}

// Compared against when the username is unknown, so both cases cost the same time.
let dummyHash: Promise<string> | undefined;
function dummy(): Promise<string> {
  dummyHash ??= hashPassword('not-a-real-password-for-anyone');
  return dummyHash;
}

function renderLogin(req: Request, res: Response, values: { username: string; next: string; error?: string }): void {
  res.set('Cache-Control', 'no-store');
  res.render('auth/login', { title: 'Staff sign in', csrf: csrfToken(req), ...values });
}

export function authRoutes(q: Queries): Router {
  const router = Router();

  router.get('/login', (req, res) => {
    if (res.locals.user) {
      res.redirect(safeNext(req.query.next));
      return;
    }
    renderLogin(req, res, { username: '', next: safeNext(req.query.next) });
  });

  router.post('/login', ...loginRateLimits(), async (req, res, next) => {
    const body = req.body as Record<string, unknown>;
    const username = typeof body.username === 'string' ? body.username.trim().slice(0, 64) : '';
    const password = typeof body.password === 'string' ? body.password.slice(0, 200) : '';
    const nextUrl = safeNext(body.next);
    const user = username ? q.users.getForLogin(username) : undefined;
    const matches = await verifyPassword(password, user?.password_hash ?? (await dummy()));
    if (!user || !matches || user.disabled_at) {
      accounts.recordFailedSignIn(q, user?.id ?? null, username);
      res.status(401);
      renderLogin(req, res, { username, next: nextUrl, error: FAILED_LOGIN });
      return;
    }
    // A new session id at login: a session fixed before login is worth nothing after.
    req.session.regenerate((err) => {
      if (err) {
        next(err);
        return;
      }
      req.session.userId = user.id;
      csrfToken(req);
      req.session.save((saveErr) => {
        if (saveErr) {
          next(saveErr);
          return;
        }
        accounts.recordSignIn(q, user.id);
        res.redirect(303, nextUrl);
      });
    });
  });

  router.post('/logout', (req, res, next) => {
    const userId = res.locals.user?.id ?? null;
    req.session.destroy((err) => {
      if (err) {
        next(err);
        return;
      }
      if (userId !== null) accounts.recordSignOut(q, userId);
      res.clearCookie(SESSION_COOKIE, { path: '/' });
      res.redirect(303, '/');
    });
  });

  return router;
}
