import { Router, type Request, type RequestHandler, type Response } from 'express';
import { fromThisSite, openForm, resumePageFor, sealForm } from '../auth/resume';
import type { Queries } from '../../db';
import * as accounts from '../workflow/accounts';
import { hashPassword, verifyPassword } from '../auth/passwords';
import { clearLoginCookie, csrfToken, loginFormToken } from '../middleware/csrf';
import { LoginThrottle } from '../middleware/login-throttle';
import { SESSION_ABSOLUTE_MS, SESSION_COOKIE } from '../middleware/session';

const FAILED_LOGIN = 'The username or password is not right, or the account is disabled.';
/** What the audit log keeps for a failed sign-in with a username nobody has: what was typed may be a password. */
export const UNKNOWN_USER = '(unknown user)';

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

interface LoginView {
  username: string;
  next: string;
  error?: string;
  notice?: string;
  /** A form carried through signing in (see server/auth/resume.ts). */
  resume?: { resume: string; resume_mac: string } | null;
}

export const SESSION_ENDED =
  'Your session ended (after two hours without activity, or twelve hours after signing in), so nothing was saved.';

/**
 * A staff form sent after its session ended: the sign-in page, carrying what
 * the form held (signed, not stored) so that signing in brings the form back
 * with every value. Forms that cannot be shown again, or sent from another
 * site, lead to the sign-in page without their values.
 */
export function signInAgain(secret: string): RequestHandler {
  return (req, res) => {
    const page = resumePageFor(req.path);
    const body: Record<string, unknown> = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
    const values = Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const resume = page && fromThisSite(req) ? sealForm(secret, { path: page, values }) : null;
    const notice = resume
      ? `${SESSION_ENDED} Sign in again: the form comes back with everything you typed, for you to check and save.`
      : `${SESSION_ENDED} Sign in again, then send the form again.`;
    res.status(401).set('Cache-Control', 'no-store');
    res.render('auth/login', { title: 'Staff sign in', csrf: loginFormToken(req, res, secret), username: '', next: page ?? '/admin', notice, noticeKind: 'warning', resume });
  };
}

export function authRoutes(q: Queries, secret: string): Router {
  const router = Router();
  const throttle = new LoginThrottle();

  // The sign-in form writes nothing on the server: its token is stateless (see csrf.ts).
  const renderLogin = (req: Request, res: Response, values: LoginView): void => {
    res.set('Cache-Control', 'no-store');
    res.render('auth/login', { title: 'Staff sign in', csrf: loginFormToken(req, res, secret), ...values });
  };

  router.get('/login', (req, res) => {
    if (res.locals.user) {
      res.redirect(safeNext(req.query.next));
      return;
    }
    const notice = req.query.signed_out === 'everywhere' ? 'You are signed out on every device and browser.' : undefined;
    renderLogin(req, res, { username: '', next: safeNext(req.query.next), ...(notice ? { notice } : {}) });
  });

  router.post('/login', async (req, res, next) => {
    const body = req.body as Record<string, unknown>;
    const username = typeof body.username === 'string' ? body.username.trim().slice(0, 64) : '';
    const password = typeof body.password === 'string' ? body.password.slice(0, 200) : '';
    const nextUrl = safeNext(body.next);
    const resumed = openForm(secret, body.resume, body.resume_mac);
    const resume = resumed ? { resume: body.resume as string, resume_mac: body.resume_mac as string } : null;

    // Checked before the password, so a waiting guesser learns nothing from the answer.
    const wait = throttle.waitSeconds(username, req.ip);
    if (wait > 0) {
      res.status(429).set('Retry-After', String(wait));
      const when = wait < 90 ? `${wait} second${wait === 1 ? '' : 's'}` : `${Math.ceil(wait / 60)} minutes`;
      renderLogin(req, res, { username, next: nextUrl, resume, error: `Too many failed sign-in attempts. Wait ${when} and try again.` });
      return;
    }

    const user = username ? q.users.getForLogin(username) : undefined;
    const matches = await verifyPassword(password, user?.password_hash ?? (await dummy()));
    if (!user || !matches || user.disabled_at) {
      throttle.failed(username, req.ip);
      // The account's own name when there is one; never what was typed for an unknown one.
      accounts.recordFailedSignIn(q, user?.id ?? null, user ? user.username : UNKNOWN_USER);
      res.status(401);
      renderLogin(req, res, { username, next: nextUrl, resume, error: FAILED_LOGIN });
      return;
    }
    throttle.succeeded(username, req.ip);
    // A new session id at sign-in: a session fixed before it is worth nothing after.
    req.session.regenerate((err) => {
      if (err) {
        next(err);
        return;
      }
      req.session.userId = user.id;
      req.session.generation = user.session_generation;
      req.session.endsAt = Date.now() + SESSION_ABSOLUTE_MS;
      csrfToken(req);
      if (resumed) req.session.resumedForm = resumed;
      req.session.save((saveErr) => {
        if (saveErr) {
          next(saveErr);
          return;
        }
        accounts.recordSignIn(q, user.id);
        clearLoginCookie(res);
        res.redirect(303, resumed ? resumed.path : nextUrl);
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
