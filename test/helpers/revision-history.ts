/**
 * A figure history built through the workflow, and the full snapshot of each
 * revision recorded independently of the revision code (decision 0015): used
 * by the tests that rebuild every revision, before and after migration 0017.
 */
import { Readable } from 'node:stream';
import request from 'supertest';
import type { Queries } from '../../db';
import type { Db } from '../../db/connection';
import { FIGURE_FIELDS, type Actor, type FigureFields } from '../../server/domain/figure';
import { stageImport } from '../../server/import/figures-import';
import { publishChange, updateLocation, updateSource } from '../../server/workflow/catalogue';
import {
  createFigure,
  publishFigure,
  restoreRevision,
  retireFigure,
  saveFigure,
  sendBackFigure,
  submitFigure,
} from '../../server/workflow/figures';
import { commitImport } from '../../server/workflow/imports';
import type { TestApp } from './app';
import { parseCsv } from './csv';
import { random } from './random';

/** The whole figure as a revision recorded it. */
export type Snapshot = Record<string, unknown>;

/** Columns whose value a pending proposal carries over the public row (the workflow's rule). */
const PENDING_OVER_ROW = new Set<string>([...FIGURE_FIELDS, 'submitted_at', 'submitted_by', 'updated_by', 'updated_at']);

/** Records, for each revision inserted from now on, the full snapshot of its figure at that moment. */
export function recordExpectedSnapshots(db: Db): () => Map<number, string> {
  const columns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('figures') ORDER BY cid").all().map((c) => c.name);
  const fromRow = columns.map((c) => `'${c}', f."${c}"`).join(', ');
  const fromPending = columns.map((c) => `'${c}', ${PENDING_OVER_ROW.has(c) ? 'p' : 'f'}."${c}"`).join(', ');
  db.exec(`
    CREATE TEMP TABLE expected_snapshots (revision_id INTEGER PRIMARY KEY, snapshot TEXT NOT NULL);
    CREATE TEMP TRIGGER expected_snapshot AFTER INSERT ON main.figure_revisions
    BEGIN
      INSERT INTO expected_snapshots (revision_id, snapshot)
      SELECT NEW.id, CASE WHEN p.figure_id IS NULL THEN json_object(${fromRow})
                          ELSE json_object(${fromPending}, 'pending', json('true')) END
      FROM main.figures f LEFT JOIN main.figure_pending_changes p ON p.figure_id = f.id
      WHERE f.id = NEW.figure_id;
    END;`);
  return () =>
    new Map(
      db
        .prepare<[], { revision_id: number; snapshot: string }>('SELECT revision_id, snapshot FROM expected_snapshots')
        .all()
        .map((r) => [r.revision_id, r.snapshot]),
    );
}

const fieldsOf = (source: FigureFields): FigureFields => Object.fromEntries(FIGURE_FIELDS.map((c) => [c, source[c]])) as unknown as FigureFields;

function csvCell(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

async function importRows(t: TestApp, rows: string[][], publish: boolean): Promise<void> {
  const csv = rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
  const batch = await stageImport(Readable.from([Buffer.from(csv, 'utf8')]), t.q, { fileName: 'corrections.csv', userId: null, publish, match: 'id' });
  expect({ state: batch.state, errors: batch.errors }).toEqual({ state: 'previewed', errors: '[]' });
  commitImport(t.q, { id: null, role: 'system' }, batch.id);
}

/**
 * Builds a history through the workflow: one figure taken through every kind
 * of change (past the full-copy interval), random edits of the seeded
 * figures, corrections and new figures by import, and catalogue changes.
 */
export async function buildHistory(t: TestApp, users = 'rebuild'): Promise<void> {
  const q: Queries = t.q;
  const editor: Actor = { id: q.users.create(`${users}-editor`, 'not-a-password-hash', 'editor'), role: 'editor' };
  const admin: Actor = { id: q.users.create(`${users}-admin`, 'not-a-password-hash', 'admin'), role: 'admin' };
  const reviewer: Actor = { id: q.users.create(`${users}-reviewer`, 'not-a-password-hash', 'admin'), role: 'admin' };
  const sources = q.sources.listForPicker().map((s) => s.id);
  const seeded = q.figureEdits.getRow(1);
  if (!seeded) throw new Error('the demo dataset is missing');
  const latest = (id: number): number => q.figureEdits.latestRevisionId(id);
  const content = (id: number): FigureFields => fieldsOf(q.figureEdits.getPending(id) ?? (q.figureEdits.getRow(id) as FigureFields));
  const save = (actor: Actor, id: number, change: Partial<FigureFields>): void => {
    saveFigure(q, actor, id, { ...content(id), ...change }, { expectedRevisionId: latest(id) });
  };
  const publish = (id: number): void => {
    submitFigure(q, editor, id);
    publishFigure(q, admin, id, null);
  };

  // One figure through every kind of change, then edited past the full-copy interval.
  const id = createFigure(q, editor, { ...fieldsOf(seeded), reference_period_start: '2022-03-01', reference_period_end: '2022-03-01', value: 10, value_low: null, value_high: null, qualifier: 'exact', notes: null });
  save(editor, id, { value: 12 });
  submitFigure(q, editor, id);
  sendBackFigure(q, admin, id, 'Check the range against the report.');
  save(editor, id, { value_low: 10, value_high: 15, qualifier: 'about' });
  publish(id);
  save(editor, id, { reference_period_end: '2022-03-02' });
  publish(id);
  save(editor, id, { source_id: sources[1], source_quote: 'Twelve people, the report says.' });
  submitFigure(q, editor, id);
  sendBackFigure(q, reviewer, id, 'Quote the report word for word.');
  save(editor, id, { source_quote: 'twelve people were killed' });
  publish(id);
  retireFigure(q, admin, id, 'Counted twice.');
  const early = q.figures.revisions(id)[2]?.id as number;
  restoreRevision(q, admin, id, early, latest(id));
  submitFigure(q, admin, id);
  publishFigure(q, reviewer, id, null);
  for (let i = 0; i < 18; i++) {
    save(editor, id, { value: 20 + i, notes: i % 3 === 0 ? `Revised ${i}` : null, qualifier: i % 2 === 0 ? 'exact' : 'at_least', value_low: null, value_high: null });
    publish(id);
  }
  save(editor, id, { value: 99 }); // left pending: the latest revision is a proposal over the public row

  // Corrections by import: published at once, then proposed for review; new figures both ways.
  const exported = parseCsv((await request(t.app).get('/export/figures.csv').expect(200)).text);
  const header = exported[0] as string[];
  const col = (name: string): number => header.indexOf(name);
  // A figure with a proposal waiting is not corrected by an import (it refuses): only the others.
  const body = exported.slice(1).filter((r) => !q.figureEdits.getPending(Number(r[col('figure_id')])));
  const corrected = (rows: string[][], by: number): string[][] =>
    rows.map((r) => r.map((cell, c) => (c === col('value') ? String(Number(cell) + by) : c === col('value_low') || c === col('value_high') ? '' : cell)));
  await importRows(t, [header, ...corrected(body.slice(0, 8), 3)], true);
  await importRows(t, [header, ...corrected(body.slice(4, 12), 7)], false);
  const asNew = (rows: string[][], originator: string): string[][] =>
    rows.map((r) => r.map((cell, c) => (c === col('figure_id') ? '' : c === col('reported_by') ? originator : cell)));
  await importRows(t, [header, ...asNew(body.slice(0, 6), 'Import monitor A')], true);
  await importRows(t, [header, ...asNew(body.slice(6, 12), 'Import monitor B')], false);

  // Random edits of the seeded figures.
  const rand = random(11_2026);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const ids = Array.from({ length: 35 }, (_, i) => i + 1).filter((n) => q.figureEdits.getRow(n));
  for (let step = 0; step < 400; step++) {
    const figure = pick(ids);
    const row = q.figureEdits.getRow(figure);
    if (!row) continue;
    const pending = q.figureEdits.getPending(figure);
    const submitted = pending ? pending.submitted_at !== null : row.status === 'draft' && row.submitted_at !== null;
    const r = rand();
    if (row.status === 'retired') {
      const history = q.figures.revisions(figure);
      restoreRevision(q, admin, figure, pick(history).id, latest(figure));
    } else if (submitted) {
      if (r < 0.2) sendBackFigure(q, admin, figure, 'Not yet.');
      else publishFigure(q, (pending ? pending.updated_by : row.updated_by) === admin.id ? reviewer : admin, figure, null);
    } else if ((pending || row.status === 'draft') && r < 0.4) {
      submitFigure(q, editor, figure);
    } else if (row.status === 'published' && !pending && r < 0.08) {
      retireFigure(q, admin, figure, 'Superseded.');
    } else {
      const current = content(figure);
      const kind = Math.floor(rand() * 6);
      const change: Partial<FigureFields> =
        kind === 0
          ? { value: current.value + 1 + Math.floor(rand() * 50), value_low: null, value_high: null }
          : kind === 1
            ? { value_low: Math.floor(current.value * 0.8), value_high: Math.ceil(current.value * 1.2) + 1 }
            : kind === 2
              ? { qualifier: pick(['exact', 'about', 'at_least', 'more_than'] as const) }
              : kind === 3
                ? { source_id: pick(sources), source_quote: `${current.value} as reported on page ${step}` }
                : kind === 4
                  ? { notes: rand() < 0.5 ? null : `Note ${step}: "quoted", with a comma\nand a line` }
                  : { reference_period_start: current.reference_period_start, reference_period_end: current.reference_period_end > current.reference_period_start ? current.reference_period_start : current.reference_period_end };
      save(rand() < 0.8 ? editor : admin, figure, change);
    }
  }

  // Catalogue changes rewrite rows without a revision: a source renamed, a place moved.
  const cited = q.figureEdits.getRow(id)?.source_id as number;
  const source = q.sources.getById(cited);
  if (!source) throw new Error('the cited source is missing');
  updateSource(q, editor, cited, { ...source, title: `${source.title} (corrected title)` });
  publishChange(q, admin, q.catalogueChanges.getOpen('source', cited)?.id as number, null);
  const places = q.locations.list();
  const citedPlaces = new Set(t.db.prepare<[], { id: number }>('SELECT DISTINCT location_id AS id FROM figures').all().map((r) => r.id));
  const place = places.find((l) => l.parent_id !== null && citedPlaces.has(l.id) && places.some((p) => p.admin_level === l.admin_level - 1 && p.id !== l.parent_id));
  const parent = places.find((p) => place && p.admin_level === place.admin_level - 1 && p.id !== place.parent_id);
  if (!place || !parent) throw new Error('the demo places are missing');
  updateLocation(q, admin, place.id, { name: place.name, admin_level: place.admin_level, parent_id: parent.id });
  const move = q.catalogueChanges.getOpen('location', place.id);
  if (move) publishChange(q, reviewer, move.id, null);
  // And a change after them, so a revision follows the rewritten rows.
  save(editor, id, { value: 100 });
  publish(id);
}

