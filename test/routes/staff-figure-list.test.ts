import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app';
import { figureForm, staff, type Staff } from '../helpers/staff';

async function createDraft(t: TestApp, who: Staff, overrides: Record<string, string> = {}): Promise<number> {
  const res = await who.agent.post('/admin/figures').type('form').send({ _csrf: who.csrf, ...figureForm(t, overrides) }).expect(303);
  return Number(/\/admin\/figures\/(\d+)$/.exec(String(res.headers.location))?.[1]);
}

/** The ids of the figures a list page shows, in order. */
function listed(html: string): number[] {
  return [...html.matchAll(/name="ids" value="(\d+)"/g)].map((m) => Number(m[1]));
}

const bulk = (who: Staff, body: Record<string, string | string[]>) =>
  who.agent.post('/admin/figures/bulk').type('form').send({ _csrf: who.csrf, return_to: '/admin/figures', ...body });

/** The flash message a redirect leads to. */
async function flashAfter(who: Staff, res: { headers: Record<string, unknown> }): Promise<string> {
  const page = await who.agent.get(String(res.headers.location)).expect(200);
  const notice = /<div class="notice notice-(?:success|error)" role="status">([\s\S]*?)<\/div>/.exec(page.text);
  return (notice?.[1] ?? '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
}

describe('the staff figure list', () => {
  test('shows every figure whatever its status, another editor\'s drafts included, 50 a page', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const bo = await staff(t, 'bo', 'editor');
    const ada = await staff(t, 'ada', 'admin');
    const draft = await createDraft(t, erin, { source_quote: 'erin draft quote' });
    // More than a page in all: the demo's figures and these drafts.
    const more = 60 - t.q.figures.countAll();
    for (let i = 0; i < more; i++) await createDraft(t, bo, { value: String(1000 + i) });
    await ada.agent.post(`/admin/figures/1/retire`).type('form').send({ _csrf: ada.csrf, retired_reason: 'Superseded' }).expect(303);

    const first = await bo.agent.get('/admin/figures').expect(200);
    const total = t.q.figures.countAll();
    expect(total).toBeGreaterThan(50);
    expect(first.text).toContain(`${total} figures, page 1 of 2`);
    expect(listed(first.text)).toHaveLength(50);
    // Most recently edited first: the retirement first; erin's draft is on the list too.
    expect(listed(first.text)[0]).toBe(1);
    expect(listed(first.text)).toContain(draft);
    expect(first.text).toMatch(/Retired<br><small>Superseded<\/small>/);
    expect(first.text).toContain('>Draft<');

    expect(first.text).toContain('href="/admin/figures?page=2" rel="next"');
    const second = await bo.agent.get('/admin/figures?page=2').expect(200);
    expect(listed(second.text)).toHaveLength(total - 50);
    expect(listed(second.text).some((id) => listed(first.text).includes(id))).toBe(false);
  });

  test('the admin page links to it; a visitor is sent to sign in', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    expect((await erin.agent.get('/admin').expect(200)).text).toContain('<a href="/admin/figures">All figures</a>');
    const anon = await request(t.app).get('/admin/figures?status=draft').expect(302);
    expect(String(anon.headers.location)).toMatch(/^\/login\?next=/);
  });

  test('q finds words in the quote, notes, source title, place and indicator names; % and _ are literal', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const quoted = await createDraft(t, erin, { source_quote: 'the zebracrossing report counts 42' });
    const noted = await createDraft(t, erin, { notes: 'ratio 50%_off here' });
    const find = async (q: string): Promise<number[]> => listed((await erin.agent.get(`/admin/figures?q=${encodeURIComponent(q)}`).expect(200)).text);

    expect(await find('ZEBRACROSSING')).toEqual([quoted]);
    expect(await find('50%_off')).toEqual([noted]);
    // Unescaped, "%_" would match every figure with a character after a percent sign (the demo has several).
    expect(await find('%_')).toEqual([noted]);
    expect(await find('0_o')).toEqual([]);
    // Place and indicator names; every word must match somewhere.
    const kharkiv = t.q.locations.getByCode('UA63');
    const byPlace = await find(kharkiv?.name ?? '?');
    expect(byPlace.length).toBeGreaterThan(0);
    expect(await find(`${kharkiv?.name ?? '?'} zebracrossing`)).toEqual([]);
    const source = t.q.sources.listForPicker()[0];
    expect(await find(source?.title ?? '?')).toContain(quoted);
    // The typed search is kept in its field.
    expect((await erin.agent.get('/admin/figures?q=zebra%22x').expect(200)).text).toContain('name="q" value="zebra&#34;x"');
  });

  test('filters by status, editor, source, indicator, place and verification, kept in the URL and the form', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const bo = await staff(t, 'bo', 'editor');
    const ada = await staff(t, 'ada', 'admin');
    const erins = await createDraft(t, erin, { verification: 'disputed' });
    const bos = await createDraft(t, bo);
    const submitted = await createDraft(t, bo);
    await bo.agent.post(`/admin/figures/${submitted}/submit`).type('form').send({ _csrf: bo.csrf }).expect(303);
    await ada.agent.post('/admin/figures/2/retire').type('form').send({ _csrf: ada.csrf, retired_reason: 'Wrong place' }).expect(303);
    const get = async (qs: string) => (await ada.agent.get(`/admin/figures?${qs}`).expect(200)).text;

    expect(listed(await get('status=draft'))).toEqual([bos, erins]);
    expect(listed(await get('status=submitted'))).toEqual([submitted]);
    expect(listed(await get('status=retired'))).toEqual([2]);
    expect(listed(await get('status=draft&editor=erin'))).toEqual([erins]);
    expect(listed(await get('editor=bo'))).toEqual([submitted, bos]);
    expect(listed(await get('verification=disputed&status=draft'))).toEqual([erins]);
    const form = figureForm(t);
    const bySource = listed(await get(`source=${form.source_id}`));
    expect(bySource).toEqual(expect.arrayContaining([erins, bos, submitted]));
    const indicator = t.q.indicators.getById(Number(form.indicator_id));
    const byBoth = await get(`indicator=${indicator?.code}&location=UA14&status=draft`);
    expect(listed(byBoth)).toEqual([bos, erins]);
    expect(byBoth).toContain(`<option value="${indicator?.code}" selected>`);
    expect(byBoth).toContain('<option value="UA14" selected>');
    expect(byBoth).toContain('<option value="draft" selected>');

    await ada.agent.get('/admin/figures?status=lost').expect(400);
    await ada.agent.get('/admin/figures?editor=nobody').expect(400);
    await ada.agent.get('/admin/figures?source=abc').expect(400);
  });
});

describe('bulk actions on the staff figure list', () => {
  test('an editor submits several drafts at once; the admin publishes them, refusing the ones they edited last by name', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const ada = await staff(t, 'ada', 'admin');
    const drafts = [await createDraft(t, erin), await createDraft(t, erin), await createDraft(t, erin)];
    const adas = await createDraft(t, ada);
    await ada.agent.post(`/admin/figures/${adas}/submit`).type('form').send({ _csrf: ada.csrf }).expect(303);

    const submitted = await bulk(erin, { action: 'submit', ids: drafts.map(String) }).expect(303);
    expect(await flashAfter(erin, submitted)).toBe('Submitted: 3 figures.');

    const published = await bulk(ada, { action: 'publish', ids: [...drafts, adas].map(String) }).expect(303);
    const message = await flashAfter(ada, published);
    expect(message).toContain('Published: 3 figures. Not done for 1 figure:');
    expect(message).toContain(`Figure ${adas} (`);
    expect(message).toContain('You made the last edit: someone else should publish it.');
    for (const id of drafts) expect(t.q.figureEdits.getRow(id)?.status).toBe('published');
    expect(t.q.figureEdits.getRow(adas)?.status).toBe('draft');
    // Each figure has its own history: one publish revision each.
    for (const id of drafts) expect(t.q.figures.revisions(id).map((r) => r.action)).toEqual(['create', 'submit', 'publish']);
  });

  test('an editor may only submit: publishing, sending back and retiring in bulk are refused', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const id = await createDraft(t, erin);
    await erin.agent.post(`/admin/figures/${id}/submit`).type('form').send({ _csrf: erin.csrf }).expect(303);
    for (const action of ['publish', 'send_back', 'retire']) {
      await bulk(erin, { action, ids: [String(id)], note: 'x' }).expect(403);
    }
    expect(t.q.figureEdits.getRow(id)?.status).toBe('draft');
    const page = await erin.agent.get('/admin/figures').expect(200);
    expect(page.text).toContain('<option value="submit"');
    expect(page.text).not.toContain('<option value="publish"');
  });

  test('sending back needs a comment, kept in each history; the ticked boxes are kept when it is missing', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const ada = await staff(t, 'ada', 'admin');
    const ids = [await createDraft(t, erin), await createDraft(t, erin)];
    await bulk(erin, { action: 'submit', ids: ids.map(String) }).expect(303);

    const missing = await bulk(ada, { action: 'send_back', ids: ids.map(String), note: ' ' }).expect(400);
    expect(missing.text).toContain('Required to send back');
    for (const id of ids) expect(missing.text).toContain(`value="${id}" id="pick-${id}" checked`);

    const sent = await bulk(ada, { action: 'send_back', ids: ids.map(String), note: 'Quotes need the page number.' }).expect(303);
    expect(await flashAfter(ada, sent)).toBe('Sent back: 2 figures.');
    for (const id of ids) {
      expect(t.q.figureEdits.getRow(id)?.submitted_at).toBeNull();
      expect(t.q.figures.revisions(id).at(-1)).toMatchObject({ action: 'send_back', note: 'Quotes need the page number.' });
    }
  });

  test('retiring needs a reason; a figure that is not published is named and left as it is', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const ada = await staff(t, 'ada', 'admin');
    const draft = await createDraft(t, erin);
    await bulk(ada, { action: 'retire', ids: ['1', '2'], note: '' }).expect(400);
    const res = await bulk(ada, { action: 'retire', ids: ['1', '2', String(draft)], note: 'Superseded by the May report' }).expect(303);
    const message = await flashAfter(ada, res);
    expect(message).toContain('Retired: 2 figures. Not done for 1 figure:');
    expect(message).toContain(`Figure ${draft} (`);
    expect(message).toContain('Only a published figure can be retired.');
    expect(t.q.figureEdits.getRow(1)).toMatchObject({ status: 'retired', retired_reason: 'Superseded by the May report' });
    expect(listed((await ada.agent.get('/admin/figures?status=retired').expect(200)).text).sort()).toEqual([1, 2]);
  });

  test('the list comes back with its filters after a bulk action; nothing ticked is an error beside the boxes', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const id = await createDraft(t, erin);
    const res = await bulk(erin, { action: 'submit', ids: [String(id)], return_to: '/admin/figures?status=draft&editor=erin' }).expect(303);
    expect(res.headers.location).toBe('/admin/figures?status=draft&editor=erin');
    const offsite = await bulk(erin, { action: 'submit', ids: [String(id)], return_to: 'https://evil.example/' }).expect(303);
    expect(offsite.headers.location).toBe('/admin/figures');
    const none = await bulk(erin, { action: 'submit' }).expect(400);
    expect(none.text).toContain('Tick at least one figure.');
    await bulk(erin, { action: 'delete', ids: [String(id)] }).expect(400);
    await erin.agent.post('/admin/figures/bulk').type('form').send({ action: 'submit', ids: String(id) }).expect(403);
  });
});
