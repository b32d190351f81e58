import type { Db } from '../connection';
import { applyPatch, patchBetween, ROW_DRIFTING_COLUMNS, type Snapshot } from '../revision-patches';
import type { FigureRow } from '../types';

export type { Snapshot } from '../revision-patches';

export type RevisionAction = 'seed' | 'create' | 'edit' | 'submit' | 'send_back' | 'publish' | 'retire' | 'restore' | 'import';

/**
 * Every FULL_COPY_EVERY-th revision of a figure keeps its whole snapshot
 * (decision 0015): reading one revision then applies at most
 * FULL_COPY_EVERY - 1 patches, and a figure edited often pays about 50 bytes
 * a revision for the copies.
 */
export const FULL_COPY_EVERY = 16;

/** A revision with the whole figure as it recorded it, rebuilt from what is stored. */
export interface RevisionRow {
  id: number;
  figure_id: number;
  version: number;
  action: string;
  snapshot: Snapshot;
  note: string | null;
  user_id: number | null;
  username: string | null;
  created_at: string;
}

/** A figure's latest revision as read before a change: what the next revision's patch back needs. */
export interface LatestRevision {
  snapshot: Snapshot;
  /** Whether it keeps a full copy (then the next revision needs no patch back to it). */
  whole: boolean;
  /** How many revisions the figure has. */
  count: number;
}

interface StoredRevision {
  id: number;
  full_snapshot: string | null;
  previous_patch: string | null;
  row_patch: string | null;
}

/**
 * The patch from the figure row to a revision that is the row itself, as
 * SQLite builds it over `figures` for revisions written set-wise (a new
 * figure's first revision): only the columns that drift from the row later.
 */
export const ROW_PATCH_OF_ROW_SQL = `json_object(${ROW_DRIFTING_COLUMNS.map((c) => `'${c}', "${c}"`).join(', ')})`;

/** The columns of a first revision written from its figure's row by INSERT … SELECT (ROW_PATCH_OF_ROW_SQL as row_patch). */
export const FIRST_REVISION_COLUMNS = 'figure_id, version, action, row_patch, note, user_id';

function unreadable(figureId: number, revisionId: number, why: string): Error {
  return new Error(`revision ${revisionId} of figure ${figureId} cannot be rebuilt: ${why}`);
}

/**
 * Rebuilds the snapshots of consecutive revisions, oldest first, ending at
 * the figure's latest revision or at one holding a full copy. The latest is
 * the figure row with its own patch; each other one is the next one with the
 * next one's patch to its previous.
 */
function rebuild(figureId: number, chain: readonly StoredRevision[], row: () => FigureRow | undefined, endsAtLatest: boolean): Snapshot[] {
  const out: Snapshot[] = new Array<Snapshot>(chain.length);
  for (let i = chain.length - 1; i >= 0; i--) {
    const r = chain[i] as StoredRevision;
    if (r.full_snapshot !== null) {
      out[i] = JSON.parse(r.full_snapshot) as Snapshot;
    } else if (i === chain.length - 1) {
      if (!endsAtLatest) throw unreadable(figureId, r.id, 'its chain ends without a full copy');
      if (r.row_patch === null) throw unreadable(figureId, r.id, 'the latest revision has neither a full copy nor a patch from the row');
      const current = row();
      if (!current) throw unreadable(figureId, r.id, 'the figure is missing');
      out[i] = applyPatch(current as unknown as Snapshot, JSON.parse(r.row_patch) as Snapshot);
    } else {
      const next = chain[i + 1] as StoredRevision;
      if (next.previous_patch === null) throw unreadable(figureId, r.id, `revision ${next.id} has no patch to it`);
      out[i] = applyPatch(out[i + 1] as Snapshot, JSON.parse(next.previous_patch) as Snapshot);
    }
  }
  return out;
}

/** Figure revisions: written as patches with a full copy every so often, read back as whole snapshots. */
export function revisionQueries(db: Db) {
  const rowById = db.prepare<[number], FigureRow>('SELECT * FROM figures WHERE id = ?');
  const allOf = db.prepare<[number], Omit<RevisionRow, 'snapshot'> & StoredRevision>(`
    SELECT r.id, r.figure_id, r.version, r.action, r.full_snapshot, r.previous_patch, r.row_patch, r.note, r.user_id, u.username, r.created_at
    FROM figure_revisions r LEFT JOIN users u ON u.id = r.user_id
    WHERE r.figure_id = ? ORDER BY r.id`);
  // From one revision up to the latest; read only until the first full copy.
  const fromRevision = db.prepare<[number, number], StoredRevision & { version: number; action: string }>(`
    SELECT id, version, action, full_snapshot, previous_patch, row_patch FROM figure_revisions
    WHERE figure_id = ? AND id >= ? ORDER BY id`);
  const latest = db.prepare<[number], StoredRevision & { n: number }>(`
    SELECT id, full_snapshot, previous_patch, row_patch, (SELECT COUNT(*) FROM figure_revisions c WHERE c.figure_id = r.figure_id) AS n
    FROM figure_revisions r WHERE figure_id = ? ORDER BY id DESC LIMIT 1`);
  const insert = db.prepare<[number, number, string, string | null, string | null, string | null, string | null, number | null]>(`
    INSERT INTO figure_revisions (figure_id, version, action, full_snapshot, previous_patch, row_patch, note, user_id)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  const firstFromRow = db.prepare<[string, string | null, number | null, number]>(`
    INSERT INTO figure_revisions (${FIRST_REVISION_COLUMNS})
    SELECT id, version, ?, ${ROW_PATCH_OF_ROW_SQL}, ?, ? FROM figures
    WHERE id = ? AND NOT EXISTS (SELECT 1 FROM figure_revisions r WHERE r.figure_id = figures.id)`);

  function latestRevision(figureId: number): LatestRevision | null {
    const last = latest.get(figureId);
    if (!last) return null;
    const snapshot = rebuild(figureId, [last], () => rowById.get(figureId), true)[0] as Snapshot;
    return { snapshot, whole: last.full_snapshot !== null, count: last.n };
  }

  return {
    /** Every revision of a figure, oldest first, each with its whole snapshot. */
    list(figureId: number): RevisionRow[] {
      const stored = allOf.all(figureId);
      const snapshots = rebuild(figureId, stored, () => rowById.get(figureId), true);
      return stored.map(({ full_snapshot: _f, previous_patch: _p, row_patch: _r, ...r }, i) => ({ ...r, snapshot: snapshots[i] as Snapshot }));
    },

    /** One revision of a figure with its whole snapshot (for a restore or a three-way merge), or undefined. */
    get(figureId: number, revisionId: number): { id: number; version: number; action: string; snapshot: Snapshot } | undefined {
      const chain: (StoredRevision & { version: number; action: string })[] = [];
      for (const r of fromRevision.iterate(figureId, revisionId)) {
        if (chain.length === 0 && r.id !== revisionId) return undefined;
        chain.push(r);
        if (r.full_snapshot !== null) break;
      }
      const first = chain[0];
      if (!first) return undefined;
      const endsAtLatest = chain[chain.length - 1]?.full_snapshot === null;
      const snapshot = rebuild(figureId, chain, () => rowById.get(figureId), endsAtLatest)[0] as Snapshot;
      return { id: first.id, version: first.version, action: first.action, snapshot };
    },

    /** The figure's latest revision, whole (null before its first); read it before changing the figure. */
    latest: latestRevision,

    /**
     * Appends a revision recording `snapshot`, the figure as it now is, whose
     * row is `row`. `before` is the latest revision read before the change
     * (latest): the new revision keeps the patch back to it, and its own
     * patch from the row as it now stands; every FULL_COPY_EVERY-th keeps the
     * whole snapshot.
     */
    record(figureId: number, action: RevisionAction, note: string | null, userId: number | null, snapshot: Snapshot, row: FigureRow, before: LatestRevision | null): void {
      if (!before && latest.get(figureId)) throw new Error(`figure ${figureId} has revisions: the latest one read before the change is needed`);
      const full = ((before?.count ?? 0) + 1) % FULL_COPY_EVERY === 0;
      const previousPatch = before && !before.whole ? JSON.stringify(patchBetween(snapshot, before.snapshot)) : null;
      const rowPatch = full ? null : JSON.stringify(patchBetween(row as unknown as Snapshot, snapshot, ROW_DRIFTING_COLUMNS));
      insert.run(figureId, row.version, action, full ? JSON.stringify(snapshot) : null, previousPatch, rowPatch, note, userId);
    },

    /** The first revision of a figure just inserted, recording its row as it stands. */
    recordFirst(figureId: number, action: RevisionAction, note: string | null, userId: number | null): void {
      if (firstFromRow.run(action, note, userId, figureId).changes !== 1) throw new Error(`figure ${figureId} does not exist or already has revisions`);
    },
  };
}

export type RevisionQueries = ReturnType<typeof revisionQueries>;
