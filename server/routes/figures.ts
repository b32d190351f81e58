import { Router, type Request, type Response } from 'express';
import type { Queries } from '../../db';
import { VERIFICATIONS, type Verification } from '../../db/types';
import { HttpError } from '../errors';
import { nameIn, pageWords } from '../i18n';
import { parseId, parseList, parsePositiveInt, requireKnown } from '../validation/query';

const PAGE_SIZE = 50;
/**
 * Matches counted at most, past the page asked for: counting every match of a
 * broad filter cost more than the page itself (an indicator's 100,000
 * figures), so past this the list says "more than 10,000".
 */
const COUNTED = 10_000;

/** Builds the query string for a page link, keeping the current filters. */
function pageHref(filters: { indicator: string[]; location: string[]; verification: string[] }, page: number): string {
  const params = new URLSearchParams();
  for (const [name, values] of Object.entries(filters)) for (const v of values) params.append(name, v);
  if (page > 1) params.set('page', String(page));
  const qs = params.toString();
  return qs ? `/figures?${qs}` : '/figures';
}

export function figureRoutes(q: Queries): Router {
  const router = Router();

  router.get('/figures', (req: Request, res: Response) => {
    const indicatorList = q.indicators.list();
    const locationList = q.locations.list();
    const indicator = requireKnown(parseList(req.query.indicator, 'indicator'), new Set(indicatorList.map((i) => i.code)), 'indicator');
    const location = requireKnown(parseList(req.query.location, 'location'), new Set(locationList.map((l) => l.code)), 'location');
    const verification: Verification[] = requireKnown(parseList(req.query.verification, 'verification'), VERIFICATIONS, 'verification');
    const page = parsePositiveInt(req.query.page, 'page', 1);

    const filter = { indicatorCodes: indicator, locationCodes: location, verifications: verification };
    const upTo = Math.max(COUNTED, page * PAGE_SIZE);
    const counted = q.figures.countPublished(filter, upTo + 1);
    const more = counted > upTo;
    const total = more ? upTo : counted;
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    if (page > pages) throw new HttpError(404, `page ${page} is past the last page (${pages})`);
    const figures = q.figures.listPublished(filter, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
    const filters = { indicator, location, verification };

    res.render('figures/index', {
      title: pageWords(res)('nav.figures'),
      figures,
      total,
      // Past the count: "more than 10,000" and "page 3 of more than 200", with a next page.
      more,
      page,
      pages,
      firstRow: total === 0 ? 0 : (page - 1) * PAGE_SIZE + 1,
      // The export writer with the same filters: every matching figure, not just this page.
      csvHref: `/export/figures.csv${pageHref(filters, 1).slice('/figures'.length)}`,
      prevHref: page > 1 ? pageHref(filters, page - 1) : null,
      nextHref: page < pages || more ? pageHref(filters, page + 1) : null,
      filters,
      indicators: indicatorList,
      locations: locationList,
      verifications: VERIFICATIONS,
    });
  });

  router.get('/figures/:id', (req: Request, res: Response) => {
    const id = parseId(req.params.id, 'figure');
    const figure = q.figures.getById(id);
    // Drafts are for staff only: to the public they do not exist.
    if (figure?.status === 'draft' && res.locals.user) return res.redirect(`/admin/figures/${id}`);
    if (!figure || figure.status === 'draft') throw new HttpError(404, `there is no published figure ${id}`);
    // The public row is shown as is; staff are told when a change to it awaits publishing.
    const pendingChange = res.locals.user ? (q.figureEdits.getPending(id) ?? null) : null;
    // Inconsistencies are kept at write time; readers see them as notes on the figure.
    const checks = figure.status === 'published' ? q.checks.forFigure(id) : [];
    res.render('figures/show', { title: `${nameIn(res, 'indicator', figure.indicator_code, figure.indicator_name)}, ${nameIn(res, 'location', figure.location_code, figure.location_name)}`, figure, pendingChange, checks });
  });

  return router;
}
