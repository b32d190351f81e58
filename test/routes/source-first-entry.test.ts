import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app';
import { figureForm, staff, type Staff } from '../helpers/staff';

const post = (t: TestApp, who: Staff, fields: Record<string, string>) =>
  who.agent.post('/admin/figures').type('form').send({ _csrf: who.csrf, ...fields });

/** The ids of the sources the form offers as radio buttons, in order. */
function offeredSources(html: string): string[] {
  return [...html.matchAll(/<input type="radio" name="source_id" value="(\d+)"/g)].map((m) => m[1] ?? '');
}

function newSource(t: TestApp, title: string, publisher: string, url: string | null): number {
  return t.q.sources.create({ title, publisher, url, published_on: '2024-05-02', accessed_on: null, notes: null }, null);
}

describe('entering figures source first', () => {
  test("a source's page offers \"Add figures from this source\", which opens the form with that source chosen", async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const id = newSource(t, 'Kharkiv oblast bulletin, 1 May', 'Kharkiv Oblast Administration', 'https://example.org/kharkiv-1-may');
    // On the source's page (where saving a source leads) and on its edit form.
    for (const url of [`/admin/sources/${id}`, `/admin/sources/${id}/edit`]) {
      const page = await erin.agent.get(url).expect(200);
      expect(page.text).toContain(`<a class="button" href="/admin/figures/new?source=${id}">Add figures from this source</a>`);
    }
    const form = await erin.agent.get(`/admin/figures/new?source=${id}`).expect(200);
    expect(form.text).toContain('Adding figures from <strong>Kharkiv Oblast Administration: Kharkiv oblast bulletin, 1 May</strong>');
    expect(form.text).toContain(`<input type="radio" name="source_id" value="${id}" checked>`);
    expect(offeredSources(form.text)[0]).toBe(String(id));
    // No dropdown of every source any more.
    expect(form.text).not.toContain('<select id="f-source-id"');
  });

  test('"Save and add another" saves the draft and opens a form keeping source, originator, place, period and measure', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const source = newSource(t, 'Kharkiv oblast bulletin, 1 May', 'Kharkiv Oblast Administration', null);
    const location = t.q.locations.getByCode('UA63');
    const saved = await post(t, erin, figureForm(t, {
      source_id: String(source), location_id: String(location?.id), reported_by: 'Kharkiv OVA', period_kind: 'range',
      reference_period_start: '2024-04-01', reference_period_end: '2024-04-30', measure: 'period_count', value: '17', source_quote: '17 civilians killed in April', then: 'another',
    })).expect(303);
    const next = String(saved.headers.location);
    expect(next).toMatch(/^\/admin\/figures\/new\?/);
    const newest = t.q.staffFigures.list({ sourceId: source }, { limit: 5, offset: 0 });
    expect(newest).toHaveLength(1);
    expect(newest[0]).toMatchObject({ status: 'draft', value: 17 });

    const form = await erin.agent.get(next).expect(200);
    expect(form.text).toContain(`Draft figure ${newest[0]?.id} saved. This form keeps its source, originator, place, period and measure for the next one.`);
    expect(form.text).toContain(`<input type="radio" name="source_id" value="${source}" checked>`);
    expect(form.text).toContain('name="reported_by" type="text" value="Kharkiv OVA"');
    expect(form.text).toContain(`<option value="${location?.id}" selected>`);
    expect(form.text).toMatch(/value="range" checked/);
    expect(form.text).toContain('name="reference_period_start" type="text" value="2024-04-01"');
    expect(form.text).toContain('name="reference_period_end" type="text" value="2024-04-30"');
    expect(form.text).toContain('<option value="period_count" selected>');
    // What differs from one figure to the next starts empty.
    expect(form.text).toContain('name="value" type="text" value=""');
    expect(form.text).toMatch(/<textarea id="f-source-quote" name="source_quote"[^>]*><\/textarea>/);
    expect(form.text).toMatch(/<option value="" selected>— choose —<\/option>/);
  });

  test('sources are found by words of their title, publisher or web address, without saving anything', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const kharkiv = newSource(t, 'Kharkiv oblast bulletin, 1 May', 'Kharkiv Oblast Administration', 'https://example.org/kharkiv-1-may');
    const odesa = newSource(t, 'Odesa situation report', 'Odesa OVA', 'https://odesa.example.net/sitrep-14');
    const before = t.q.staffFigures.count({});

    const byTitle = await post(t, erin, { ...figureForm(t, { source_id: '' }), source_q: 'oblast bulletin', step: 'find-source' }).expect(200);
    expect(offeredSources(byTitle.text)).toEqual([String(kharkiv)]);
    expect(byTitle.text).toContain('name="source_q" type="search" value="oblast bulletin"');
    // Everything typed is still there.
    expect(byTitle.text).toContain('at least 42 civilians were killed in March');

    // Enter pressed in the search box without script: words typed and no source chosen is a search too.
    const byUrl = await post(t, erin, { ...figureForm(t, { source_id: '' }), source_q: 'odesa.example.net' }).expect(200);
    expect(offeredSources(byUrl.text)).toEqual([String(odesa)]);
    const byPublisher = await post(t, erin, { ...figureForm(t, { source_id: '' }), source_q: 'OVA sitrep', step: 'find-source' }).expect(200);
    expect(offeredSources(byPublisher.text)).toEqual([String(odesa)]);
    const none = await post(t, erin, { ...figureForm(t, { source_id: '' }), source_q: 'nothing-like-this', step: 'find-source' }).expect(200);
    expect(offeredSources(none.text)).toEqual([]);
    expect(none.text).toContain('No source has these words: try fewer, or describe a new source.');
    expect(t.q.staffFigures.count({})).toBe(before);

    // The script's suggestions are the same search, as JSON; staff only.
    const json = await erin.agent.get('/admin/figures/source-suggestions?q=kharkiv-1').expect(200);
    expect(json.body).toEqual([{ id: kharkiv, title: 'Kharkiv oblast bulletin, 1 May', publisher: 'Kharkiv Oblast Administration', url: 'https://example.org/kharkiv-1-may', published_on: '2024-05-02' }]);
    // % and _ are literal.
    expect((await erin.agent.get('/admin/figures/source-suggestions?q=%25').expect(200)).body).toEqual([]);
    await request(t.app).get('/admin/figures/source-suggestions?q=odesa').expect(302).expect('Location', /^\/login/);
  });

  test('a figure for the same indicator, place and an overlapping period asks to confirm, linking to the one that exists', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const first = await post(t, erin, figureForm(t)).expect(303);
    const firstId = Number(/(\d+)$/.exec(String(first.headers.location))?.[1]);
    const count = t.q.staffFigures.count({});

    // Overlapping (15 March to 15 April against March): warned, nothing saved, values kept.
    const overlap = { reference_period_start: '2024-03-15', reference_period_end: '2024-04-15', value: '50', source_quote: '50 killed', confirm_duplicate: '' };
    const warned = await post(t, erin, figureForm(t, overlap)).expect(200);
    expect(warned.text).toContain('Not saved yet: a figure for this indicator, place and an overlapping period already exists');
    expect(warned.text).toContain(`<a href="/admin/figures/${firstId}">Figure ${firstId}</a>: ≥ 42, 2024-03-01 – 2024-03-31, UN OCHA, from “`);
    expect(warned.text).toContain('name="value" type="text" value="50"');
    expect(warned.text).toContain('name="confirm_duplicate" value="yes"');
    expect(t.q.staffFigures.count({})).toBe(count);

    // Confirmed: saved.
    await post(t, erin, figureForm(t, { ...overlap, confirm_duplicate: 'yes' })).expect(303);
    expect(t.q.staffFigures.count({})).toBe(count + 1);
    // Another place, or a period that does not overlap, saves at once.
    await post(t, erin, figureForm(t, { reference_period_start: '2024-05-01', reference_period_end: '2024-05-31', confirm_duplicate: '' })).expect(303);
    const other = t.q.locations.getByCode('UA63');
    await post(t, erin, figureForm(t, { location_id: String(other?.id), confirm_duplicate: '' })).expect(303);
    expect(t.q.staffFigures.count({})).toBe(count + 3);
  });
});
