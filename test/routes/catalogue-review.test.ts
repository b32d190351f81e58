/**
 * Attribution passes four eyes: an edit of a source, indicator or place that
 * published figures name is a change for review, published by a second
 * person; a source is public only once a published figure cites it.
 */
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app';
import { parseCsv } from '../helpers/csv';
import { figureForm, staff, type Staff } from '../helpers/staff';

/** A seeded source that published figures cite, and those figures' ids. */
function citedSource(t: TestApp): { id: number; title: string; figures: number[] } {
  const row = t.db
    .prepare<[], { id: number; title: string }>(
      "SELECT s.id, s.title FROM sources s WHERE EXISTS (SELECT 1 FROM figures f WHERE f.source_id = s.id AND f.status = 'published') ORDER BY s.id LIMIT 1",
    )
    .get();
  if (!row) throw new Error('the seed has no cited source');
  const figures = t.db
    .prepare<[number], { id: number }>("SELECT id FROM figures WHERE source_id = ? AND status = 'published' ORDER BY id")
    .all(row.id)
    .map((r) => r.id);
  return { ...row, figures };
}

function sourceForm(t: TestApp, id: number, overrides: Record<string, string>): Record<string, string> {
  const s = t.q.sources.getById(id);
  if (!s) throw new Error('no source');
  return {
    title: s.title,
    publisher: s.publisher,
    url: s.url ?? '',
    published_on: s.published_on ?? '',
    accessed_on: s.accessed_on ?? '',
    notes: s.notes ?? '',
    ...overrides,
  };
}

const csvRows = (text: string): string[][] => parseCsv(text).slice(1);

function post(who: Staff, url: string, form: Record<string, string> = {}) {
  return who.agent.post(url).type('form').send({ _csrf: who.csrf, ...form });
}

describe('a change to a source that published figures cite', () => {
  test('is proposed, stays off every public read, and reaches them and the change feed only when a second person publishes it', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const ada = await staff(t, 'ada', 'admin');
    const source = citedSource(t);
    const newTitle = 'Corrected title of the document';
    const figure = source.figures[0] as number;

    // A mirror holds the published data at this token.
    const full = await request(t.app).get('/export/figures.csv').expect(200);
    const token = full.headers['sync-token'] as string;
    expect(token).toBeTruthy();

    const saved = await post(erin, `/admin/sources/${source.id}`, sourceForm(t, source.id, { title: newTitle })).expect(303);
    expect(saved.headers.location).toBe(`/admin/sources/${source.id}`);
    const page = (await erin.agent.get(`/admin/sources/${source.id}`).expect(200)).text;
    expect(page).toContain('change proposed for review');
    expect(page).toContain('Change awaiting review');
    expect(page).toMatch(new RegExp(`<th scope="row">Title</th><td>${source.title}</td><td>${newTitle}</td>`));
    // Erin may not publish: the page offers her no publish form, and the route refuses her.
    expect(page).not.toContain('/publish"');
    const change = t.q.catalogueChanges.getOpen('source', source.id);
    expect(change?.status).toBe('submitted');
    await post(erin, `/admin/changes/${change?.id}/publish`).expect(403);

    // Nothing public moved: the source, the figure page, the API, the export, and a since pull.
    expect(t.q.sources.getById(source.id)?.title).toBe(source.title);
    expect((await request(t.app).get(`/figures/${figure}`).expect(200)).text).not.toContain(newTitle);
    expect((await request(t.app).get(`/sources/${source.id}`).expect(200)).text).not.toContain(newTitle);
    expect(JSON.stringify((await request(t.app).get('/api/v1/sources').expect(200)).body)).not.toContain(newTitle);
    const before = await request(t.app).get(`/export/figures.csv?since=${encodeURIComponent(token)}`).expect(200);
    expect(csvRows(before.text)).toEqual([]);
    expect(before.text).not.toContain(newTitle);

    // The review queue shows it beside figure changes, before → after, by name.
    const queue = (await ada.agent.get('/admin').expect(200)).text;
    expect(queue).toContain('Changes to sources, indicators and places awaiting review (1)');
    expect(queue).toContain(`href="/admin/sources/${source.id}"`);
    expect(queue).toMatch(new RegExp(`<th scope="row">Title</th><td>${source.title}</td><td>${newTitle}</td>`));

    await post(ada, `/admin/changes/${change?.id}/publish`, { reason: '' }).expect(303);

    expect(t.q.sources.getById(source.id)?.title).toBe(newTitle);
    expect((await request(t.app).get(`/figures/${figure}`).expect(200)).text).toContain(newTitle);
    const listed = (await request(t.app).get('/api/v1/sources').expect(200)).body as { data: { id: number; title: string }[] };
    expect(listed.data.find((s) => s.id === source.id)?.title).toBe(newTitle);
    // The mirror's since pull now carries every figure citing the source, with the new title.
    const after = await request(t.app).get(`/export/figures.csv?since=${encodeURIComponent(token)}`).expect(200);
    const header = parseCsv(after.text)[0] as string[];
    const rows = csvRows(after.text);
    expect(rows.map((r) => Number(r[0])).sort((a, b) => a - b)).toEqual(source.figures);
    for (const r of rows) expect(r[header.indexOf('source_title')]).toBe(newTitle);
    expect(after.headers['sync-token']).not.toBe(token);

    // History: on the source's admin page and in the audit log, who proposed, who published, what changed.
    const history = (await erin.agent.get(`/admin/sources/${source.id}`).expect(200)).text;
    expect(history).toContain(`Change ${change?.id}: published`);
    expect(history).toMatch(/erin · proposed/);
    expect(history).toMatch(/ada · published/);
    expect(history).toMatch(new RegExp(`<th scope="row">Title</th><td>${source.title}</td><td>${newTitle}</td>`));
    const audit = (await ada.agent.get('/admin/audit?type=source').expect(200)).text;
    expect(audit).toContain(`<a href="/admin/sources/${source.id}">${source.id}</a>`);
    expect(audit).toMatch(new RegExp(`<td>ada</td>\\s*<td>publish</td>\\s*<td>source</td>[\\s\\S]*?<th scope="row">title</th><td>${source.title}</td><td>${newTitle}</td>`));
    expect(audit).toMatch(new RegExp(`<td>erin</td>\\s*<td>propose</td>\\s*<td>source</td>[\\s\\S]*?<th scope="row">title</th><td>${source.title}</td><td>${newTitle}</td>`));
  });

  test('whoever proposed it cannot publish it alone: refused with a clear message, unless they say why', async () => {
    const t = createTestApp();
    const ada = await staff(t, 'ada', 'admin');
    const source = citedSource(t);
    await post(ada, `/admin/sources/${source.id}`, sourceForm(t, source.id, { publisher: 'Another publisher' })).expect(303);
    const change = t.q.catalogueChanges.getOpen('source', source.id);

    const refused = await post(ada, `/admin/changes/${change?.id}/publish`, { reason: '' }).expect(400);
    expect(refused.text).toContain('You made the last edit: someone else should publish it. To publish it yourself, say why.');
    expect(refused.text).toContain('id="f-reason-error"');
    expect(t.q.sources.getById(source.id)?.publisher).not.toBe('Another publisher');

    await post(ada, `/admin/changes/${change?.id}/publish`, { reason: 'The second admin is away; the publisher was misspelt' }).expect(303);
    expect(t.q.sources.getById(source.id)?.publisher).toBe('Another publisher');
    const page = (await ada.agent.get(`/admin/sources/${source.id}`).expect(200)).text;
    expect(page).toContain('Published by the person who proposed it. Reason: The second admin is away; the publisher was misspelt');
  });

  test('sent back with a comment the proposer sees; answering it submits it again; a withdrawn change stays in history', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const ada = await staff(t, 'ada', 'admin');
    const source = citedSource(t);
    await post(erin, `/admin/sources/${source.id}`, sourceForm(t, source.id, { url: 'https://example.org/moved' })).expect(303);
    const change = t.q.catalogueChanges.getOpen('source', source.id);

    const empty = await post(ada, `/admin/changes/${change?.id}/send-back`, { comment: '' }).expect(400);
    expect(empty.text).toContain('Required: tell the proposer what to change');
    await post(ada, `/admin/changes/${change?.id}/send-back`, { comment: 'This address is the press release, not the report.' }).expect(303);
    expect(t.q.catalogueChanges.getById(change?.id ?? 0)?.status).toBe('sent_back');
    await post(ada, `/admin/changes/${change?.id}/publish`).expect(409);

    const dashboard = (await erin.agent.get('/admin').expect(200)).text;
    expect(dashboard).toContain('Changes sent back to you (1)');
    expect(dashboard).toContain('This address is the press release, not the report.');
    const form = (await erin.agent.get(`/admin/sources/${source.id}/edit`).expect(200)).text;
    expect(form).toContain('This address is the press release, not the report.');
    expect(form).toContain('value="https://example.org/moved"');
    expect(form).toContain('Propose change');

    await post(erin, `/admin/sources/${source.id}`, sourceForm(t, source.id, { url: 'https://example.org/report.pdf' })).expect(303);
    const again = t.q.catalogueChanges.getById(change?.id ?? 0);
    expect(again?.status).toBe('submitted');
    expect(again?.after.url).toBe('https://example.org/report.pdf');
    const page = (await ada.agent.get(`/admin/sources/${source.id}`).expect(200)).text;
    expect(page).toContain('ada · sent back: “This address is the press release, not the report.”');
    expect(page).toContain('erin · edited the proposal');

    // Another editor cannot withdraw it; its proposer can.
    const ed = await staff(t, 'ed', 'editor');
    expect((await post(ed, `/admin/changes/${change?.id}/withdraw`).expect(403)).text).toContain('Only whoever proposed this change, or an admin, withdraws it.');
    await post(erin, `/admin/changes/${change?.id}/withdraw`).expect(303);
    expect(t.q.catalogueChanges.getOpen('source', source.id)).toBeUndefined();
    expect(t.q.sources.getById(source.id)?.url).not.toBe('https://example.org/report.pdf');
    expect((await erin.agent.get(`/admin/sources/${source.id}`).expect(200)).text).toContain(`Change ${change?.id}: withdrawn`);
  });

  test('a second proposal waits while the first is open, and the form shows what is proposed, not what is published', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const source = citedSource(t);
    await post(erin, `/admin/sources/${source.id}`, sourceForm(t, source.id, { notes: 'First note' })).expect(303);
    await post(erin, `/admin/sources/${source.id}`, sourceForm(t, source.id, { notes: 'Second note' })).expect(303);
    expect(t.q.catalogueChanges.listForEntity('source', source.id)).toHaveLength(1);
    expect(t.q.catalogueChanges.getOpen('source', source.id)?.after.notes).toBe('Second note');
    // Bad input comes back beside its field with what was typed.
    const bad = await post(erin, `/admin/sources/${source.id}`, sourceForm(t, source.id, { url: 'ftp://x', title: 'Typed title' })).expect(400);
    expect(bad.text).toContain('id="f-url-error"');
    expect(bad.text).toContain('value="Typed title"');
  });
});

describe('a change to an indicator or place that published figures name', () => {
  test('a place move is reviewed with names, not ids; once a second admin publishes it, mirrors filtered by the old parent withdraw its figures', async () => {
    const t = createTestApp();
    const ada = await staff(t, 'ada', 'admin');
    const rita = await staff(t, 'rita', 'admin');
    const placeId = t.db
      .prepare<[], { id: number }>("SELECT l.id FROM locations l WHERE l.admin_level = 1 AND EXISTS (SELECT 1 FROM figures f WHERE f.location_id = l.id AND f.status = 'published') ORDER BY l.id LIMIT 1")
      .get()?.id;
    const place = t.q.locations.getById(placeId ?? 0);
    const newParent = t.q.locations.list().find((l) => l.admin_level === (place?.admin_level ?? 1) - 1 && l.id !== place?.parent_id);
    const oldParent = t.q.locations.getById(place?.parent_id ?? 0);
    if (!place || !newParent || !oldParent) throw new Error('the seed lacks the places this test needs');
    await post(ada, `/admin/locations/${place.id}`, { name: place.name, admin_level: String(place.admin_level), parent_id: String(newParent.id) }).expect(303);
    expect(t.q.locations.getById(place.id)?.parent_id).toBe(oldParent.id);

    const queue = (await rita.agent.get('/admin').expect(200)).text;
    expect(queue).toContain(`Change to the place ${place.name} (${place.code})`);
    expect(queue).toContain(`<th scope="row">Part of</th><td>${oldParent.name} (${oldParent.code})</td><td>${newParent.name} (${newParent.code})</td>`);

    // A mirror of the old parent's figures, with the places below it.
    const filter = `location=${encodeURIComponent(oldParent.code)}&include_children=1`;
    const mirrored = await request(t.app).get(`/export/figures.csv?${filter}`).expect(200);
    const token = encodeURIComponent(mirrored.headers['sync-token'] as string);
    const moved = t.db
      .prepare<[number], { id: number }>("SELECT id FROM figures WHERE location_id = ? AND status = 'published' ORDER BY id")
      .all(place.id)
      .map((r) => r.id);
    expect(csvRows(mirrored.text).map((r) => Number(r[0]))).toEqual(expect.arrayContaining(moved));
    expect(csvRows((await request(t.app).get(`/export/figures.csv?${filter}&since=${token}`).expect(200)).text)).toEqual([]);

    const change = t.q.catalogueChanges.getOpen('location', place.id);
    await post(rita, `/admin/changes/${change?.id}/publish`).expect(303);
    expect(t.q.locations.getById(place.id)).toMatchObject({ name: place.name, parent_id: newParent.id });
    // The place left the filter: the mirror's since pull withdraws its figures.
    const pulled = csvRows((await request(t.app).get(`/export/figures.csv?${filter}&since=${token}`).expect(200)).text);
    expect(pulled.filter((r) => r[22] === 'withdrawn').map((r) => Number(r[0])).sort((a, b) => a - b)).toEqual(moved);
  });

  test('an indicator rename waits for a second admin; an editor cannot propose one', async () => {
    const t = createTestApp();
    const ada = await staff(t, 'ada', 'admin');
    const rita = await staff(t, 'rita', 'admin');
    const erin = await staff(t, 'erin', 'editor');
    const ind = t.q.indicators.getByCode('civilian_deaths');
    if (!ind) throw new Error('no indicator');
    const form = { name: 'Civilian deaths, renamed', description: ind.description ?? '', unit: ind.unit, aggregation: ind.aggregation, hxl_hashtag: ind.hxl_hashtag };
    await post(erin, `/admin/indicators/${ind.id}`, form).expect(403);
    await post(ada, `/admin/indicators/${ind.id}`, form).expect(303);
    expect((await request(t.app).get('/indicators').expect(200)).text).not.toContain('Civilian deaths, renamed');
    const change = t.q.catalogueChanges.getOpen('indicator', ind.id);
    await post(ada, `/admin/changes/${change?.id}/publish`).expect(400);
    await post(rita, `/admin/changes/${change?.id}/publish`).expect(303);
    expect((await request(t.app).get('/indicators').expect(200)).text).toContain('Civilian deaths, renamed');
    expect((await request(t.app).get('/export/figures.csv?indicator=civilian_deaths').expect(200)).text).toContain('Civilian deaths, renamed');
  });
});

describe('a source no published figure cites', () => {
  test('is invisible to anonymous readers on every public page and API until a published figure cites it; staff see and use it', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const ada = await staff(t, 'ada', 'admin');
    const title = 'Unreleased situation report 99';
    await post(erin, '/admin/sources', { title, publisher: 'Secret Office', url: 'https://example.org/sitrep-99' }).expect(303);
    const id = t.q.sources.getByUrl('https://example.org/sitrep-99')?.id as number;
    expect(id).toBeGreaterThan(0);

    const anonymous = async (visible: boolean): Promise<void> => {
      const list = (await request(t.app).get('/sources').expect(200)).text;
      expect([visible, list.includes(title)]).toEqual([visible, visible]);
      await request(t.app).get(`/sources/${id}`).expect(visible ? 200 : 404);
      const api = JSON.stringify((await request(t.app).get('/api/v1/sources').expect(200)).body);
      expect([visible, api.includes(title)]).toEqual([visible, visible]);
      await request(t.app).get(`/export/figures.csv?source=${id}`).expect(visible ? 200 : 400);
      await request(t.app).get(`/api/v1/figures?source=${id}`).expect(visible ? 200 : 400);
      for (const path of ['/', '/figures', '/indicators', '/topics', '/compare', '/export/figures.csv', '/api/v1/figures']) {
        const body = (await request(t.app).get(path).expect(200)).text;
        expect([path, visible || !body.includes(title)]).toEqual([path, true]);
      }
    };

    await anonymous(false);
    // Staff see it, and its page says readers do not.
    expect((await erin.agent.get(`/sources/${id}`).expect(200)).text).toContain('Only staff see this page');
    expect((await erin.agent.get('/admin/figures/new').expect(200)).text).toContain(title);
    // An edit of it changes nothing public: it applies at once.
    await post(erin, `/admin/sources/${id}`, sourceForm(t, id, { notes: 'Embargoed until release' })).expect(303);
    expect(t.q.sources.getById(id)?.notes).toBe('Embargoed until release');
    expect(t.q.catalogueChanges.listForEntity('source', id)[0]?.status).toBe('applied');

    // A draft citing it keeps it hidden; publishing the figure makes it public.
    const created = await post(erin, '/admin/figures', figureForm(t, { source_id: String(id), source_quote: 'at least 42 civilians were killed in March' })).expect(303);
    const figureId = Number(/(\d+)$/.exec(String(created.headers.location))?.[1]);
    await post(erin, `/admin/figures/${figureId}/submit`).expect(303);
    await anonymous(false);
    await post(ada, `/admin/figures/${figureId}/publish`).expect(303);
    await anonymous(true);
    expect((await request(t.app).get(`/figures/${figureId}`).expect(200)).text).toContain(title);

    // From now on an edit of it is reviewed.
    await post(erin, `/admin/sources/${id}`, sourceForm(t, id, { title: 'Situation report 99' })).expect(303);
    expect(t.q.sources.getById(id)?.title).toBe(title);
    expect(t.q.catalogueChanges.getOpen('source', id)?.status).toBe('submitted');
  });

  test('a figure history names a source readers cannot see only as not yet public', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const source = citedSource(t);
    const figure = source.figures[0] as number;
    const title = 'A draft-only source';
    await post(erin, '/admin/sources', { title, publisher: 'Nobody', url: 'https://example.org/draft-only' }).expect(303);
    const hidden = t.q.sources.getByUrl('https://example.org/draft-only')?.id as number;
    // A pending change of a published figure cites the hidden source: its history shows staff the name, readers nothing of it.
    const edit = (await erin.agent.get(`/admin/figures/${figure}/edit`).expect(200)).text;
    const revision = /name="revision" value="(\d+)"/.exec(edit)?.[1] ?? '';
    const row = t.q.figureEdits.getRow(figure);
    if (!row) throw new Error('no figure');
    const form: Record<string, string> = {};
    for (const [k, v] of Object.entries(row)) form[k] = v === null ? '' : String(v);
    await post(erin, `/admin/figures/${figure}`, { ...form, period_kind: 'range', source_id: String(hidden), revision }).expect(303);
    expect((await erin.agent.get(`/figures/${figure}/history`).expect(200)).text).toContain(title);
    expect((await request(t.app).get(`/figures/${figure}/history`).expect(200)).text).not.toContain(title);
  });
});
