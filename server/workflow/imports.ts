/**
 * Committing a previewed import: every row, its revisions, the change-feed
 * position of what it published and the import's audit entry, in one
 * transaction, whoever runs it (the upload page or `npm run import`).
 */
import type { Queries } from '../../db';
import type { ImportBatchRow } from '../../db/queries/imports';
import type { Actor, FigureFields } from '../domain/figure';
import { ImportCommitError, sourceKey, type StagedPlan, type StagedRow } from '../import/figures-import';
import { WorkflowError } from './errors';

export { ImportCommitError };

const COMMIT_PAGE_ROWS = 2000;

/**
 * Applies a previewed batch: every row is written or none is. Without
 * publishing, new figures arrive as submitted drafts and corrections to
 * published figures as submitted pending changes, so both wait in the review
 * queue; with publishing (an admin's choice, or the command line), both go
 * public at once. Returns the batch with its final counts.
 */
export function commitImport(q: Queries, actor: Actor, batchId: number): ImportBatchRow {
  return q.immediateTransaction(() => {
    const batch = q.importBatches.getById(batchId);
    if (!batch) throw new ImportCommitError(`there is no import ${batchId}`);
    if (batch.state !== 'previewed') throw new ImportCommitError(`import ${batchId} is already ${batch.state}`);
    if (batch.error_count > 0) {
      throw new ImportCommitError(`import ${batchId} has ${batch.error_count} error(s): fix the file and upload it again`);
    }
    const publish = batch.publish === 1;
    if (publish && actor.role === 'editor') throw new WorkflowError(403, 'Only an admin publishes an import at once.');
    const userId = actor.id;
    const note = `Imported from ${batch.file_name} (import ${batchId})${publish ? '' : ', submitted for review'}`;
    const counts = { new: 0, changed: 0, unchanged: 0 };
    const sources = new Map<string, number>();
    const published: number[] = [];
    // One change-feed position for every figure this import publishes.
    const position = publish ? q.changes.advance() : null;
    // New figures are gathered and written set-wise after the loop (one INSERT … SELECT, revisions in one statement).
    const bulk = q.bulkFigures();
    bulk.begin();
    let after = 0;
    for (;;) {
      const page = q.importBatches.rowsAfter(batchId, after, COMMIT_PAGE_ROWS);
      if (page.length === 0) break;
      for (const staged of page) {
        after = staged.row_number;
        const { source, outcome, figure_id: figureId, base_version: baseVersion, ...rest } = JSON.parse(staged.data) as StagedRow & StagedPlan;
        counts[outcome] += 1;
        if (outcome === 'unchanged') continue;
        const sk = sourceKey({ source } as StagedRow);
        let sourceId = sources.get(sk) ?? q.imports.findSource(source);
        if (sourceId === undefined) sourceId = q.sources.create({ ...source, accessed_on: null, notes: null }, userId);
        sources.set(sk, sourceId);
        const fields: FigureFields = { ...rest, measure: rest.measure ?? 'period_count', source_id: sourceId };

        if (figureId !== null) {
          const figure = q.figureEdits.getRow(figureId);
          if (!figure || figure.version !== baseVersion || q.figureEdits.getPending(figureId)) {
            throw new ImportCommitError(`row ${staged.row_number}: figure ${figureId} changed after the preview; upload the file again`);
          }
          if (publish) {
            q.figureEdits.publishFields(figureId, fields, userId, 'import', note);
            published.push(figureId);
          } else {
            q.figureEdits.saveFields(figureId, fields, userId as number, { action: 'import', note });
            q.figureEdits.markSubmitted(figureId, userId);
          }
          continue;
        }
        bulk.add({ ...fields, status: publish ? 'published' : 'draft', sync_seq: position }, userId);
      }
    }
    const written = bulk.flush();
    if (written.count > 0) {
      q.figures.recordRevisionsAfter(written.afterId, 'import', note, userId);
      for (let id = written.afterId + 1; id <= written.afterId + written.count; id++) {
        if (publish) published.push(id);
        else q.figureEdits.markSubmitted(id, userId);
      }
    }
    q.checks.recheck(published);
    q.importBatches.setCounts(batchId, {
      row_count: batch.row_count,
      new_count: counts.new,
      changed_count: counts.changed,
      unchanged_count: counts.unchanged,
      error_count: 0,
      errors: '[]',
    });
    q.importBatches.finish(batchId, 'committed');
    q.audit.record({
      userId,
      action: 'import',
      entityType: 'import',
      entityId: batchId,
      details: { file: batch.file_name, new: counts.new, changed: counts.changed, unchanged: counts.unchanged, published: publish, match: batch.match_mode },
    });
    return q.importBatches.getById(batchId) as ImportBatchRow;
  });
}

/** Drops a previewed batch without writing any figure. */
export function discardImport(q: Queries, batchId: number): void {
  const batch = q.importBatches.getById(batchId);
  if (batch?.state === 'previewed') q.importBatches.finish(batchId, 'discarded');
}
