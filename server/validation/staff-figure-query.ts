import { STAFF_STATUSES, type StaffFigureFilter, type StaffStatus } from '../../db/queries/staff-figures';
import { VERIFICATIONS, type Verification } from '../domain/figure';
import { HttpError } from '../errors';

export { STAFF_STATUSES, type StaffStatus };

export const STAFF_STATUS_LABELS: Record<StaffStatus, string> = {
  draft: 'Draft (not submitted)',
  submitted: 'Submitted, awaiting review',
  pending_change: 'Published, with a pending change',
  published: 'Published',
  retired: 'Retired',
};

/** The staff list's filters as typed in its URL, every one a plain string ('' when not set). */
export interface StaffFigureQuery {
  q: string;
  status: string;
  indicator: string;
  location: string;
  source: string;
  editor: string;
  verification: string;
}

export const STAFF_FIGURE_QUERY_KEYS = ['q', 'status', 'indicator', 'location', 'source', 'editor', 'verification'] as const;

function one(value: unknown, name: string, max: number): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') throw new HttpError(400, `${name} must be given once, as text`);
  const s = value.trim();
  if (s.length > max) throw new HttpError(400, `${name} must be at most ${max} characters long`);
  return s;
}

/**
 * Reads the staff list's filters from a query (or a form's return address).
 * `usernameId` resolves an editor's username; an unknown one is a 400.
 */
export function parseStaffFigureQuery(
  query: Record<string, unknown>,
  usernameId: (username: string) => number | undefined,
): { filter: StaffFigureFilter; query: StaffFigureQuery } {
  const typed: StaffFigureQuery = {
    q: one(query.q, 'q', 200),
    status: one(query.status, 'status', 32),
    indicator: one(query.indicator, 'indicator', 100),
    location: one(query.location, 'location', 100),
    source: one(query.source, 'source', 16),
    editor: one(query.editor, 'editor', 100),
    verification: one(query.verification, 'verification', 32),
  };
  const filter: StaffFigureFilter = {};
  if (typed.q) filter.q = typed.q;
  if (typed.status) {
    if (!(STAFF_STATUSES as readonly string[]).includes(typed.status)) {
      throw new HttpError(400, `unknown status "${typed.status}" (expected one of: ${STAFF_STATUSES.join(', ')})`);
    }
    filter.status = typed.status as StaffStatus;
  }
  if (typed.verification) {
    if (!(VERIFICATIONS as readonly string[]).includes(typed.verification)) {
      throw new HttpError(400, `unknown verification "${typed.verification}" (expected one of: ${VERIFICATIONS.join(', ')})`);
    }
    filter.verification = typed.verification as Verification;
  }
  if (typed.indicator) filter.indicatorCode = typed.indicator;
  if (typed.location) filter.locationCode = typed.location;
  if (typed.source) {
    if (!/^[1-9]\d{0,14}$/.test(typed.source)) throw new HttpError(400, 'source must be a source id, a positive whole number');
    filter.sourceId = Number(typed.source);
  }
  if (typed.editor) {
    const id = usernameId(typed.editor);
    if (id === undefined) throw new HttpError(400, `unknown editor "${typed.editor}"`);
    filter.editorId = id;
  }
  return { filter, query: typed };
}

/** The list's address for these filters (only those set) and page. */
export function staffFigureHref(query: StaffFigureQuery, page = 1): string {
  const params = new URLSearchParams();
  for (const key of STAFF_FIGURE_QUERY_KEYS) if (query[key]) params.set(key, query[key]);
  if (page > 1) params.set('page', String(page));
  const qs = params.toString();
  return qs ? `/admin/figures?${qs}` : '/admin/figures';
}
