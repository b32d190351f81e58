import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from '../logger';
import { HttpError } from '../errors';

interface StatusError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  message?: string;
}

const DEFAULT_400 = 'The request could not be understood.';

/**
 * The status and user-facing message for anything thrown by a handler. Only
 * an HttpError's message, or one a library marked `expose`, reaches the page:
 * anything else may name files, SQL or internals.
 */
function describe(err: unknown): { status: number; message: string } {
  if (err instanceof HttpError) return { status: err.status, message: err.message };
  // Express decodes route parameters lazily: a malformed %-escape in the path is the client's mistake.
  if (err instanceof URIError) return { status: 400, message: 'The address has a malformed %-escape: check the link.' };
  const e = (err !== null && typeof err === 'object' ? err : {}) as StatusError;
  const status = e.status ?? e.statusCode;
  if (typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500) {
    if (status === 413) return { status, message: 'The request is too large.' };
    return { status, message: e.expose === true && typeof e.message === 'string' ? e.message : DEFAULT_400 };
  }
  return { status: 500, message: 'Something went wrong on our side. The error has been logged.' };
}

/** Sent when even the error page cannot be rendered: fixed text, nothing from the request or the error. */
const LAST_RESORT =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Error · Tally</title></head>' +
  '<body><h1>Something went wrong</h1><p>The error has been logged. <a href="/">Back to Tally</a></p></body></html>';

/**
 * The one error handler: an HTML page (errors/error), JSON under /api, a
 * plain line under /export. Stacks appear only in development; 500s are
 * logged. A failure to render the page itself is logged and answered with
 * fixed text, so no error ever reaches Express's own handler.
 */
export function errorHandler(logger: Logger, showStacks: boolean): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const { status, message } = describe(err);
    if (status >= 500) logger.error({ err, method: req.method, url: req.originalUrl.slice(0, 500) }, 'request failed');
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
    renderErrorPage(res, logger, { title: `${status} — ${titleFor(status)}`, status, heading: titleFor(status), message, stack });
  };
}

/** Renders errors/error; if that fails, logs why and sends fixed text with the same status. */
export function renderErrorPage(
  res: Response,
  logger: Logger,
  locals: { title: string; status: number; heading: string; message: string; stack: string | undefined },
): void {
  res.render('errors/error', locals, (renderErr: Error | null, html?: string) => {
    if (renderErr) {
      logger.error({ err: renderErr }, 'the error page could not be rendered');
      res.type('html').send(LAST_RESORT);
      return;
    }
    res.send(html);
  });
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
