/**
 * The mirror invariant: a client that starts from a full pull and applies each
 * `since` pull in order (replace rows by figure_id, drop rows whose status is
 * not `published`) holds, row for row and byte for byte, what a fresh full
 * export holds, whatever happened in between: publishes, corrections,
 * retirements, restores, renames of sources, indicators and places, imports,
 * changes committed between the pages of a paged pull, and filters.
 */
import { Readable } from 'node:stream';
import request from 'supertest';
import type { Express } from 'express';
import type { Queries } from '../../db';
import type { Actor, FigureFields } from '../../server/domain/figure';
import { stageImport } from '../../server/import/figures-import';
import * as catalogue from '../../server/workflow/catalogue';
import * as figures from '../../server/workflow/figures';
import { commitImport } from '../../server/workflow/imports';
import { createTestApp, type TestApp } from '../helpers/app';
import { parseCsv } from '../helpers/csv';

const CRLF = '\r\n';

/** One CSV line per row, as the export wrote it (the mirror keeps lines, so the comparison is byte for byte). */
function lines(body: string): { header: string; rows: string[] } {
  const records = parseCsv(body);
  const raw = body.split(CRLF).filter((l) => l !== '');
  // A quoted cell may hold CRLF: rebuild each record's line from the parsed cells when counts differ.
  const rows =
    raw.length - 1 === records.length - 1
      ? raw.slice(1)
      : records.slice(1).map((r) => r.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(','));
  return { header: raw[0] ?? '', rows };
}

const idOf = (line: string): number => Number(line.slice(0, line.indexOf(',')));
const statusOf = (line: string): string => parseCsv(`${line}${CRLF}`)[0]?.[22] ?? '';

class Mirror {
  rows = new Map<number, string>();
  token: string | null = null;
  pulls = 0;

  constructor(
    private readonly app: Express,
    private readonly filter: string,
    private readonly pageSize: number,
  ) {}

  /**
   * One pull (full the first time, `since` after), page by page through the
   * Link header; `between` runs after the first page, while the pull is open.
   */
  async pull(between?: () => void): Promise<void> {
    const params = new URLSearchParams(this.filter);
    params.set('limit', String(this.pageSize));
    if (this.token) params.set('since', this.token);
    let url: string | null = `/export/figures.csv?${params.toString()}`;
    let token: string | null = null;
    let page = 0;
    while (url) {
      const res: request.Response = await request(this.app).get(url).expect(200);
      const pageToken = res.headers['sync-token'] as string;
      if (token !== null) expect(pageToken).toBe(token);
      token = pageToken;
      for (const line of lines(res.text).rows) {
        if (statusOf(line) === 'published') this.rows.set(idOf(line), line);
        else this.rows.delete(idOf(line));
      }
      const link = res.headers.link;
      url = link ? (/<([^>]+)>/.exec(link)?.[1] ?? null) : null;
      page += 1;
      if (page === 1 && between) between();
    }
    this.token = token;
    this.pulls += 1;
  }

  sorted(): string[] {
    return [...this.rows.entries()].sort((a, b) => a[0] - b[0]).map(([, line]) => line);
  }
}

async function freshExport(app: Express, filter: string): Promise<string[]> {
  return lines((await request(app).get(`/export/figures.csv${filter ? `?${filter}` : ''}`).expect(200)).text).rows;
}

/** A deterministic pseudo-random sequence (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface World {
  t: TestApp;
  q: Queries;
  editor: Actor;
  admin: Actor;
  /** A second admin: indicators and places are an admin's to change, and another publishes the change. */
  reviewer: Actor;
  changes: number;
}

function world(): World {
  const t = createTestApp();
  const editorId = t.q.users.create('erin', 'x', 'editor');
  const adminId = t.q.users.create('ada', 'x', 'admin');
  const reviewerId = t.q.users.create('rita', 'x', 'admin');
  return {
    t,
    q: t.q,
    editor: { id: editorId, role: 'editor' },
    admin: { id: adminId, role: 'admin' },
    reviewer: { id: reviewerId, role: 'admin' },
    changes: 0,
  };
}

/** Publishes the change the last edit of a source, indicator or place proposed (an entry no public figure names changed at once). */
function publishOpenChange(w: World, kind: catalogue.CatalogueKind, id: number): void {
  const open = w.q.catalogueChanges.getOpen(kind, id);
  if (open) catalogue.publishChange(w.q, w.reviewer, open.id, null);
}

function published(w: World): number[] {
  return w.t.db.prepare<[], { id: number }>("SELECT id FROM figures WHERE status = 'published' ORDER BY id").all().map((r) => r.id);
}

/** Edits a figure as staff do: save (a pending change), submit, publish by another person. */
function correct(w: World, id: number, change: Partial<FigureFields>): void {
  const { fields, revision } = figures.currentContent(w.q, id);
  figures.saveFigure(w.q, w.editor, id, { ...fields, ...change }, { expectedRevisionId: revision });
  figures.submitFigure(w.q, w.editor, id);
  figures.publishFigure(w.q, w.admin, id, null);
  w.changes += 1;
}

function addFigure(w: World, change: Partial<FigureFields> = {}): number {
  const base = w.q.figureEdits.getRow(1) as FigureFields;
  const id = figures.createFigure(w.q, w.editor, { ...base, value: 1000 + w.changes, notes: `added ${w.changes}`, ...change });
  figures.submitFigure(w.q, w.editor, id);
  figures.publishFigure(w.q, w.admin, id, null);
  w.changes += 1;
  return id;
}

function retire(w: World, id: number): void {
  figures.retireFigure(w.q, w.admin, id, 'withdrawn by the source');
  w.changes += 1;
}

/** Brings a retired figure back as a draft (it stays out of the public set) and publishes it again, or not. */
function restore(w: World, id: number, republish: boolean): void {
  const first = w.q.figures.revisions(id)[0];
  if (!first) throw new Error('no revision');
  figures.restoreRevision(w.q, w.editor, id, first.id);
  w.changes += 1;
  if (republish) {
    figures.submitFigure(w.q, w.editor, id);
    figures.publishFigure(w.q, w.admin, id, null);
    w.changes += 1;
  }
}

function renameSource(w: World, id: number, title: string): void {
  const s = w.q.sources.getById(id);
  if (!s) throw new Error('no source');
  catalogue.updateSource(w.q, w.editor, id, { ...s, title });
  publishOpenChange(w, 'source', id);
  w.changes += 1;
}

async function importCorrection(w: World, id: number, newTitle: string): Promise<void> {
  const csv = (await request(w.t.app).get(`/export/figures.csv?source=${w.q.figureEdits.getRow(id)?.source_id}`).expect(200)).text;
  const rows = parseCsv(csv);
  const header = rows[0] as string[];
  const out = rows.map((r, i) => {
    if (i === 0 || Number(r[0]) !== id) return r;
    const copy = [...r];
    copy[header.indexOf('notes')] = newTitle;
    return copy;
  });
  const text = out.map((r) => r.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join(CRLF);
  const batch = await stageImport(Readable.from([Buffer.from(text)]), w.q, { fileName: 'correction.csv', userId: w.admin.id, publish: true });
  expect(batch).toMatchObject({ error_count: 0, changed_count: 1, new_count: 0 });
  commitImport(w.q, w.admin, batch.id);
  w.changes += 1;
}

describe('exact mirroring with Sync-Token and since', () => {
  const filters = ['', 'indicator=civilian_deaths', 'location=UKR&include_children=1&verification=verified,reported'];

  test.each(filters)('a mirror kept by since pulls equals a fresh export through 120 seeded random changes (filter "%s")', async (filter) => {
    const w = world();
    const mirror = new Mirror(w.t.app, filter, 4);
    await mirror.pull();
    expect(mirror.sorted()).toEqual(await freshExport(w.t.app, filter));

    const rnd = random(filter.length + 7);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    const indicators = w.q.indicators.list().filter((i) => i.aggregation === 'flow');
    const retired: number[] = [];
    let step = 0;
    while (w.changes < 120) {
      step += 1;
      const r = rnd();
      const live = published(w);
      if (r < 0.25) {
        const id = pick(live);
        const percent = w.q.indicators.getById(w.q.figureEdits.getRow(id)?.indicator_id ?? 0)?.unit === 'percent';
        correct(w, id, { value: Math.floor(rnd() * (percent ? 100 : 5000)) });
      }
      else if (r < 0.35) correct(w, pick(live.filter((id) => w.q.figureEdits.getRow(id)?.measure !== 'level')), { indicator_id: pick(indicators).id });
      else if (r < 0.45) addFigure(w);
      else if (r < 0.55 && live.length > 5) {
        const id = pick(live);
        retire(w, id);
        retired.push(id);
      } else if (r < 0.65 && retired.length > 0) restore(w, retired.splice(Math.floor(rnd() * retired.length), 1)[0] as number, rnd() < 0.5);
      else if (r < 0.75) renameSource(w, pick(w.q.sources.listForPicker()).id, `Renamed document ${step}`);
      else if (r < 0.8) {
        const ind = pick(w.q.indicators.list());
        catalogue.updateIndicator(w.q, w.admin, ind.id, { ...ind, name: `${ind.name.replace(/ \(\d+\)$/, '')} (${step})` });
        publishOpenChange(w, 'indicator', ind.id);
        w.changes += 1;
      } else if (r < 0.85) {
        const loc = w.q.locations.getByCode(pick(['UKR', 'UA14', 'RU-BEL'])) ?? w.q.locations.list()[0];
        if (loc) {
          catalogue.updateLocation(w.q, w.admin, loc.id, { ...loc, name: `${loc.name.replace(/ \(\d+\)$/, '')} (${step})` });
          publishOpenChange(w, 'location', loc.id);
        }
        w.changes += 1;
      } else if (r < 0.9) await importCorrection(w, pick(live), `Corrected by import ${step}`);
      else {
        // A change lands while a paged pull is between its pages.
        await mirror.pull(() => {
          correct(w, 18, { value: 77_000 + step });
          addFigure(w);
        });
        continue;
      }
      if (step % 3 === 0) await mirror.pull();
    }
    await mirror.pull();
    const fresh = await freshExport(w.t.app, filter);
    expect(mirror.sorted()).toEqual(fresh);
    expect(fresh.length).toBeGreaterThan(0);
    // A since pull right after changes nothing: no rows.
    const again = await request(w.t.app).get(`/export/figures.csv?${filter}${filter ? '&' : ''}since=${mirror.token ?? ''}`).expect(200);
    expect(lines(again.text).rows).toEqual([]);
    process.stdout.write(`mirror "${filter}": ${w.changes} changes, ${mirror.pulls} pulls, ${fresh.length} rows equal\n`);
  });

  test('the API pulls at one position on every cursor page and its since pulls keep a JSON mirror exact', async () => {
    const w = world();
    const held = new Map<number, Record<string, unknown>>();
    let token: string | null = null;
    const pull = async (between?: () => void): Promise<void> => {
      let url: string | null = `/api/v1/figures?limit=5${token ? `&since=${token}` : ''}`;
      let first = true;
      let pageToken: string | null = null;
      while (url) {
        const res = await request(w.t.app).get(url).expect(200);
        const body = res.body as { data: Record<string, unknown>[]; meta: { next_cursor: string | null; sync_token: string } };
        if (pageToken) expect(body.meta.sync_token).toBe(pageToken);
        pageToken = body.meta.sync_token;
        expect(res.headers['sync-token']).toBe(pageToken);
        for (const row of body.data) {
          if (row.status === 'published') held.set(row.figure_id as number, row);
          else held.delete(row.figure_id as number);
        }
        url = body.meta.next_cursor ? `/api/v1/figures?limit=5${token ? `&since=${token}` : ''}&cursor=${body.meta.next_cursor}` : null;
        if (first && between) between();
        first = false;
      }
      token = pageToken;
    };
    await pull();
    await pull(() => {
      correct(w, 18, { value: 5 });
      retire(w, 2);
      addFigure(w);
    });
    renameSource(w, 1, 'A renamed document');
    // Writes by hand (SQL) take their positions too: the feed is kept by triggers.
    w.t.db.prepare("UPDATE locations SET name = 'Ukraine (renamed by hand)' WHERE code = 'UKR'").run();
    w.t.db.prepare('UPDATE figures SET notes = ? WHERE id = 4').run('corrected by hand');
    await pull();
    const fresh = (await request(w.t.app).get('/api/v1/figures?limit=10000').expect(200)).body as { data: Record<string, unknown>[] };
    expect([...held.values()].sort((a, b) => (a.figure_id as number) - (b.figure_id as number))).toEqual(fresh.data);
  });
});

describe('since and Sync-Token', () => {
  test('every export and API answer names its position; a since pull after a retirement returns a tombstone', async () => {
    const w = world();
    const full = await request(w.t.app).get('/export/figures.csv').expect(200);
    const token = full.headers['sync-token'] as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(full.headers['tally-contract-version']).toBe('3');
    const header = parseCsv(full.text)[0] as string[];
    expect(header.slice(24)).toEqual(['measure', 'source_id', 'version', 'attributed_to', 'disputed_by']);
    expect(parseCsv(full.text).slice(1).every((r) => ['running_total', 'period_count', 'level'].includes(r[24] ?? ''))).toBe(true);

    expect(lines((await request(w.t.app).get(`/export/figures.csv?since=${token}`).expect(200)).text).rows).toEqual([]);
    retire(w, 3);
    const since = parseCsv((await request(w.t.app).get(`/export/figures.csv?since=${token}`).expect(200)).text);
    expect(since).toHaveLength(2);
    expect(since[1]?.[0]).toBe('3');
    expect(since[1]?.[22]).toBe('retired');
    expect(since[1]?.slice(1, 22).every((c) => c === '')).toBe(true);
  });

  test('a draft or a pending change moves nothing; a figure leaving the filter is a withdrawn tombstone', async () => {
    const w = world();
    const token = (await request(w.t.app).get('/export/figures.csv?indicator=civilian_deaths').expect(200)).headers['sync-token'] as string;
    const id = w.t.db.prepare<[], { id: number }>("SELECT f.id FROM figures f JOIN indicators i ON i.id = f.indicator_id WHERE i.code = 'civilian_deaths' ORDER BY f.id LIMIT 1").get()?.id as number;
    const { fields, revision } = figures.currentContent(w.q, id);
    const injuries = w.q.indicators.getByCode('civilian_injuries')?.id as number;
    figures.saveFigure(w.q, w.editor, id, { ...fields, indicator_id: injuries }, { expectedRevisionId: revision });
    figures.createFigure(w.q, w.editor, { ...fields, value: 1 });
    expect(lines((await request(w.t.app).get(`/export/figures.csv?indicator=civilian_deaths&since=${token}`).expect(200)).text).rows).toEqual([]);
    figures.submitFigure(w.q, w.editor, id);
    figures.publishFigure(w.q, w.admin, id, null);
    const rows = parseCsv((await request(w.t.app).get(`/export/figures.csv?indicator=civilian_deaths&since=${token}`).expect(200)).text).slice(1);
    expect(rows.map((r) => [r[0], r[22]])).toEqual([[String(id), 'withdrawn']]);
  });

  test('every row of a paged pull is as of its first page: a change committed between pages waits for the next since pull', async () => {
    const w = world();
    const mirror = new Mirror(w.t.app, '', 4);
    const seen: string[] = [];
    const original = mirror.rows.set.bind(mirror.rows);
    mirror.rows.set = (id: number, line: string) => {
      seen.push(line);
      return original(id, line);
    };
    await mirror.pull(() => {
      correct(w, 18, { value: 77_777 });
      addFigure(w, { value: 88_888 });
    });
    expect(seen.some((l) => l.includes(',77777,') || l.includes(',88888,'))).toBe(false);
    expect(seen.some((l) => idOf(l) === 18)).toBe(false);
    seen.length = 0;
    await mirror.pull();
    const added = Math.max(...published(w));
    expect(seen.map(idOf).sort((a, b) => a - b)).toEqual([18, added]);
    expect(mirror.sorted()).toEqual(await freshExport(w.t.app, ''));
  });

  test('a bad token is a 400 that says so; a token of another database is a 410 saying to pull in full', async () => {
    const w = world();
    const bad = await request(w.t.app).get('/export/figures.csv?since=nonsense').expect(400);
    expect(bad.text).toContain('since must be a Sync-Token');
    const other = world();
    const foreign = (await request(other.t.app).get('/api/v1/figures').expect(200)).headers['sync-token'] as string;
    const gone = await request(w.t.app).get(`/api/v1/figures?since=${foreign}`).expect(410);
    expect((gone.body as { error: { message: string } }).error.message).toContain('pull the full export again');
    await request(w.t.app).get(`/export/figures.csv?since=${foreign}`).expect(410);
    // A restored backup gets a new identity: tokens of the database it was copied from are refused.
    const token = (await request(w.t.app).get('/export/figures.csv').expect(200)).headers['sync-token'] as string;
    w.q.changes.renewIdentity();
    await request(w.t.app).get(`/export/figures.csv?since=${token}`).expect(410);
  });

  test('a cached answer carries its Sync-Token; a change in the same second is never a 304 by If-Modified-Since', async () => {
    const w = world();
    const first = await request(w.t.app).get('/api/v1/figures').expect(200);
    const again = await request(w.t.app).get('/api/v1/figures').expect(200);
    expect(again.headers['sync-token']).toBe(first.headers['sync-token']);
    const lastModified = first.headers['last-modified'] as string;
    correct(w, 1, { value: 31 });
    const after = await request(w.t.app).get('/api/v1/figures').set('If-Modified-Since', lastModified).expect(200);
    expect(after.headers['sync-token']).not.toBe(first.headers['sync-token']);
    await request(w.t.app).get('/api/v1/figures').set('If-None-Match', after.headers.etag as string).expect(304);
  });

  test('updated_since refuses impossible dates and times without an offset', async () => {
    const { app } = createTestApp();
    for (const bad of ['2024-02-30', '2024-01-31T10:00:00', '2024-01-31T25:00:00Z']) {
      const res = await request(app).get(`/export/figures.csv?updated_since=${bad}`).expect(400);
      expect(res.text).toContain('updated_since must be a real date');
    }
    await request(app).get('/export/figures.csv?updated_since=2024-01-31').expect(200);
    await request(app).get('/export/figures.csv?updated_since=2024-01-31T10:00:00%2B02:00').expect(200);
  });
});
