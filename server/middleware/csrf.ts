import type { Request, RequestHandler } from 'express';
import { csrfSync } from 'csrf-sync';
import { HttpError } from '../errors';

export const CSRF_FIELD = '_csrf';
export const CSRF_MESSAGE =
  'This form could not be accepted because its security token is missing or out of date (for example after signing in again elsewhere or a long pause). Go back, reload the page and send the form again.';

const { csrfSynchronisedProtection, generateToken } = csrfSync({
  // Forms send the token as a hidden field; scripts may use a header.
  getTokenFromRequest: (req: Request) => {
    const body = req.body as Record<string, unknown> | undefined;
    const field = body?.[CSRF_FIELD];
    if (typeof field === 'string') return field;
    const header = req.headers['x-csrf-token'];
    return typeof header === 'string' ? header : undefined;
  },
});

/** Refuses every POST/PUT/PATCH/DELETE without the session's synchroniser token. */
export const csrfProtection: RequestHandler = (req, res, next) => {
  csrfSynchronisedProtection(req, res, (err?: unknown) => {
    if (err) next(new HttpError(403, CSRF_MESSAGE));
    else next();
  });
};

/** The session's token (created when missing), for the forms of this page. */
export function csrfToken(req: Request): string {
  return generateToken(req);
}

