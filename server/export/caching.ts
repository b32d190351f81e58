import crypto from 'node:crypto';
import type { Request, Response } from 'express';

/**
 * Sets ETag and Last-Modified from the data version and the normalised query,
 * and answers 304 when the client's copy is current. Returns true when the
 * response is already sent, so the caller skips its query entirely.
 */
export function answerIfFresh(
  req: Request,
  res: Response,
  dataVersion: { version: number; changedAt: string },
  variant: unknown,
): boolean {
  const digest = crypto.createHash('sha256').update(JSON.stringify(variant)).digest('base64url').slice(0, 16);
  res.set('ETag', `"${dataVersion.version}-${digest}"`);
  res.set('Last-Modified', new Date(dataVersion.changedAt).toUTCString());
  res.set('Cache-Control', 'no-cache');
  if (req.fresh) {
    res.status(304).end();
    return true;
  }
  return false;
}
