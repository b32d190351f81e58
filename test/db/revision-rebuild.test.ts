/**
 * Every revision of every figure reads back exactly as the full snapshot the
 * figure had when the revision was written (decision 0015): a figure built up
 * through the workflow — edits of value, range, qualifier, period and source,
 * send-backs, pending changes, retire and restore, corrections by import,
 * imports of new figures, and renames and moves in the catalogue that change
 * rows without a revision — is read back through the history, the single
 * revision a restore or a three-way merge starts from, and the latest one.
 *
 * What "the full snapshot" is, is recorded independently of the code under
 * test: a temporary trigger on this test's connection stores, as each
 * revision is inserted, the whole figure as the workflow had always stored it
 * (every column of the row in table order; for a pending change the row with
 * the proposal's fields, its submission and editor over it, and
 * `pending: true` last).
 */
import { seedIfEmpty } from '../../db/seed/load';
import { createTestApp } from '../helpers/app';
import { buildHistory, recordExpectedSnapshots, type Snapshot } from '../helpers/revision-history';

describe('revisions rebuild exactly', () => {
  test('every revision of every figure reads back as the full snapshot written at the time, through history, single reads and the latest', async () => {
    const t = createTestApp({ seed: false });
    const expected = recordExpectedSnapshots(t.db);
    seedIfEmpty(t.db);
    await buildHistory(t);
    const want = expected();

    const figures = t.db.prepare<[], { id: number }>('SELECT id FROM figures ORDER BY id').all().map((f) => f.id);
    const total = t.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM figure_revisions').get()?.n ?? 0;
    expect(want.size).toBe(total);
    expect(total).toBeGreaterThan(500);
    // The story reached what it set out to: a long history, pending proposals, retired figures, imported drafts.
    const longest = t.db.prepare<[], { n: number }>('SELECT MAX(n) AS n FROM (SELECT COUNT(*) AS n FROM figure_revisions GROUP BY figure_id)').get()?.n ?? 0;
    expect(longest).toBeGreaterThan(60);
    expect([...want.values()].filter((s) => s.includes('"pending":true')).length).toBeGreaterThan(20);
    const actions = t.db.prepare<[], { action: string }>('SELECT DISTINCT action FROM figure_revisions ORDER BY action').all().map((r) => r.action);
    expect(actions).toEqual(['create', 'edit', 'import', 'publish', 'restore', 'retire', 'seed', 'send_back', 'submit']);
    expect(t.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM figure_pending_changes').get()?.n).toBeGreaterThan(0);

    // Rows were rewritten after their latest revision (a rename, a move, an import's submission): the rebuild cannot just read the row.
    const drifted = t.db
      .prepare<[], { id: number; sync_seq: number | null; updated_at: string; submitted_at: string | null; latest: number }>(
        `SELECT f.id, f.sync_seq, f.updated_at, f.submitted_at, (SELECT MAX(id) FROM figure_revisions r WHERE r.figure_id = f.id) AS latest
         FROM figures f WHERE NOT EXISTS (SELECT 1 FROM figure_pending_changes p WHERE p.figure_id = f.id)`,
      )
      .all()
      .filter((f) => {
        const s = JSON.parse(want.get(f.latest) as string) as Snapshot;
        return s.sync_seq !== f.sync_seq || s.updated_at !== f.updated_at || s.submitted_at !== f.submitted_at;
      });
    expect(drifted.length).toBeGreaterThan(5);

    let checked = 0;
    for (const id of figures) {
      const history = t.q.figures.revisions(id);
      expect(history.length).toBeGreaterThan(0);
      for (const revision of history) {
        const exact = JSON.stringify(JSON.parse(want.get(revision.id) as string));
        expect({ id: revision.id, snapshot: JSON.stringify(revision.snapshot) }).toEqual({ id: revision.id, snapshot: exact });
        const single = t.q.figureEdits.getRevision(id, revision.id);
        expect({ id: revision.id, snapshot: JSON.stringify(single?.snapshot) }).toEqual({ id: revision.id, snapshot: exact });
        checked += 1;
      }
    }
    expect(checked).toBe(total);

    // What is stored: a whole copy only in every 16th revision of a figure; a figure written once keeps only the columns that drift from its row.
    const stored = t.db
      .prepare<[], { figure_id: number; pos: number; whole: number; row_patch: string | null; n: number }>(
        `SELECT figure_id, row_number() OVER (PARTITION BY figure_id ORDER BY id) AS pos, full_snapshot IS NOT NULL AS whole, row_patch,
                COUNT(*) OVER (PARTITION BY figure_id) AS n
         FROM figure_revisions ORDER BY id`,
      )
      .all();
    expect(stored.filter((r) => r.whole === 1).map((r) => r.pos % 16)).toEqual(stored.filter((r) => r.pos % 16 === 0).map(() => 0));
    expect(stored.filter((r) => r.pos % 16 === 0).length).toBeGreaterThan(3);
    const once = stored.filter((r) => r.n === 1);
    expect(once.length).toBeGreaterThan(10);
    for (const r of once) expect(Object.keys(JSON.parse(r.row_patch ?? 'null') as Snapshot)).toEqual(['sync_seq', 'updated_at', 'submitted_at', 'submitted_by']);
  });
});
