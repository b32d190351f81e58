import { Router } from 'express';
import type { Queries } from '../../db';
import { FIGURE_FIELDS } from '../domain/figure';
import { HttpError } from '../errors';
import { parseId } from '../validation/query';

/** Revisions whose state was public: the only ones shown to readers who are not signed in. */
const PUBLIC_ACTIONS = new Set(['seed', 'import', 'publish', 'retire']);
const DIFF_FIELDS = [...FIGURE_FIELDS, 'status', 'retired_reason'] as const;

export const FIELD_LABELS: Record<string, string> = {
  indicator_id: 'Indicator',
  location_id: 'Place',
  reference_period_start: 'Period start',
  reference_period_end: 'Period end',
  measure: 'Measure',
  value: 'Value',
  value_low: 'Low',
  value_high: 'High',
  qualifier: 'Qualifier',
  verification: 'Verification',
  reported_by: 'Originator',
  claimed_by: 'Claimed by',
  attributed_to: 'Attributed to',
  disputed_by: 'Disputed by',
  source_id: 'Source',
  source_quote: 'Quote',
  notes: 'Notes',
  status: 'Status',
  retired_reason: 'Retired because',
};

type Snapshot = Record<string, unknown>;

export interface FieldChange {
  field: string;
  label: string;
  before: string;
  after: string;
}

/** What changed between two snapshots, field by field, with names for ids. */
export function diffSnapshots(before: Snapshot | null, after: Snapshot, name: (field: string, value: unknown) => string): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of DIFF_FIELDS) {
    const a = before ? before[field] ?? null : null;
    const b = after[field] ?? null;
    if (before && a === b) continue;
    if (!before && b === null) continue;
    changes.push({ field, label: FIELD_LABELS[field] ?? field, before: before ? name(field, a) : '', after: name(field, b) });
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

    const indicators = new Map(q.indicators.list().map((i) => [i.id, i.name]));
    const locations = new Map(q.locations.list().map((l) => [l.id, `${l.name} (${l.code})`]));
    const name = (field: string, value: unknown): string => {
      if (value === null || value === undefined) return '—';
      if (typeof value !== 'string' && typeof value !== 'number') return JSON.stringify(value);
      if (field === 'indicator_id') return indicators.get(Number(value)) ?? String(value);
      if (field === 'location_id') return locations.get(Number(value)) ?? String(value);
      if (field === 'source_id') {
        // Anonymous readers are not shown a source no published figure has cited.
        const s = staff ? q.sources.getById(Number(value)) : q.sources.getPublicById(Number(value));
        return s ? `${s.publisher}: ${s.title}` : staff ? String(value) : 'a source not yet public';
      }
      return String(value);
    };

    const all = q.figures.revisions(id);
    const shown = staff ? all : all.filter((r) => PUBLIC_ACTIONS.has(r.action));
    let previous: Snapshot | null = null;
    const revisions = shown.map((r) => {
      const snapshot = r.snapshot;
      const changes = diffSnapshots(previous, snapshot, name);
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
      title: `History of figure ${id}`,
      figure,
      revisions: revisions.reverse(),
      staff,
      latestRevision: q.figureEdits.latestRevisionId(id),
    });
  });
  return router;
}
