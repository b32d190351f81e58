/**
 * Every change to a figure, each one transaction that writes the figure, its
 * revision, its audit entry and (when what the public sees changes) its
 * change-feed position together (the position by a trigger on the figure row,
 * so no write can forget it; see migration 0006). Routes and command-line tools call these;
 * none of them writes a figure, an audit entry or decides who may publish.
 */
import type { Queries } from '../../db';
import { StaleEditError, type StaffFigureRow } from '../../db/queries/figure-edits';
import type { NewSource } from '../../db/queries/sources';
import { FIGURE_FIELDS, publishRefusal, type Actor, type FigureFields } from '../domain/figure';
import { WorkflowError } from './errors';

export { StaleEditError };
export type { Actor };

function load(q: Queries, id: number): StaffFigureRow {
  const row = q.figureEdits.getRow(id);
  if (!row) throw new WorkflowError(404, `there is no figure ${id}`);
  return row;
}

/** The figure's work waiting on someone: its pending change, else its draft. */
function workOf(q: Queries, row: StaffFigureRow): { submittedAt: string | null; lastEditor: number | null } | null {
  const pending = q.figureEdits.getPending(row.id);
  if (pending) return { submittedAt: pending.submitted_at, lastEditor: pending.updated_by };
  if (row.status === 'draft') return { submittedAt: row.submitted_at, lastEditor: row.updated_by };
  return null;
}

/** A source typed in with the figure is created in the figure's transaction. */
function withSource(q: Queries, actor: Actor, fields: FigureFields, newSource: NewSource | null): FigureFields {
  if (!newSource) return fields;
  if (newSource.url && q.sources.getByUrl(newSource.url)) {
    throw new WorkflowError(400, 'A source with this address already exists: choose it in the list.', 'new_source_url');
  }
  const sourceId = q.sources.create(newSource, actor.id);
  q.audit.record({ userId: actor.id, action: 'create', entityType: 'source', entityId: sourceId, details: { title: newSource.title } });
  return { ...fields, source_id: sourceId };
}

/** Creates a draft figure (and the source typed with it). Returns its id. */
export function createFigure(q: Queries, actor: Actor, fields: FigureFields, newSource: NewSource | null = null): number {
  return q.transaction(() => {
    const id = q.figureEdits.createDraft(withSource(q, actor, fields, newSource), actor.id as number);
    q.audit.record({ userId: actor.id, action: 'create', entityType: 'figure', entityId: id, details: null });
    return id;
  });
}

/**
 * Saves new content: a draft changes in place; a published figure gets a
 * pending change and its public row stays. Throws StaleEditError when someone
 * else changed the figure after `expectedRevisionId`.
 */
export function saveFigure(
  q: Queries,
  actor: Actor,
  id: number,
  fields: FigureFields,
  options: { expectedRevisionId: number; newSource?: NewSource | null },
): 'draft' | 'pending' {
  return q.transaction(() => {
    const row = load(q, id);
    if (row.status === 'retired') throw new WorkflowError(409, 'A retired figure is not edited: restore one of its revisions from its history.');
    const saved = q.figureEdits.saveFields(id, withSource(q, actor, fields, options.newSource ?? null), actor.id as number, {
      action: 'edit',
      note: null,
      expectedRevisionId: options.expectedRevisionId,
    });
    q.audit.record({ userId: actor.id, action: 'edit', entityType: 'figure', entityId: id, details: { pending: saved === 'pending' } });
    return saved;
  });
}

/** Brings back the state of a past revision, as a draft or (for a published figure) a pending change. */
export function restoreRevision(q: Queries, actor: Actor, id: number, revisionId: number, expectedRevisionId?: number): 'draft' | 'pending' {
  return q.transaction(() => {
    const row = load(q, id);
    const revision = q.figureEdits.getRevision(id, revisionId);
    if (!revision) throw new WorkflowError(404, `figure ${id} has no revision ${revisionId}`);
    const snapshot = revision.snapshot as Partial<FigureFields>;
    // Revisions written before a field existed (measure) take the figure's current value for it.
    const fields = Object.fromEntries(FIGURE_FIELDS.map((c) => [c, c in snapshot ? snapshot[c] : row[c]])) as unknown as FigureFields;
    const saved = q.figureEdits.saveFields(id, fields, actor.id as number, {
      action: 'restore',
      note: `Restored the state of revision ${revisionId}`,
      expectedRevisionId,
    });
    q.checks.recheck([id]);
    q.audit.record({ userId: actor.id, action: 'restore', entityType: 'figure', entityId: id, details: { revision: revisionId } });
    return saved;
  });
}

export function submitFigure(q: Queries, actor: Actor, id: number): void {
  q.transaction(() => {
    const work = workOf(q, load(q, id));
    if (!work || work.submittedAt !== null) {
      throw new WorkflowError(409, 'There is nothing to submit: this figure has no unsubmitted draft or change.');
    }
    q.figureEdits.submit(id, actor.id as number);
    q.audit.record({ userId: actor.id, action: 'submit', entityType: 'figure', entityId: id, details: null });
  });
}

/** A reviewer returns submitted work to its editor with a comment (kept in history). */
export function sendBackFigure(q: Queries, actor: Actor, id: number, comment: string): void {
  q.transaction(() => {
    if (actor.role !== 'admin') throw new WorkflowError(403, 'Only an admin reviews figures.');
    const work = workOf(q, load(q, id));
    if (!work?.submittedAt) throw new WorkflowError(409, 'There is nothing submitted to send back for this figure.');
    q.figureEdits.sendBack(id, actor.id as number, comment);
    q.audit.record({ userId: actor.id, action: 'send_back', entityType: 'figure', entityId: id, details: { comment } });
  });
}

/**
 * Publishes a submitted draft or change. Four eyes: whoever made the last
 * edit publishes it only by saying why (WorkflowError on field `reason`).
 */
export function publishFigure(q: Queries, actor: Actor, id: number, reason: string | null): void {
  q.transaction(() => {
    const work = workOf(q, load(q, id));
    if (!work?.submittedAt) throw new WorkflowError(409, 'There is nothing submitted to publish for this figure.');
    const refusal = publishRefusal(actor, work.lastEditor, reason);
    if (refusal) throw new WorkflowError(actor.role === 'admin' ? 400 : 403, refusal, 'reason');
    const self = work.lastEditor === actor.id;
    const note = self ? `Published by the person who last edited it. Reason: ${reason ?? ''}` : reason;
    // The row's change takes its change-feed position by trigger (migration 0006).
    q.figureEdits.publish(id, actor.id as number, note);
    q.checks.recheck([id]);
    q.audit.record({ userId: actor.id, action: 'publish', entityType: 'figure', entityId: id, details: { self, note } });
  });
}

/** Withdraws a published figure with a reason; it stays viewable with its history. */
export function retireFigure(q: Queries, actor: Actor, id: number, reason: string): void {
  q.transaction(() => {
    if (actor.role !== 'admin') throw new WorkflowError(403, 'Only an admin retires figures.');
    const row = load(q, id);
    if (row.status !== 'published') throw new WorkflowError(409, 'Only a published figure can be retired.');
    q.figureEdits.retire(id, actor.id as number, reason);
    q.checks.recheck([id]);
    q.audit.record({ userId: actor.id, action: 'retire', entityType: 'figure', entityId: id, details: { reason } });
  });
}

/** What a form for the figure shows as its current content, and the token that detects a concurrent edit. */
export function currentContent(q: Queries, id: number): { fields: FigureFields; revision: number } {
  const row = load(q, id);
  return { fields: q.figureEdits.getPending(id) ?? row, revision: q.figureEdits.latestRevisionId(id) };
}
