import type { RequestHandler } from 'express';
import session from 'express-session';
import type { Db } from '../../db/connection';
import { SqliteSessionStore } from '../../db/session-store';

/** Staff are signed out after this long without a request. */
export const SESSION_IDLE_MS = 2 * 60 * 60 * 1000;
export const SESSION_COOKIE = 'tally.sid';

export interface Flash {
  kind: 'success' | 'error';
  message: string;
}

declare module 'express-session' {
  interface SessionData {
    userId: number;
    /** What the last figure entry used, offered again on the next new figure. */
    lastEntry: { source_id: number; reported_by: string };
    flash: Flash;
  }
}

/**
 * Sessions in SQLite. Nothing is stored for anonymous readers of public pages
 * (saveUninitialized false); the cookie is HttpOnly, SameSite=Lax, Secure on
 * HTTPS requests (as Express sees them, so behind TRUST_PROXY too), and rolls
 * so a session ends after two idle hours.
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
