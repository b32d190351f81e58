import type { Db } from '../connection';
import { FIGURE_FIELDS } from '../../server/domain/figure';
import type { FigureFields, FigureRow, Qualifier } from '../types';
import { revisionQueries, type RevisionAction, type Snapshot } from './revisions';

export type { FigureFields } from '../types';
export { FIGURE_FIELDS } from '../../server/domain/figure';

/** A figures row with the submission columns added by migration 0002. */
export interface StaffFigureRow extends FigureRow {
  submitted_at: string | null;
  submitted_by: number | null;
}

export interface PendingChangeRow extends FigureFields {
  figure_id: number;
  base_version: number;
  submitted_at: string | null;
  submitted_by: number | null;
  created_at: string;
  updated_by: number | null;
  updated_at: string;
}

/** One line of a staff work list: a draft or a pending change, with names to show. */
export interface WorkItem {
  figure_id: number;
  kind: 'draft' | 'change';
  indicator_name: string;
  location_name: string;
  reference_period_start: string;
  reference_period_end: string;
  value: number;
  qualifier: Qualifier;
  reported_by: string;
  submitted_at: string | null;
  submitted_by_name: string | null;
  updated_at: string;
  updated_by_name: string | null;
}

export interface RecentRevision {
  id: number;
  figure_id: number;
  action: string;
  note: string | null;
  username: string | null;
  created_at: string;
  indicator_name: string;
  location_name: string;
}

/** Someone else changed the figure after the form was opened: nothing was written. */
export class StaleEditError extends Error {
  constructor(readonly figureId: number) {
    super(`figure ${figureId} was changed by someone else after the form was opened`);
    this.name = 'StaleEditError';
  }
}

const NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
const SET_FIELDS = FIGURE_FIELDS.map((c) => `${c} = @${c}`).join(', ');

const WORK_SELECT = `
  SELECT x.figure_id, x.kind, i.name AS indicator_name, l.name AS location_name,
         x.reference_period_start, x.reference_period_end, x.value, x.qualifier, x.reported_by,
         x.submitted_at, su.username AS submitted_by_name, x.updated_at, uu.username AS updated_by_name
  FROM (
    SELECT id AS figure_id, 'draft' AS kind, indicator_id, location_id, reference_period_start, reference_period_end,
           value, qualifier, reported_by, submitted_at, submitted_by, updated_at, updated_by
    FROM figures WHERE status = 'draft'
    UNION ALL
    SELECT figure_id, 'change' AS kind, indicator_id, location_id, reference_period_start, reference_period_end,
           value, qualifier, reported_by, submitted_at, submitted_by, updated_at, updated_by
    FROM figure_pending_changes
  ) x
  JOIN indicators i ON i.id = x.indicator_id
  JOIN locations l ON l.id = x.location_id
  LEFT JOIN users su ON su.id = x.submitted_by
  LEFT JOIN users uu ON uu.id = x.updated_by`;

/** Staff work on figures: drafts, pending changes, submission, publishing, retirement, restore. */
export function figureEditQueries(db: Db) {
  const rowById = db.prepare<[number], StaffFigureRow>('SELECT * FROM figures WHERE id = ?');
  const pendingById = db.prepare<[number], PendingChangeRow>('SELECT * FROM figure_pending_changes WHERE figure_id = ?');
  const latestRevision = db.prepare<[number], { id: number }>('SELECT MAX(id) AS id FROM figure_revisions WHERE figure_id = ?');
  const revisions = revisionQueries(db);
  const insertDraft = db.prepare<[FigureFields & { user_id: number }]>(`
    INSERT INTO figures (${FIGURE_FIELDS.join(', ')}, status, created_by, updated_by)
    VALUES (${FIGURE_FIELDS.map((c) => `@${c}`).join(', ')}, 'draft', @user_id, @user_id)`);
  const updateDraft = db.prepare<[FigureFields & { id: number; user_id: number; status: string }]>(`
    UPDATE figures SET ${SET_FIELDS}, status = @status, retired_reason = NULL, submitted_at = NULL, submitted_by = NULL,
      updated_by = @user_id, updated_at = ${NOW}, version = version + 1
    WHERE id = @id`);
  const upsertPending = db.prepare<[FigureFields & { figure_id: number; base_version: number; user_id: number }]>(`
    INSERT INTO figure_pending_changes (figure_id, base_version, ${FIGURE_FIELDS.join(', ')}, updated_by)
    VALUES (@figure_id, @base_version, ${FIGURE_FIELDS.map((c) => `@${c}`).join(', ')}, @user_id)
    ON CONFLICT (figure_id) DO UPDATE SET ${FIGURE_FIELDS.map((c) => `${c} = excluded.${c}`).join(', ')},
      base_version = excluded.base_version, submitted_at = NULL, submitted_by = NULL,
      updated_by = excluded.updated_by, updated_at = ${NOW}`);
  const submitDraft = db.prepare<[number, number]>(`UPDATE figures SET submitted_at = ${NOW}, submitted_by = ? WHERE id = ?`);
  const submitPending = db.prepare<[number, number]>(
    `UPDATE figure_pending_changes SET submitted_at = ${NOW}, submitted_by = ? WHERE figure_id = ?`,
  );
  const publishRow = db.prepare<[FigureFields & { id: number; user_id: number }]>(`
    UPDATE figures SET ${SET_FIELDS}, status = 'published', retired_reason = NULL, submitted_at = NULL, submitted_by = NULL,
      updated_by = @user_id, updated_at = ${NOW}, version = version + 1
    WHERE id = @id`);
  const retireRow = db.prepare<[string, number, number]>(`
    UPDATE figures SET status = 'retired', retired_reason = ?, submitted_at = NULL, submitted_by = NULL,
      updated_by = ?, updated_at = ${NOW}, version = version + 1
    WHERE id = ?`);
  const unsubmitDraft = db.prepare<[number]>('UPDATE figures SET submitted_at = NULL, submitted_by = NULL WHERE id = ?');
  const unsubmitPending = db.prepare<[number]>('UPDATE figure_pending_changes SET submitted_at = NULL, submitted_by = NULL WHERE figure_id = ?');
  const deletePending = db.prepare<[number]>('DELETE FROM figure_pending_changes WHERE figure_id = ?');
  const awaiting = db.prepare<[], WorkItem>(`${WORK_SELECT} WHERE x.submitted_at IS NOT NULL ORDER BY x.submitted_at`);
  const mine = db.prepare<[number], WorkItem>(
    `${WORK_SELECT} WHERE x.submitted_at IS NULL AND x.updated_by = ? ORDER BY x.updated_at DESC`,
  );
  const recent = db.prepare<[number], RecentRevision>(`
    SELECT r.id, r.figure_id, r.action, r.note, u.username, r.created_at, i.name AS indicator_name, l.name AS location_name
    FROM figure_revisions r
    JOIN figures f ON f.id = r.figure_id
    JOIN indicators i ON i.id = f.indicator_id
    JOIN locations l ON l.id = f.location_id
    LEFT JOIN users u ON u.id = r.user_id
    WHERE r.action <> 'seed'
    ORDER BY r.id DESC LIMIT ?`);

  const fieldsOf = (source: FigureFields): FigureFields =>
    Object.fromEntries(FIGURE_FIELDS.map((c) => [c, source[c]])) as unknown as FigureFields;

  /** What the figure now is: the public row, or the pending proposal over it (the form every revision records). */
  function currentSnapshot(figureId: number): { snapshot: Snapshot; row: StaffFigureRow } {
    const row = rowById.get(figureId);
    if (!row) throw new Error(`figure ${figureId} does not exist`);
    const pending = pendingById.get(figureId);
    const snapshot = pending
      ? { ...row, ...fieldsOf(pending), pending: true, submitted_at: pending.submitted_at, submitted_by: pending.submitted_by, updated_by: pending.updated_by, updated_at: pending.updated_at }
      : { ...row };
    return { snapshot, row };
  }

  /**
   * Runs one change of a figure and appends the revision recording its
   * outcome. The latest revision is read before the change, for the new
   * revision keeps only the patch back to it (decision 0015): every change
   * of an existing figure goes through here.
   */
  function revise<T>(figureId: number, action: RevisionAction, note: string | null, userId: number, change: () => T): T {
    const before = revisions.latest(figureId);
    const result = change();
    const now = currentSnapshot(figureId);
    revisions.record(figureId, action, note, userId, now.snapshot, now.row, before);
    return result;
  }

  function requireFresh(figureId: number, expectedRevisionId: number | undefined): StaffFigureRow {
    const row = rowById.get(figureId);
    if (!row) throw new Error(`figure ${figureId} does not exist`);
    if (expectedRevisionId !== undefined && (latestRevision.get(figureId)?.id ?? 0) !== expectedRevisionId) {
      throw new StaleEditError(figureId);
    }
    return row;
  }

  return {
    getRow: (id: number): StaffFigureRow | undefined => rowById.get(id),
    getPending: (id: number): PendingChangeRow | undefined => pendingById.get(id),
    /** The id of the figure's newest revision: the token a form carries to detect concurrent edits. */
    latestRevisionId: (figureId: number): number => latestRevision.get(figureId)?.id ?? 0,
    /** One revision with the whole figure as it recorded it (a restore, a three-way merge's base). */
    getRevision: (figureId: number, revisionId: number) => revisions.get(figureId, revisionId),

    createDraft: (fields: FigureFields, userId: number): number =>
      db.transaction(() => {
        const id = Number(insertDraft.run({ ...fieldsOf(fields), user_id: userId }).lastInsertRowid);
        const now = currentSnapshot(id);
        revisions.record(id, 'create', null, userId, now.snapshot, now.row, null);
        return id;
      })(),

    /**
     * Saves new content for a figure: a draft (or a retired figure being
     * restored) changes in place and becomes an unsubmitted draft; a published
     * figure gets a pending change and its public row stays as it is.
     */
    saveFields: (
      figureId: number,
      fields: FigureFields,
      userId: number,
      options: { action: 'edit' | 'restore' | 'import'; note: string | null; expectedRevisionId?: number | undefined },
    ): 'draft' | 'pending' =>
      db.transaction(() => {
        const row = requireFresh(figureId, options.expectedRevisionId);
        return revise(figureId, options.action, options.note, userId, () => {
          if (row.status === 'published') {
            upsertPending.run({ ...fieldsOf(fields), figure_id: figureId, base_version: row.version, user_id: userId });
            return 'pending' as const;
          }
          updateDraft.run({ ...fieldsOf(fields), id: figureId, user_id: userId, status: 'draft' });
          return 'draft' as const;
        });
      })(),

    submit: (figureId: number, userId: number, expectedRevisionId?: number): void =>
      db.transaction(() => {
        const row = requireFresh(figureId, expectedRevisionId);
        revise(figureId, 'submit', null, userId, () => {
          if (pendingById.get(figureId)) submitPending.run(userId, figureId);
          else if (row.status === 'draft') submitDraft.run(userId, figureId);
          else throw new Error(`figure ${figureId} has nothing to submit`);
        });
      })(),

    /** Marks a draft or pending change as submitted without a revision of its own (an import records one revision for both). */
    markSubmitted: (figureId: number, userId: number | null): void => {
      if (pendingById.get(figureId)) submitPending.run(userId as number, figureId);
      else submitDraft.run(userId as number, figureId);
    },

    /** Returns a submitted draft or change to its editor; the comment goes into history. */
    sendBack: (figureId: number, userId: number, comment: string): void =>
      db.transaction(() => {
        requireFresh(figureId, undefined);
        revise(figureId, 'send_back', comment, userId, () => {
          if (pendingById.get(figureId)) unsubmitPending.run(figureId);
          else unsubmitDraft.run(figureId);
        });
      })(),

    /**
     * Writes new content straight into the public row (an import that
     * publishes): a pending change it replaces is dropped.
     */
    publishFields: (figureId: number, fields: FigureFields, userId: number | null, action: RevisionAction, note: string | null): void =>
      db.transaction(() => {
        revise(figureId, action, note, userId as number, () => {
          publishRow.run({ ...fieldsOf(fields), id: figureId, user_id: userId as number });
          deletePending.run(figureId);
        });
      })(),

    /** Makes the draft or the pending change public, in one transaction. */
    publish: (figureId: number, userId: number, note: string | null, expectedRevisionId?: number): void =>
      db.transaction(() => {
        const row = requireFresh(figureId, expectedRevisionId);
        revise(figureId, 'publish', note, userId, () => {
          const pending = pendingById.get(figureId);
          publishRow.run({ ...fieldsOf(pending ?? row), id: figureId, user_id: userId });
          if (pending) deletePending.run(figureId);
        });
      })(),

    /** Withdraws a figure; a pending change to it is dropped (its revisions stay). */
    retire: (figureId: number, userId: number, reason: string, expectedRevisionId?: number): void =>
      db.transaction(() => {
        requireFresh(figureId, expectedRevisionId);
        revise(figureId, 'retire', reason, userId, () => {
          deletePending.run(figureId);
          retireRow.run(reason, userId, figureId);
        });
      })(),

    awaitingReview: (): WorkItem[] => awaiting.all(),
    unsubmittedBy: (userId: number): WorkItem[] => mine.all(userId),
    recentRevisions: (limit: number): RecentRevision[] => recent.all(limit),
  };
}

export type FigureEditQueries = ReturnType<typeof figureEditQueries>;
