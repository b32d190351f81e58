import { Readable } from 'node:stream';
import { Router } from 'express';
import type { Queries } from '../../../db';
import { HttpError } from '../../errors';
import { decodeImportFile, describeHowRead, type HowRead } from '../../import/file-decoding';
import { ImportFileError, stageImport, type FigureChange, type ImportError } from '../../import/figures-import';
import { requiredReason } from '../../validation/forms';
import { recordHowRead, recordPublishChoice } from '../../workflow/import-files';
import { commitImport, discardImport, ImportCommitError } from '../../workflow/imports';
import { currentUser, requireAdmin } from '../../middleware/auth';
import { parseId } from '../../validation/query';

const CHANGES_PER_PAGE = 50;

function readAsLine(stored: unknown): string | null {
  return stored && typeof stored === 'object' && 'format' in stored ? describeHowRead(stored as HowRead) : null;
}

/** Bulk import (admin only): upload a CSV, read the preview, then commit it whole or discard it. */
export function adminImportRoutes(q: Queries): Router {
  const router = Router();
  router.use('/admin/import', requireAdmin);

  router.get('/admin/import', (_req, res) => {
    res.render('admin/imports/index', { title: 'Import figures', recent: q.importBatches.recent(20), errors: {}, values: {} });
  });

  router.post('/admin/import', async (req, res) => {
    const user = currentUser(res);
    const file = req.file;
    if (!file) throw new HttpError(400, 'Choose a CSV or Excel (.xlsx) file to import.');
    const body = req.body as Record<string, unknown>;
    const publish = body.publish === '1';
    const reason = requiredReason(body, 'publish_reason');
    if (publish && !reason) {
      res.status(400).render('admin/imports/index', {
        title: 'Import figures',
        recent: q.importBatches.recent(20),
        errors: { publish_reason: 'Required to publish at once: say why these figures skip review (at most 2000 characters), or untick "publish at once".' },
        values: { publish: '1' },
      });
      return;
    }
    let decoded;
    try {
      decoded = await decodeImportFile(file.buffer, file.originalname);
    } catch (err) {
      if (err instanceof ImportFileError) throw new HttpError(400, `This file cannot be imported: ${err.message}.`);
      throw err;
    }
    const batch = await stageImport(Readable.from([decoded.csv]), q, {
      fileName: file.originalname,
      userId: user.id,
      publish,
      match: body.match === 'natural' ? 'natural' : 'id',
    });
    recordHowRead(q, batch.id, decoded.howRead);
    if (publish && reason) recordPublishChoice(q, user, batch.id, reason);
    res.redirect(303, `/admin/import/${batch.id}`);
  });

  router.get('/admin/import/:id', (req, res) => {
    const id = parseId(req.params.id, 'import');
    const batch = q.importBatches.getById(id);
    if (!batch) throw new HttpError(404, `there is no import ${id}`);
    const errors = JSON.parse(batch.errors) as ImportError[];
    const changes = JSON.parse(batch.changes) as FigureChange[];
    // The before → after table, 50 figures a page.
    const pages = Math.max(1, Math.ceil(changes.length / CHANGES_PER_PAGE));
    const pageText = typeof req.query.changes_page === 'string' ? req.query.changes_page : '1';
    const page = /^[1-9]\d{0,5}$/.test(pageText) ? Math.min(Number(pageText), pages) : 1;
    res.render('admin/imports/show', {
      title: `Import ${id}`,
      batch,
      errors,
      // The kept errors name their rows; past the kept list the count is a lower bound.
      errorRows: new Set(errors.map((e) => e.row)).size,
      errorRowsComplete: errors.length >= batch.error_count,
      warnings: JSON.parse(batch.warnings) as ImportError[],
      changes: changes.slice((page - 1) * CHANGES_PER_PAGE, page * CHANGES_PER_PAGE),
      changesShown: changes.length,
      changesPage: { page, pages, first: (page - 1) * CHANGES_PER_PAGE + 1 },
      publishReason: q.importFiles.getPublishReason(id),
      howRead: readAsLine(q.importFiles.getReadAs(id)),
    });
  });

  router.post('/admin/import/:id/commit', (req, res) => {
    const user = currentUser(res);
    const id = parseId(req.params.id, 'import');
    try {
      const done = commitImport(q, user, id);
      req.session.flash = {
        kind: 'success',
        message: `Imported: ${done.new_count} new and ${done.changed_count} changed figures${done.publish === 1 ? ', published' : ', submitted for review (new figures as drafts, corrections to published figures as pending changes)'}.`,
      };
    } catch (err) {
      if (!(err instanceof ImportCommitError)) throw err;
      req.session.flash = { kind: 'error', message: `Nothing was imported: ${err.message}.` };
    }
    res.redirect(303, `/admin/import/${id}`);
  });

  router.post('/admin/import/:id/discard', (req, res) => {
    const id = parseId(req.params.id, 'import');
    discardImport(q, id);
    req.session.flash = { kind: 'success', message: 'The import was discarded; nothing was written.' };
    res.redirect(303, '/admin/import');
  });

  return router;
}
