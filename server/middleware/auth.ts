import type { RequestHandler, Response } from 'express';
import type { Queries } from '../../db';
import type { User } from '../../db/queries/users';
import { HttpError } from '../errors';
import { csrfToken } from './csrf';
import { SESSION_IDLE_MS, type Flash } from './session';

declare module 'express-serve-static-core' {
  interface Locals {
    user?: User;
    csrfToken?: string;
    flash?: Flash;
    /** Epoch ms: when the signed-in session ends however active (the page warns before). */
    sessionEndsAt?: number;
    /** How long the session lasts without a request. */
    sessionIdleSeconds?: number;
  }
}

/**
 * Loads the signed-in user from the session on every request. A session is
 * destroyed when its user has since been disabled or removed, when the user's
 * session generation has moved on (a new password, a new role, "sign out
 * everywhere"), or past its absolute end: each signs the session out at once.
 */
export function loadUser(q: Queries): RequestHandler {
  return (req, res, next) => {
    const userId = req.session.userId;
    if (userId === undefined) {
      next();
      return;
    }
    const user = q.users.getById(userId);
    const over =
      !user ||
      user.disabled_at !== null ||
      req.session.generation !== user.session_generation ||
      typeof req.session.endsAt !== 'number' ||
      Date.now() >= req.session.endsAt;
    if (over) {
      req.session.destroy((err) => next(err));
      return;
    }
    res.locals.user = user;
    res.locals.csrfToken = csrfToken(req);
    res.locals.sessionEndsAt = req.session.endsAt;
    res.locals.sessionIdleSeconds = SESSION_IDLE_MS / 1000;
    if (req.session.flash) {
      res.locals.flash = req.session.flash;
      delete req.session.flash;
    }
    next();
  };
}

/** Anonymous visitors are sent to the login page (GET) or refused (anything else). */
export const requireStaff: RequestHandler = (req, res, next) => {
  if (res.locals.user) {
    res.set('Cache-Control', 'no-store');
    next();
    return;
  }
  if (req.method === 'GET' || req.method === 'HEAD') {
    res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
    return;
  }
  next(new HttpError(403, 'Sign in to do that.'));
};

export const requireAdmin: RequestHandler = (_req, res, next) => {
  if (res.locals.user?.role === 'admin') next();
  else next(new HttpError(403, 'Only an admin can do that.'));
};

/** The signed-in user of a route behind requireStaff. */
export function currentUser(res: Response): User {
  const user = res.locals.user;
  if (!user) throw new HttpError(403, 'Sign in to do that.');
  return user;
}
