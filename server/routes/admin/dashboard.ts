import { Router } from 'express';
import type { Queries } from '../../../db';
import { currentUser } from '../../middleware/auth';
import { queueItem } from './catalogue-review';

export function adminDashboardRoutes(q: Queries): Router {
  const router = Router();
  router.get('/admin', (_req, res) => {
    const user = currentUser(res);
    res.render('admin/index', {
      title: 'Staff',
      awaiting: q.figureEdits.awaitingReview(),
      catalogueAwaiting: q.catalogueChanges.awaitingReview().map((c) => queueItem(q, c)),
      catalogueSentBack: q.catalogueChanges.sentBackTo(user.id).map((c) => queueItem(q, c)),
      mine: q.figureEdits.unsubmittedBy(user.id),
      sentBack: q.staffFigures.sentBackTo(user.id),
      recent: q.figureEdits.recentRevisions(20),
    });
  });
  return router;
}
