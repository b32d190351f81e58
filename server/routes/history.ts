import { Router } from 'express';
import type { Queries } from '../../db';
import { FIGURE_FIELDS } from '../domain/figure';
import { HttpError } from '../errors';
import { nameIn, pageWords } from '../i18n';
import { parseId } from '../validation/query';

/** Revisions whose state was public: the only ones shown to readers who are not signed in. */
const PUBLIC_ACTIONS = new Set(['seed', 'import', 'publish', 'retire']);
const DIFF_FIELDS = [...FIGURE_FIELDS, 'status', 'retired_reason'] as const;

type Snapshot = Record<string, unknown>;

export interface FieldChange {
  field: string;
  label: string;
  before: string;
  after: string;
}

/** What changed between two snapshots, field by field, with names for ids and each field's label. */
export function diffSnapshots(before: Snapshot | null, after: Snapshot, name: (field: string, value: unknown) => string, label: (field: string) => string): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of DIFF_FIELDS) {
    const a = before ? before[field] ?? null : null;
    const b = after[field] ?? null;
    if (before && a === b) continue;
    if (!before && b === null) continue;
    changes.push({ field, label: label(field), before: before ? name(field, a) : '', after: name(field, b) });
  }
  return changes;
}

export function historyRoutes(q: Queries): Router {
  const router = Router();
  router.get('/figures/:id/history', (req, res) => {
    const id = parseId(req.params.id, 'figure');
    const figure = q.figures.getById(id);
    const staff = Boolean(res.locals.user);
    if (!figure || (!staff && figure.status === 'draft')) throw new HttpError(404, `there is no published figure ${id}`);

    const t = pageWords(res);
    const indicators = new Map(q.indicators.list().map((i) => [i.id, nameIn(res, 'indicator', i.code, i.name)]));
    const locations = new Map(q.locations.list().map((l) => [l.id, `${nameIn(res, 'location', l.code, l.name)} (${l.code})`]));
    const name = (field: string, value: unknown): string => {
      if (value === null || value === undefined) return '—';
      if (typeof value !== 'string' && typeof value !== 'number') return JSON.stringify(value);
      if (field === 'indicator_id') return indicators.get(Number(value)) ?? String(value);
      if (field === 'location_id') return locations.get(Number(value)) ?? String(value);
      if (field === 'source_id') {
        // Anonymous readers are not shown a source no published figure has cited.
        const s = staff ? q.sources.getById(Number(value)) : q.sources.getPublicById(Number(value));
        return s ? `${s.publisher}: ${s.title}` : staff ? String(value) : t('revisions.notPublic');
      }
      return String(value);
    };

    const all = q.figures.revisions(id);
    const shown = staff ? all : all.filter((r) => PUBLIC_ACTIONS.has(r.action));
    let previous: Snapshot | null = null;
    const revisions = shown.map((r) => {
      const snapshot = r.snapshot;
      const changes = diffSnapshots(previous, snapshot, name, (field) => t(`revisions.fields.${field}`, { defaultValue: field }));
      previous = snapshot;
      return {
        id: r.id,
        version: r.version,
        action: r.action,
        note: r.note,
        username: staff ? r.username : null,
        created_at: r.created_at,
        pending: snapshot.pending === true,
        changes,
      };
    });
    res.set('Cache-Control', staff ? 'no-store' : 'no-cache');
    res.render('figures/history', {
      title: t('revisions.title', { id }),
      figure,
      indicatorName: nameIn(res, 'indicator', figure.indicator_code, figure.indicator_name),
      locationName: nameIn(res, 'location', figure.location_code, figure.location_name),
      t,
      revisions: revisions.reverse(),
      staff,
      latestRevision: q.figureEdits.latestRevisionId(id),
    });
  });
  return router;
}
