import type { RequestHandler } from 'express';
import session from 'express-session';
import type { Db } from '../../db/connection';
import { SqliteSessionStore } from '../../db/session-store';

/** Staff are signed out after this long without a request. */
export const SESSION_IDLE_MS = 2 * 60 * 60 * 1000;
/** ...and this long after signing in, however active: a stolen cookie is not good forever. */
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
export const SESSION_COOKIE = 'tally.sid';

export interface Flash {
  kind: 'success' | 'error';
  message: string;
  /** Lines shown as a list under the message (e.g. the figures a bulk action refused, each with why). */
  details?: string[];
}

declare module 'express-session' {
  interface SessionData {
    userId: number;
    /** The user's session generation at sign-in: a password reset, role change or "sign out everywhere" moves the user's on. */
    generation: number;
    /** Epoch ms: the absolute end of this session. */
    endsAt: number;
    /** The synchroniser token of this session's forms. */
    csrfToken: string;
    /** What the last figure entry used, offered again on the next new figure. */
    lastEntry: { source_id: number; reported_by: string };
    flash: Flash;
  }
}

/**
 * Sessions in SQLite, for signed-in staff only: nothing is stored for an
 * anonymous visitor (saveUninitialized false, and the sign-in form's token is
 * stateless). The cookie is HttpOnly, SameSite=Lax, Secure on HTTPS requests
 * (as Express sees them, so behind TRUST_PROXY too), and rolls so a session
 * ends after two idle hours; the store also ends it twelve hours after sign-in.
 */
export function sessions(db: Db, secret: string): RequestHandler {
  return session({
    name: SESSION_COOKIE,
    secret,
    store: new SqliteSessionStore(db, SESSION_IDLE_MS),
    resave: false,
    saveUninitialized: false,
    rolling: true,
    unset: 'destroy',
    cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto', maxAge: SESSION_IDLE_MS, path: '/' },
  });
}
