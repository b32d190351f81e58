/**
 * A form sent after its session ended is not lost: its values travel through
 * the sign-in form as a signed payload (HMAC with a key derived from the
 * session secret), so nothing is stored on the server for a visitor who is
 * not signed in. After signing in, the payload is checked and the values go
 * into the new session, and the form's page shows them again for a person to
 * check and save: nothing is ever saved on the payload's word alone.
 */
import crypto from 'node:crypto';
import type { Request } from 'express';

/** How long a carried form stays usable: as long as the sign-in form itself. */
export const RESUME_MAX_AGE_MS = 2 * 60 * 60 * 1000;
/** Larger forms are not carried (the sign-in page says so): a figure form is a few kilobytes. */
export const RESUME_MAX_BYTES = 64 * 1024;

export interface ResumedForm {
  /** The page that shows the form again (a GET path on this site). */
  path: string;
  values: Record<string, string>;
}

declare module 'express-session' {
  interface SessionData {
    /** A form carried through signing in again, waiting for its page to show it. */
    resumedForm: ResumedForm;
  }
}

/** The forms that can be shown again, by the path they post to: [post path, the page that shows them]. */
const RESUMABLE: readonly [RegExp, (m: RegExpExecArray) => string][] = [
  [/^\/admin\/figures$/, () => '/admin/figures/new'],
  [/^\/admin\/figures\/([1-9]\d{0,14})$/, (m) => `/admin/figures/${m[1] ?? ''}/edit`],
];

/** The pages a carried form may go back to. */
const RESUME_PAGES = [/^\/admin\/figures\/new$/, /^\/admin\/figures\/[1-9]\d{0,14}\/edit$/];

/** The page that shows again the form posted to `postPath`, or null when that form is not carried. */
export function resumePageFor(postPath: string): string | null {
  for (const [pattern, page] of RESUMABLE) {
    const m = pattern.exec(postPath);
    if (m) return page(m);
  }
  return null;
}

/** Fields never carried: the dead CSRF token, and buttons that only asked for a search. */
const NOT_CARRIED = new Set(['_csrf', 'step']);

function key(secret: string): Buffer {
  // A key of its own, so this MAC can pass neither for a cookie signature nor for a sign-in form token.
  return crypto.createHmac('sha256', secret).update('tally resumed form').digest();
}

function mac(secret: string, payload: string): string {
  return crypto.createHmac('sha256', key(secret)).update(payload).digest('base64url');
}

/** The signed payload for the sign-in form, or null when the form is too large to carry. */
export function sealForm(secret: string, form: ResumedForm, now = Date.now()): { resume: string; resume_mac: string } | null {
  const values = Object.fromEntries(Object.entries(form.values).filter(([k, v]) => !NOT_CARRIED.has(k) && typeof v === 'string'));
  const payload = Buffer.from(JSON.stringify({ p: form.path, v: values, t: now }), 'utf8').toString('base64url');
  if (payload.length > RESUME_MAX_BYTES) return null;
  return { resume: payload, resume_mac: mac(secret, payload) };
}

/** The form a signed payload carries, or null when it is missing, forged, altered, too old or not a resumable page. */
export function openForm(secret: string, resume: unknown, resumeMac: unknown, now = Date.now()): ResumedForm | null {
  if (typeof resume !== 'string' || typeof resumeMac !== 'string' || resume.length > RESUME_MAX_BYTES || resume === '') return null;
  const a = crypto.createHash('sha256').update(resumeMac).digest();
  const b = crypto.createHash('sha256').update(mac(secret, resume)).digest();
  if (!crypto.timingSafeEqual(a, b)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(resume, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== 'object') return null;
  const { p, v, t } = parsed as { p?: unknown; v?: unknown; t?: unknown };
  if (typeof p !== 'string' || typeof t !== 'number' || !v || typeof v !== 'object') return null;
  if (now - t > RESUME_MAX_AGE_MS || t - now > 60_000) return null;
  if (!RESUME_PAGES.some((page) => page.test(p))) return null;
  const values: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, value] of Object.entries(v as Record<string, unknown>)) if (typeof value === 'string') values[k] = value;
  return { path: p, values };
}

/**
 * The request came from a page of this site (the browser says so): only then
 * are its values carried, so another site cannot prefill a form for someone about to sign in.
 */
export function fromThisSite(req: Request): boolean {
  const site = req.get('sec-fetch-site');
  if (site !== undefined) return site === 'same-origin';
  const origin = req.get('origin');
  if (!origin) return false;
  try {
    return new URL(origin).host === req.get('host');
  } catch {
    return false;
  }
}
