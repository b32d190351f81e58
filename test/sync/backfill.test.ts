/**
 * A rename of an entry that more than 1,000 public figures name (migration
 * 0019): the rename's own transaction only queues a backfill, which moves the
 * figures to new change-feed positions a chunk at a time. A mirror that pulls
 * between chunks, and once more after the last, ends exactly equal to a fresh
 * export; no figure is moved twice by one backfill; drafts never enter the feed.
 */
import request from 'supertest';
import type { Express } from 'express';
import type { NewFigure } from '../../db/queries/figures';
import * as catalogue from '../../server/workflow/catalogue';
import { backfillStep, drainBackfills, startBackfills } from '../../server/workflow/feed-backfill';
import { createTestApp, type TestApp } from '../helpers/app';
import { parseCsv } from '../helpers/csv';

const CHUNK = { limit: 100, window: 400 };
const MANY = 1_150;

interface World {
  t: TestApp;
  sourceId: number;
  editor: { id: number; role: 'editor' };
  reviewer: { id: number; role: 'admin' };
}

/** The demo data, plus MANY published figures (and a few drafts) citing one new source, interleaved with others. */
function world(): World {
  const t = createTestApp();
  const editorId = t.q.users.create('erin', 'x', 'editor');
  const reviewerId = t.q.users.create('rita', 'x', 'admin');
  const indicator = t.q.indicators.getByCode('civilian_deaths');
  const other = t.q.sources.listForPicker()[0];
  if (!indicator || !other) throw new Error('the seeded dataset is missing');
  const places = t.q.locations.list();
  const sourceId = t.q.sources.create({ title: 'Casualty update series', publisher: 'UN OCHA', url: 'https://example.org/series', published_on: '2024-06-30', accessed_on: null, notes: null }, reviewerId);
  t.q.transaction(() => {
    for (let i = 0; i < MANY + 300; i++) {
      const day = new Date(Date.UTC(2023, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
      const figure: NewFigure = {
        indicator_id: indicator.id,
        location_id: (places[i % places.length] as { id: number }).id,
        reference_period_start: day,
        reference_period_end: day,
        measure: 'period_count',
        value: i,
        qualifier: 'exact',
        value_low: null,
        value_high: null,
        verification: 'reported',
        reported_by: 'Series office',
        claimed_by: null,
        attributed_to: null,
        disputed_by: null,
        // Every fifth figure cites another document; a few of the series' figures stay drafts.
        source_id: i % 5 === 4 ? other.id : sourceId,
        source_quote: `${i} civilians killed`,
        notes: null,
        status: i % 97 === 0 ? 'draft' : 'published',
      };
      t.q.figures.create(figure, 'create', null, reviewerId);
    }
  });
  return { t, sourceId, editor: { id: editorId, role: 'editor' }, reviewer: { id: reviewerId, role: 'admin' } };
}

function renameThroughReview(w: World, title: string): void {
  const s = w.t.q.sources.getById(w.sourceId);
  if (!s) throw new Error('no source');
  catalogue.updateSource(w.t.q, w.editor, w.sourceId, { ...s, title });
  const open = w.t.q.catalogueChanges.getOpen('source', w.sourceId);
  if (!open) throw new Error('the rename is not waiting for review');
  catalogue.publishChange(w.t.q, w.reviewer, open.id, null);
}

const positions = (w: World, where: string): { id: number; sync_seq: number | null; status: string }[] =>
  w.t.db.prepare<[number], { id: number; sync_seq: number | null; status: string }>(`SELECT id, sync_seq, status FROM figures WHERE ${where} ORDER BY id`).all(w.sourceId);

/** Full pull, then `since` pulls: rows by figure id, unpublished ones dropped. */
class Mirror {
  rows = new Map<number, string>();
  token: string | null = null;
  constructor(private readonly app: Express) {}
  async pull(): Promise<number> {
    const res = await request(this.app).get(`/export/figures.csv${this.token ? `?since=${this.token}` : ''}`).expect(200);
    this.token = res.headers['sync-token'] as string;
    const lines = res.text.split('\r\n').filter((l) => l !== '').slice(1);
    for (const line of lines) {
      const id = Number(line.slice(0, line.indexOf(',')));
      if (parseCsv(`${line}\r\n`)[0]?.[22] === 'published') this.rows.set(id, line);
      else this.rows.delete(id);
    }
    return lines.length;
  }
  sorted(): string[] {
    return [...this.rows.entries()].sort((a, b) => a[0] - b[0]).map(([, l]) => l);
  }
}

describe('renames of entries many figures name', () => {
  test('the rename queues a backfill; chunks move every public figure once, and a mirror pulling between them ends exact', async () => {
    const w = world();
    const mirror = new Mirror(w.t.app);
    await mirror.pull();
    const before = w.t.q.changes.current().position;

    renameThroughReview(w, 'Casualty update series (renamed)');
    // The name is public at once; no figure has moved yet: one backfill waits.
    expect(w.t.q.feedBackfills.pending()).toBe(1);
    expect(positions(w, 'source_id = ? AND sync_seq > ' + before)).toEqual([]);
    expect((await request(w.t.app).get(`/sources/${w.sourceId}`).expect(200)).text).toContain('Casualty update series (renamed)');

    const moved: number[] = [];
    const chunkPositions = new Set<number>();
    for (let chunk = 0; ; chunk++) {
      const step = backfillStep(w.t.q, CHUNK);
      if (!step) break;
      expect(step.moved).toBeLessThanOrEqual(CHUNK.limit);
      if (step.moved > 0) chunkPositions.add(step.position);
      moved.push(step.moved);
      // A mirror pulls while the backfill runs.
      if (chunk % 3 === 1) await mirror.pull();
    }
    expect(moved.length).toBeGreaterThan(MANY / CHUNK.limit);

    const series = positions(w, 'source_id = ?');
    const publicOnes = series.filter((f) => f.status !== 'draft');
    expect(publicOnes.length).toBeGreaterThan(1000);
    // Every public figure of the renamed source took a new position, each exactly once.
    expect(publicOnes.every((f) => (f.sync_seq ?? 0) > before)).toBe(true);
    expect(moved.reduce((a, b) => a + b, 0)).toBe(publicOnes.length);
    expect(new Set(publicOnes.map((f) => f.sync_seq))).toEqual(chunkPositions);
    // Drafts were never public and stay out of the feed; other documents' figures did not move.
    expect(series.filter((f) => f.status === 'draft').every((f) => f.sync_seq === null)).toBe(true);
    expect(w.t.db.prepare<[number, number], { n: number }>('SELECT COUNT(*) AS n FROM figures WHERE source_id <> ? AND sync_seq > ?').get(w.sourceId, before)?.n).toBe(0);
    expect(w.t.q.feedBackfills.pending()).toBe(0);

    // One more pull and the mirror holds exactly what a fresh export holds, every row with the new title.
    await mirror.pull();
    const fresh = (await request(w.t.app).get('/export/figures.csv').expect(200)).text.split('\r\n').filter((l) => l !== '').slice(1);
    expect(mirror.sorted()).toEqual(fresh);
    expect(mirror.sorted().filter((l) => l.includes('Casualty update series (renamed)')).length).toBe(publicOnes.length);
    expect(mirror.sorted().some((l) => l.includes('Casualty update series,'))).toBe(false);
  });

  test('a second rename while a backfill waits starts it again instead of queuing another; a small rename moves its figures at once', () => {
    const w = world();
    renameThroughReview(w, 'First new title');
    backfillStep(w.t.q, CHUNK);
    backfillStep(w.t.q, CHUNK);
    const mid = w.t.q.changes.current().position;
    renameThroughReview(w, 'Second new title');
    const waiting = w.t.db.prepare<[], { after_figure_id: number }>('SELECT after_figure_id FROM feed_backfills WHERE done_at IS NULL').all();
    expect(waiting).toEqual([{ after_figure_id: 0 }]);
    expect(drainBackfills(w.t.q, CHUNK)).toBeGreaterThan(1);
    expect(positions(w, "source_id = ? AND status <> 'draft'").every((f) => (f.sync_seq ?? 0) > mid)).toBe(true);

    // A document only a few figures cite: its rename moves them in its own transaction, with nothing queued.
    const small = w.t.q.sources.listForPicker().find((s) => s.id !== w.sourceId);
    if (!small) throw new Error('no other source');
    const beforeSmall = w.t.q.changes.current().position;
    w.t.db.prepare('UPDATE sources SET title = ? WHERE id = ?').run('Renamed by hand', small.id);
    expect(w.t.q.feedBackfills.pending()).toBe(0);
    const cited = w.t.db.prepare<[number], { sync_seq: number }>('SELECT sync_seq FROM figures WHERE source_id = ? AND sync_seq IS NOT NULL').all(small.id);
    expect(cited.length).toBeGreaterThan(0);
    expect(cited.every((f) => f.sync_seq > beforeSmall)).toBe(true);
  });

  test('a place moved to a new parent with more than 1,000 public figures below it is backfilled through its subtree', () => {
    const w = world();
    const ukr = w.t.q.locations.getByCode('UKR');
    const places = w.t.q.locations.list();
    const oblast = places.find((l) => l.parent_id === ukr?.id);
    const otherCountry = places.find((l) => l.admin_level === 0 && l.id !== ukr?.id);
    if (!ukr || !oblast || !otherCountry) throw new Error('no place tree');
    // The series' figures are all stated for one oblast, which is then moved under the other country.
    w.t.db.prepare('UPDATE figures SET location_id = ? WHERE source_id = ?').run(oblast.id, w.sourceId);
    const before = w.t.q.changes.current().position;
    w.t.db.prepare('UPDATE locations SET parent_id = ? WHERE id = ?').run(otherCountry.id, oblast.id);
    expect(w.t.db.prepare<[], { entity_type: string; entity_id: number }>('SELECT entity_type, entity_id FROM feed_backfills WHERE done_at IS NULL').all()).toEqual([
      { entity_type: 'location_tree', entity_id: oblast.id },
    ]);
    expect(drainBackfills(w.t.q, CHUNK)).toBeGreaterThan(1);
    const below = w.t.db.prepare<[number], { sync_seq: number | null; status: string }>('SELECT sync_seq, status FROM figures WHERE location_id = ?').all(oblast.id);
    expect(below.filter((f) => f.status !== 'draft').length).toBeGreaterThan(1000);
    expect(below.filter((f) => f.status !== 'draft').every((f) => (f.sync_seq ?? 0) > before)).toBe(true);
    expect(w.t.db.prepare<[number, number], { n: number }>('SELECT COUNT(*) AS n FROM figures WHERE location_id <> ? AND sync_seq > ?').get(oblast.id, before)?.n).toBe(0);
  });

  test("the server's background runner finishes a backfill by itself, a chunk per turn of the event loop", async () => {
    const w = world();
    const errors: unknown[] = [];
    const runner = startBackfills(w.t.q, (err) => errors.push(err), 20, CHUNK);
    try {
      renameThroughReview(w, 'Renamed while the server runs');
      runner.wake();
      // Other work goes on between chunks: this loop's own turns interleave with them.
      let turns = 0;
      while (w.t.q.feedBackfills.pending() > 0 && turns < 5_000) {
        await new Promise((resolve) => setImmediate(resolve));
        turns += 1;
      }
      expect(w.t.q.feedBackfills.pending()).toBe(0);
      expect(turns).toBeGreaterThan(MANY / CHUNK.limit);
      expect(errors).toEqual([]);
    } finally {
      runner.stop();
    }
  });
});
