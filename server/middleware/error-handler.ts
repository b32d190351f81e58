import type { ErrorRequestHandler } from 'express';
import type { Logger } from '../logger';
import { HttpError } from '../errors';

interface BodyParserError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

/** The status and user-facing message for anything thrown by a handler. */
function describe(err: unknown): { status: number; message: string } {
  if (err instanceof HttpError) return { status: err.status, message: err.message };
  const e = (err ?? {}) as BodyParserError & { message?: string };
  const status = e.status ?? e.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500 && e.expose) {
    if (status === 413) return { status, message: 'The request is too large.' };
    return { status, message: typeof e.message === 'string' ? e.message : 'The request could not be understood.' };
  }
  return { status: 500, message: 'Something went wrong on our side. The error has been logged.' };
}

/**
 * The one error handler: an HTML page (errors/<status> or errors/error),
 * JSON under /api. Stacks appear only in development; 500s are logged.
 */
export function errorHandler(logger: Logger, showStacks: boolean): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const { status, message } = describe(err);
    if (status >= 500) logger.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
    const stack = showStacks && err instanceof Error ? err.stack : undefined;
    res.status(status);
    if (req.path.startsWith('/api/')) {
      res.json({ error: { status, message } });
      return;
    }
    // Exports are read by programs and people at a terminal: a plain line says what to fix.
    if (req.path.startsWith('/export/')) {
      res.type('text/plain').send(`${message}\n`);
      return;
    }
    res.render('errors/error', { title: `${status} — ${titleFor(status)}`, status, heading: titleFor(status), message, stack });
  };
}

function titleFor(status: number): string {
  switch (status) {
    case 400:
      return 'Bad request';
    case 403:
      return 'Forbidden';
    case 409:
      return 'Conflict';
    case 404:
      return 'Not found';
    case 413:
      return 'Too large';
    case 429:
      return 'Too many requests';
    default:
      return status >= 500 ? 'Server error' : 'Request refused';
  }
}
