import type { Statement } from 'better-sqlite3';
import type { Db } from '../connection';
import type { Measure, Qualifier, Verification } from '../types';

/**
 * Where a figure stands for staff. A figure can be in two at once: a
 * published figure with a pending change is both "published" and "pending change".
 * - draft: a new figure not yet submitted;
 * - submitted: awaiting review (a submitted draft or a submitted pending change);
 * - pending_change: a published figure with a proposed change;
 * - published, retired: the public row's status.
 */
export const STAFF_STATUSES = ['draft', 'submitted', 'pending_change', 'published', 'retired'] as const;
export type StaffStatus = (typeof STAFF_STATUSES)[number];

export interface StaffFigureFilter {
  /** Words looked for in the quote, notes, source title, place and indicator names (of the figure or its pending change). */
  q?: string | undefined;
  status?: StaffStatus | undefined;
  indicatorCode?: string | undefined;
  locationCode?: string | undefined;
  sourceId?: number | undefined;
  /** Who created the figure or last edited it or its pending change. */
  editorId?: number | undefined;
  verification?: Verification | undefined;
}

/** One line of the staff figure list. */
export interface StaffFigureListRow {
  id: number;
  status: 'draft' | 'published' | 'retired';
  submitted_at: string | null;
  has_pending: 0 | 1;
  pending_submitted_at: string | null;
  indicator_name: string;
  unit: string;
  location_name: string;
  reference_period_start: string;
  reference_period_end: string;
  measure: Measure;
  value: number;
  qualifier: Qualifier;
  verification: Verification;
  reported_by: string;
  source_id: number;
  source_title: string;
  retired_reason: string | null;
  last_edited_at: string;
  last_editor: string | null;
}

/** `%` and `_` typed by a person are literal characters, not wildcards. */
function likePattern(word: string): string {
  return `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const SEARCHED = [
  'f.source_quote', "COALESCE(f.notes, '')", 's.title', 'l.name', 'i.name',
  "COALESCE(p.source_quote, '')", "COALESCE(p.notes, '')", "COALESCE(ps.title, '')", "COALESCE(pl.name, '')", "COALESCE(pi.name, '')",
];

const STATUS_WHERE: Record<StaffStatus, string> = {
  draft: "f.status = 'draft' AND f.submitted_at IS NULL",
  submitted: "((f.status = 'draft' AND f.submitted_at IS NOT NULL) OR p.submitted_at IS NOT NULL)",
  pending_change: 'p.figure_id IS NOT NULL',
  published: "f.status = 'published'",
  retired: "f.status = 'retired'",
};

const FROM = `
  FROM figures f
  JOIN indicators i ON i.id = f.indicator_id
  JOIN locations l ON l.id = f.location_id
  JOIN sources s ON s.id = f.source_id
  LEFT JOIN figure_pending_changes p ON p.figure_id = f.id
  LEFT JOIN indicators pi ON pi.id = p.indicator_id
  LEFT JOIN locations pl ON pl.id = p.location_id
  LEFT JOIN sources ps ON ps.id = p.source_id`;

const LAST_EDITED = "MAX(f.updated_at, COALESCE(p.updated_at, ''))";

/** Builds the WHERE clause of the staff list; every value is bound, every identifier fixed here. */
function staffWhere(filter: StaffFigureFilter): { key: string; sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const key: string[] = [];
  // Each word must appear somewhere; a word may sit in any searched column.
  const words = (filter.q ?? '').split(/\s+/).filter((w) => w !== '').slice(0, 10);
  for (const word of words) {
    clauses.push(`(${SEARCHED.map((c) => `${c} LIKE ? ESCAPE '\\'`).join(' OR ')})`);
    params.push(...SEARCHED.map(() => likePattern(word)));
    key.push('q');
  }
  if (filter.status) {
    clauses.push(STATUS_WHERE[filter.status]);
    key.push(`status:${filter.status}`);
  }
  if (filter.indicatorCode !== undefined) {
    clauses.push('(i.code = ? OR pi.code = ?)');
    params.push(filter.indicatorCode, filter.indicatorCode);
    key.push('indicator');
  }
  if (filter.locationCode !== undefined) {
    clauses.push('(l.code = ? OR pl.code = ?)');
    params.push(filter.locationCode, filter.locationCode);
    key.push('location');
  }
  if (filter.sourceId !== undefined) {
    clauses.push('(f.source_id = ? OR p.source_id = ?)');
    params.push(filter.sourceId, filter.sourceId);
    key.push('source');
  }
  if (filter.editorId !== undefined) {
    clauses.push('(f.created_by = ? OR f.updated_by = ? OR p.updated_by = ?)');
    params.push(filter.editorId, filter.editorId, filter.editorId);
    key.push('editor');
  }
  if (filter.verification !== undefined) {
    clauses.push('(f.verification = ? OR p.verification = ?)');
    params.push(filter.verification, filter.verification);
    key.push('verification');
  }
  return { key: key.join(','), sql: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** A figure already stating the same indicator and place for an overlapping period. */
export interface OverlappingFigure {
  id: number;
  status: 'draft' | 'published';
  reference_period_start: string;
  reference_period_end: string;
  measure: Measure;
  value: number;
  qualifier: Qualifier;
  reported_by: string;
  source_title: string;
}

/** A source offered by the figure form's picker. */
export interface SourceChoice {
  id: number;
  title: string;
  publisher: string;
  url: string | null;
  published_on: string | null;
}

/** Work a reviewer sent back to its editor, with the comment. */
export interface SentBack {
  figure_id: number;
  indicator_name: string;
  location_name: string;
  comment: string | null;
  reviewer: string | null;
  sent_back_at: string;
}

/** The staff's list of every figure, whatever its status. */
export function staffFigureQueries(db: Db) {
  // The editor's unsubmitted work whose newest revision is a send-back: it waits on them, with the reviewer's words.
  const sentBack = db.prepare<[{ user: number }], SentBack>(`
    SELECT f.id AS figure_id, i.name AS indicator_name, l.name AS location_name, r.note AS comment, u.username AS reviewer, r.created_at AS sent_back_at
    FROM figures f
    LEFT JOIN figure_pending_changes p ON p.figure_id = f.id
    JOIN figure_revisions r ON r.id = (SELECT MAX(id) FROM figure_revisions WHERE figure_id = f.id)
    JOIN indicators i ON i.id = COALESCE(p.indicator_id, f.indicator_id)
    JOIN locations l ON l.id = COALESCE(p.location_id, f.location_id)
    LEFT JOIN users u ON u.id = r.user_id
    WHERE r.action = 'send_back'
      AND ((p.figure_id IS NOT NULL AND p.submitted_at IS NULL AND p.updated_by = @user)
        OR (p.figure_id IS NULL AND f.status = 'draft' AND f.submitted_at IS NULL AND f.updated_by = @user))
    ORDER BY r.id DESC LIMIT 50`);
  // Drafts count too: two editors entering the same article at once is what the warning is for. Retired ones do not.
  const overlapping = db.prepare<[{ indicator: number; location: number; start: string; end: string; exclude: number }], OverlappingFigure>(`
    SELECT f.id, f.status, f.reference_period_start, f.reference_period_end, f.measure, f.value, f.qualifier, f.reported_by, s.title AS source_title
    FROM figures f JOIN sources s ON s.id = f.source_id
    WHERE f.indicator_id = @indicator AND f.location_id = @location AND f.status <> 'retired'
      AND f.reference_period_start <= @end AND f.reference_period_end >= @start AND f.id <> @exclude
    ORDER BY f.reference_period_end DESC, f.id DESC
    LIMIT 20`);
  const recentSources = db.prepare<[number], SourceChoice>(
    'SELECT id, title, publisher, url, published_on FROM sources ORDER BY id DESC LIMIT ?',
  );
  const sourceById = db.prepare<[number], SourceChoice>('SELECT id, title, publisher, url, published_on FROM sources WHERE id = ?');
  const prepared = new Map<string, Statement<unknown[], SourceChoice>>();
  function sourceSearch(words: number): Statement<unknown[], SourceChoice> {
    let s = prepared.get(String(words));
    if (!s) {
      const where = Array.from({ length: words }, () => "(title LIKE ? ESCAPE '\\' OR publisher LIKE ? ESCAPE '\\' OR COALESCE(url, '') LIKE ? ESCAPE '\\')");
      s = db.prepare<unknown[], SourceChoice>(`
        SELECT id, title, publisher, url, published_on FROM sources WHERE ${where.join(' AND ')}
        ORDER BY published_on IS NULL, published_on DESC, id DESC LIMIT ?`);
      prepared.set(String(words), s);
    }
    return s;
  }

  // One prepared statement per combination of filters used (a few dozen at most), each prepared once.
  const listStatements = new Map<string, { rows: Statement<unknown[], StaffFigureListRow>; count: Statement<unknown[], { n: number }> }>();
  function statements(filter: StaffFigureFilter) {
    const where = staffWhere(filter);
    let s = listStatements.get(where.key);
    if (!s) {
      s = {
        rows: db.prepare<unknown[], StaffFigureListRow>(`
          SELECT f.id, f.status, f.submitted_at, p.figure_id IS NOT NULL AS has_pending, p.submitted_at AS pending_submitted_at,
            i.name AS indicator_name, i.unit, l.name AS location_name,
            f.reference_period_start, f.reference_period_end, f.measure, f.value, f.qualifier, f.verification, f.reported_by,
            f.source_id, s.title AS source_title, f.retired_reason,
            ${LAST_EDITED} AS last_edited_at,
            (SELECT username FROM users WHERE id = CASE WHEN p.updated_at > f.updated_at THEN p.updated_by ELSE f.updated_by END) AS last_editor
          ${FROM} ${where.sql}
          ORDER BY ${LAST_EDITED} DESC, f.id DESC
          LIMIT ? OFFSET ?`),
        count: db.prepare<unknown[], { n: number }>(`SELECT COUNT(*) AS n ${FROM} ${where.sql}`),
      };
      listStatements.set(where.key, s);
    }
    return { ...s, params: where.params };
  }

  return {
    /** What reviewers sent back to this editor and is not yet submitted again, newest first. */
    sentBackTo: (userId: number): SentBack[] => sentBack.all({ user: userId }),
    /** Figures (not retired, not `excludeId`) for the same indicator and place whose period overlaps start..end (inclusive). */
    overlapping(figure: { indicator_id: number; location_id: number; start: string; end: string }, excludeId = 0): OverlappingFigure[] {
      return overlapping.all({ indicator: figure.indicator_id, location: figure.location_id, start: figure.start, end: figure.end, exclude: excludeId });
    },
    /**
     * Sources whose title, publisher or web address contains every typed word
     * (newest document first); with nothing typed, the most recently added.
     */
    findSources(text: string, limit = 20): SourceChoice[] {
      const words = text.split(/\s+/).filter((w) => w !== '').slice(0, 6);
      if (words.length === 0) return recentSources.all(limit);
      return sourceSearch(words.length).all(...words.flatMap((w) => [likePattern(w), likePattern(w), likePattern(w)]), limit);
    },
    sourceChoice: (id: number): SourceChoice | undefined => sourceById.get(id),
    /** How many figures match the filter. */
    count(filter: StaffFigureFilter): number {
      const s = statements(filter);
      return s.count.get(...s.params)?.n ?? 0;
    },
    /** One page of the figures matching the filter, most recently edited first. */
    list(filter: StaffFigureFilter, page: { limit: number; offset: number }): StaffFigureListRow[] {
      const s = statements(filter);
      return s.rows.all(...s.params, page.limit, page.offset);
    },
  };
}

export type StaffFigureQueries = ReturnType<typeof staffFigureQueries>;
