import crypto from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { HttpError } from '../errors';

export const CSRF_FIELD = '_csrf';
export const CSRF_MESSAGE =
  'This form could not be accepted because its security token is missing or out of date (for example after signing in again elsewhere or a long pause). Go back, reload the page and send the form again.';

/** The sign-in form's cookie: a random value its stateless token is bound to. */
export const LOGIN_COOKIE = 'tally.login';
/** How long a sign-in form stays usable. */
export const LOGIN_FORM_MS = 2 * 60 * 60 * 1000;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const NONCE = /^[A-Za-z0-9_-]{22}$/;

/**
 * Compares a token from a request with the expected one in constant time:
 * both are hashed first, so neither their contents nor their lengths change
 * how long the comparison takes.
 */
export function sameToken(given: unknown, expected: unknown): boolean {
  if (typeof given !== 'string' || typeof expected !== 'string' || expected === '') return false;
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/** Forms send the token as a hidden field; scripts may use a header. */
function tokenFrom(req: Request): string | undefined {
  const body = req.body as Record<string, unknown> | undefined;
  const field = body && Object.hasOwn(body, CSRF_FIELD) ? body[CSRF_FIELD] : undefined;
  if (typeof field === 'string') return field;
  const header = req.headers['x-csrf-token'];
  return typeof header === 'string' ? header : undefined;
}

function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function loginMac(secret: string, nonce: string, issued: string): string {
  // A key of its own, derived from the session secret, so this MAC can never pass for a cookie signature.
  const key = crypto.createHmac('sha256', secret).update('tally sign-in form').digest();
  return crypto.createHmac('sha256', key).update(`${nonce}.${issued}`).digest('base64url');
}

/**
 * The sign-in form's CSRF token, stateless: nothing is stored on the server
 * for a visitor who is not signed in. The token is a MAC over a random value
 * kept in a SameSite=Strict cookie and the time it was issued, so a form
 * posted from another site (without that cookie) or an old one is refused.
 */
export function loginFormToken(req: Request, res: Response, secret: string): string {
  const existing = cookieValue(req, LOGIN_COOKIE);
  const nonce = existing && NONCE.test(existing) ? existing : crypto.randomBytes(16).toString('base64url');
  res.cookie(LOGIN_COOKIE, nonce, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/login', maxAge: LOGIN_FORM_MS });
  const issued = Date.now().toString(36);
  return `${issued}.${loginMac(secret, nonce, issued)}`;
}

function validLoginToken(req: Request, secret: string, token: string | undefined): boolean {
  const nonce = cookieValue(req, LOGIN_COOKIE);
  if (!token || !nonce || !NONCE.test(nonce)) return false;
  const [issued = '', mac = ''] = token.split('.');
  const at = parseInt(issued, 36);
  const age = Date.now() - at;
  if (!/^[0-9a-z]{1,12}$/.test(issued) || !Number.isFinite(at) || age < 0 || age > LOGIN_FORM_MS) return false;
  return sameToken(mac, loginMac(secret, nonce, issued));
}

/** Forgets the sign-in form's cookie once it has served. */
export function clearLoginCookie(res: Response): void {
  res.clearCookie(LOGIN_COOKIE, { path: '/login' });
}

/**
 * Refuses every POST/PUT/PATCH/DELETE without a valid token: the session's
 * synchroniser token, or on POST /login the sign-in form's stateless one.
 * A staff form sent by someone no longer signed in (the session ended while
 * the form was open) goes to `signedOut` instead, which offers to sign in again.
 */
export function csrfProtection(secret: string, signedOut?: RequestHandler): RequestHandler {
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method)) {
      next();
      return;
    }
    const given = tokenFrom(req);
    const ok = req.path === '/login' ? validLoginToken(req, secret, given) : sameToken(given, req.session?.csrfToken);
    if (ok) next();
    else if (signedOut && !res.locals.user && req.path.startsWith('/admin/')) signedOut(req, res, next);
    else next(new HttpError(403, CSRF_MESSAGE));
  };
}

/** The session's token (created when missing), for the forms of a signed-in user's page. */
export function csrfToken(req: Request): string {
  req.session.csrfToken ??= crypto.randomBytes(32).toString('base64url');
  return req.session.csrfToken;
}
