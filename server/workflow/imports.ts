/**
 * Committing a previewed import: every row, its revisions, the change-feed
 * position of what it published and the import's audit entry, in one
 * transaction, whoever runs it (the upload page or `npm run import`).
 */
import type { Queries } from '../../db';
import type { ImportBatchRow } from '../../db/queries/imports';
import type { CheckKind, CheckResult } from '../domain/checks';
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
    const counts = q.bulkFigures().outcomeCounts(batchId);
    // A batch staged by a command that stopped before committing has no rows left to write.
    if (counts.new + counts.changed + counts.unchanged !== batch.new_count + batch.changed_count + batch.unchanged_count) {
      throw new ImportCommitError(`import ${batchId} no longer has its staged rows: upload the file again`);
    }
    const published: number[] = [];
    // One change-feed position for every figure this import publishes.
    const position = publish ? q.changes.advance() : null;
    const bulk = q.bulkFigures();
    bulk.begin();
    // Each document the file cites is found or created once, in order of first use.
    const sources = new Map<string, number>();
    for (const staged of bulk.sourcesCited(batchId)) {
      const source = JSON.parse(staged) as StagedRow['source'];
      const sk = sourceKey({ source } as StagedRow);
      let sourceId = sources.get(sk) ?? q.imports.findSource(source);
      if (sourceId === undefined) sourceId = q.sources.create({ ...source, accessed_on: null, notes: null }, userId);
      sources.set(sk, sourceId);
      bulk.setSource(staged, sourceId);
    }
    // Corrections of existing figures, one by one: each becomes a revision (or a pending change) of its figure.
    for (let after = 0; ; ) {
      const page = bulk.changedRowsAfter(batchId, after, COMMIT_PAGE_ROWS);
      if (page.length === 0) break;
      for (const staged of page) {
        after = staged.row_number;
        const { source, outcome: _outcome, figure_id: figureId, base_version: baseVersion, ...rest } = JSON.parse(staged.data) as StagedRow & StagedPlan;
        const sourceId = sources.get(sourceKey({ source } as StagedRow));
        if (sourceId === undefined || figureId === null) throw new ImportCommitError(`row ${staged.row_number} cannot be applied: upload the file again`);
        const fields: FigureFields = { ...rest, measure: rest.measure ?? 'period_count', source_id: sourceId };
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
      }
    }
    // New figures: one INSERT … SELECT from the staging table (submitted at once when not published), revisions in one statement.
    const written = bulk.insertNew(batchId, publish, userId, position);
    if (written.count > 0) {
      q.figures.recordRevisionsAfter(written.afterId, 'import', note, userId);
      if (publish) for (let id = written.afterId + 1; id <= written.afterId + written.count; id++) published.push(id);
    }
    if (written.count !== counts.new) throw new ImportCommitError(`import ${batchId} staged ${counts.new} new figures but ${written.count} were written: upload the file again`);
    // The new figures' quotes were checked when staged: the re-check reuses those findings (ids follow file order).
    const staged = written.count > 0 ? bulk.quoteFindingsOfNew(batchId) : [];
    q.checks.recheck(published, (id) => stagedQuoteFindings(staged[id - written.afterId - 1]));
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

const NO_FINDINGS: readonly CheckResult[] = [];

/** A staged row's quote findings ('' for none, JSON of [kind, message] pairs); undefined when not known. */
function stagedQuoteFindings(staged: string | null | undefined): readonly CheckResult[] | undefined {
  if (staged === undefined || staged === null) return undefined;
  if (staged === '') return NO_FINDINGS;
  return (JSON.parse(staged) as [CheckKind, string][]).map(([kind, message]) => ({ kind, message, related: [] }));
}

/** Drops a previewed batch without writing any figure. */
export function discardImport(q: Queries, batchId: number): void {
  const batch = q.importBatches.getById(batchId);
  if (batch?.state === 'previewed') q.importBatches.finish(batchId, 'discarded');
}
