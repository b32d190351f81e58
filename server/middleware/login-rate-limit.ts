import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type Options } from 'express-rate-limit';

export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
export const LOGIN_MAX_FAILURES = 10;

function usernameOf(req: Request): string {
  const body = req.body as Record<string, unknown> | undefined;
  const name = body?.username;
  return typeof name === 'string' ? name.trim().toLowerCase().slice(0, 64) : '';
}

/**
 * Two limits on failed logins (a response of 400 or more counts; a successful
 * login does not): per client address and per username, each 10 in 15
 * minutes. The username limit applies whether or not the user exists, so the
 * 429 reveals nothing. Counters live in process memory.
 */
export function loginRateLimits(): RequestHandler[] {
  const common: Partial<Options> = {
    windowMs: LOGIN_WINDOW_MS,
    limit: LOGIN_MAX_FAILURES,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, res) => {
      const retryAfter = res.getHeader('Retry-After');
      const minutes = Math.max(1, Math.ceil(Number(retryAfter ?? LOGIN_WINDOW_MS / 1000) / 60));
      res.status(429).render('errors/error', {
        title: '429 — Too many attempts',
        status: 429,
        heading: 'Too many sign-in attempts',
        message: `Too many failed sign-in attempts. Wait about ${minutes} minute${minutes === 1 ? '' : 's'} and try again.`,
        stack: undefined,
      });
    },
  };
  return [
    rateLimit({ ...common, identifier: 'login-ip', keyGenerator: (req) => `ip:${ipKeyGenerator(req.ip ?? 'unknown')}` }),
    rateLimit({ ...common, identifier: 'login-username', keyGenerator: (req) => `user:${usernameOf(req)}` }),
  ];
}
