import { Readable } from 'node:stream';
import { Router } from 'express';
import type { Queries } from '../../../db';
import type { Db } from '../../../db/connection';
import { HttpError } from '../../errors';
import { commitImport, discardImport, ImportCommitError, stageImport, type ImportError } from '../../import/figures-import';
import { currentUser, requireAdmin } from '../../middleware/auth';
import { parseId } from '../../validation/query';

/** Bulk import (admin only): upload a CSV, read the preview, then commit it whole or discard it. */
export function adminImportRoutes(db: Db, q: Queries): Router {
  const router = Router();
  router.use('/admin/import', requireAdmin);

  router.get('/admin/import', (_req, res) => {
    res.render('admin/imports/index', { title: 'Import figures', recent: q.importBatches.recent(20) });
  });

  router.post('/admin/import', async (req, res) => {
    const user = currentUser(res);
    const file = req.file;
    if (!file) throw new HttpError(400, 'Choose a CSV file to import.');
    const body = req.body as Record<string, unknown>;
    const batch = await stageImport(Readable.from([file.buffer]), q, {
      fileName: file.originalname,
      userId: user.id,
      publish: body.publish === '1',
    });
    res.redirect(303, `/admin/import/${batch.id}`);
  });

  router.get('/admin/import/:id', (req, res) => {
    const id = parseId(req.params.id, 'import');
    const batch = q.importBatches.getById(id);
    if (!batch) throw new HttpError(404, `there is no import ${id}`);
    res.render('admin/imports/show', { title: `Import ${id}`, batch, errors: JSON.parse(batch.errors) as ImportError[] });
  });

  router.post('/admin/import/:id/commit', (req, res) => {
    const user = currentUser(res);
    const id = parseId(req.params.id, 'import');
    try {
      const done = commitImport(db, q, id, user.id);
      q.audit.record({
        userId: user.id,
        action: 'import',
        entityType: 'import',
        entityId: id,
        details: { file: done.file_name, new: done.new_count, changed: done.changed_count, unchanged: done.unchanged_count, published: done.publish === 1 },
      });
      req.session.flash = {
        kind: 'success',
        message: `Imported: ${done.new_count} new and ${done.changed_count} changed figures${done.publish === 1 ? ', published' : ' as drafts awaiting review'}.`,
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
