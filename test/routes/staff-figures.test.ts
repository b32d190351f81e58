import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app';
import { figureForm, staff, tokenIn, type Staff } from '../helpers/staff';

async function createDraft(t: TestApp, who: Staff, overrides: Record<string, string> = {}): Promise<number> {
  const res = await who.agent.post('/admin/figures').type('form').send({ _csrf: who.csrf, ...figureForm(t, overrides) }).expect(303);
  return Number(/\/admin\/figures\/(\d+)$/.exec(String(res.headers.location))?.[1]);
}

async function revisionToken(who: Staff, id: number): Promise<string> {
  const form = await who.agent.get(`/admin/figures/${id}/edit`).expect(200);
  const match = /name="revision" value="(\d+)"/.exec(form.text);
  if (!match?.[1]) throw new Error('no revision token in the form');
  return match[1];
}

const submit = (who: Staff, id: number) => who.agent.post(`/admin/figures/${id}/submit`).type('form').send({ _csrf: who.csrf });
const publish = (who: Staff, id: number, reason = '') => who.agent.post(`/admin/figures/${id}/publish`).type('form').send({ _csrf: who.csrf, reason });

function actions(t: TestApp, id: number): string[] {
  return t.q.figures.revisions(id).map((r) => r.action);
}

describe('figure form validation', () => {
  const rules: [Record<string, string>, string, string][] = [
    [{ value: '-5' }, 'value', 'Must be a whole number of 0 or more'],
    [{ value: '12.5' }, 'value', 'Must be a whole number of 0 or more'],
    [{ value: '' }, 'value', 'Required.'],
    [{ value: '10', value_low: '11' }, 'value-low', 'Must not be more than the value (10).'],
    [{ value: '10', value_high: '9' }, 'value-high', 'Must not be less than the value (10).'],
    [{ reference_period_start: '2024-03-10', reference_period_end: '2024-03-01' }, 'reference-period-end', 'Must be on or after the start date (2024-03-10).'],
    [{ reference_period_start: '2024-02-30' }, 'reference-period-start', 'Must be a real date'],
    [{ reference_period_end: 'yesterday' }, 'reference-period-end', 'Must be a real date'],
    [{ verification: 'claimed', claimed_by: '' }, 'claimed-by', 'Required when the figure is a claim'],
    [{ reported_by: 'x'.repeat(201) }, 'reported-by', 'At most 200 characters.'],
    [{ source_quote: '   ' }, 'source-quote', 'Required.'],
    [{ notes: 'n'.repeat(5001) }, 'notes', 'At most 5000 characters.'],
    [{ qualifier: 'roughly' }, 'qualifier', 'Choose a qualifier: exact, about, at_least, more_than, at_most, up_to.'],
    [{ indicator_id: '9999' }, 'indicator-id', 'Choose an indicator from the list.'],
    [{ source_id: 'new', new_source_title: 'A report', new_source_publisher: 'UN', new_source_url: 'javascript:alert(1)' }, 'new-source-url', 'Must be a web address starting with http:// or https://'],
    [{ source_id: 'new', new_source_title: '', new_source_publisher: 'UN' }, 'new-source-title', 'Required.'],
  ];
  test.each(rules.map(([overrides, field, message]) => [field, message, overrides] as const))('%s: "%s" beside the field, nothing saved', async (field, message, overrides) => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const before = t.q.figures.countAll();
    const res = await erin.agent.post('/admin/figures').type('form').send({ _csrf: erin.csrf, ...figureForm(t, overrides) }).expect(400);
    const errorBlock = new RegExp(`id="f-${field}-error"><span class="visually-hidden">Error: </span>([^<]*)`).exec(res.text);
    expect(errorBlock?.[1]).toContain(message.replace(/"/g, '&#34;'));
    expect(t.q.figures.countAll()).toBe(before);
  });

  test('several errors come back at once and every typed value is kept', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const typed = figureForm(t, {
      value: '10', value_low: '20', value_high: '5', reference_period_end: '2023-01-01',
      reported_by: 'Ministry of <Health>', verification: 'claimed', claimed_by: '', source_quote: 'said "ten" & more', notes: 'my notes',
    });
    const res = await erin.agent.post('/admin/figures').type('form').send({ _csrf: erin.csrf, ...typed }).expect(400);
    for (const field of ['value-low', 'value-high', 'reference-period-end', 'claimed-by']) expect(res.text).toContain(`id="f-${field}-error"`);
    expect(res.text).toContain('value="Ministry of &lt;Health&gt;"');
    expect(res.text).toContain('said &#34;ten&#34; &amp; more</textarea>');
    expect(res.text).toContain('my notes</textarea>');
    expect(res.text).toContain('id="f-value-low" name="value_low" type="text" value="20"');
    expect(res.text).toContain('id="f-value-high" name="value_high" type="text" value="5"');
    expect(res.text).toContain('value="2023-01-01"');
    expect(res.text).toMatch(/<option value="claimed" selected>/);
    expect(res.text).toMatch(/<option value="at_least" selected>/);
    expect(res.text).toMatch(/value="range" checked/);
    expect(res.text).toContain('Please correct these 4 and send again');
  });

  test('one day uses the start date as the end; thousands separators are accepted', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const id = await createDraft(t, erin, { period_kind: 'day', reference_period_start: '2024-03-05', reference_period_end: '', value: '10,382' });
    const row = t.q.figureEdits.getRow(id);
    expect(row).toMatchObject({ reference_period_start: '2024-03-05', reference_period_end: '2024-03-05', value: 10382, status: 'draft' });
  });

  test('a source can be created inline, and the last source and originator are offered for the next figure', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const id = await createDraft(t, erin, {
      source_id: 'new', new_source_title: 'Flash update 12', new_source_publisher: 'UN OCHA', new_source_url: 'https://example.org/flash-12', new_source_published_on: '2024-04-01',
      reported_by: 'OHCHR',
    });
    const source = t.q.sources.getByUrl('https://example.org/flash-12');
    expect(source).toMatchObject({ title: 'Flash update 12', publisher: 'UN OCHA', published_on: '2024-04-01' });
    expect(t.q.figureEdits.getRow(id)?.source_id).toBe(source?.id);
    const next = await erin.agent.get('/admin/figures/new').expect(200);
    expect(next.text).toContain(`<input type="radio" name="source_id" value="${source?.id}" checked>`);
    expect(next.text).toContain('name="reported_by" type="text" value="OHCHR"');
  });
});

describe('review and publishing', () => {
  test('draft → submit → publish by another user; drafts stay off public pages until then', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const ada = await staff(t, 'ada', 'admin');
    const id = await createDraft(t, erin, { value: '4242' });
    await request(t.app).get(`/figures/${id}`).expect(404);
    expect((await request(t.app).get('/figures').expect(200)).text).not.toContain('4,242');

    await submit(erin, id).expect(303);
    const dashboard = await ada.agent.get('/admin').expect(200);
    expect(dashboard.text).toMatch(new RegExp(`Awaiting review \\(1\\)[\\s\\S]*href="/admin/figures/${id}"`));

    await publish(ada, id).expect(303);
    expect(t.q.figureEdits.getRow(id)).toMatchObject({ status: 'published', version: 2 });
    expect((await request(t.app).get('/figures').expect(200)).text).toContain('4,242');
    await request(t.app).get(`/figures/${id}`).expect(200);
    expect(actions(t, id)).toEqual(['create', 'submit', 'publish']);
  });

  test('a reviewer sends submitted work back with a comment kept in its history; the editor can submit again', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const ada = await staff(t, 'ada', 'admin');
    const id = await createDraft(t, erin);
    await submit(erin, id).expect(303);
    const page = await ada.agent.get(`/admin/figures/${id}`).expect(200);
    expect(page.text).toContain('Send back to its editor');
    const empty = await ada.agent.post(`/admin/figures/${id}/send-back`).type('form').send({ _csrf: ada.csrf, comment: '' }).expect(400);
    expect(empty.text).toContain('tell the editor what to change');
    await ada.agent.post(`/admin/figures/${id}/send-back`).type('form').send({ _csrf: ada.csrf, comment: 'The quote says 41, not 42.' }).expect(303);
    expect(t.q.figureEdits.getRow(id)?.submitted_at).toBeNull();
    await erin.agent.post(`/admin/figures/${id}/send-back`).type('form').send({ _csrf: erin.csrf, comment: 'x' }).expect(403);
    const history = await erin.agent.get(`/figures/${id}/history`).expect(200);
    expect(history.text).toContain('Comment from the reviewer: The quote says 41, not 42.');
    await submit(erin, id).expect(303);
    expect(actions(t, id)).toEqual(['create', 'submit', 'send_back', 'submit']);
  });

  test('the measure is its own field, limited by the indicator: a level indicator takes only levels', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const inNeed = t.q.indicators.getByCode('people_in_need');
    const res = await erin.agent.post('/admin/figures').type('form').send({ _csrf: erin.csrf, ...figureForm(t, { indicator_id: String(inNeed?.id), measure: 'running_total' }) }).expect(400);
    expect(res.text).toContain('This indicator counts a state (a level): its figures are levels.');
    expect(res.text).toMatch(/<option value="running_total" selected>/);
    const missing = await erin.agent.post('/admin/figures').type('form').send({ _csrf: erin.csrf, ...figureForm(t, { measure: '' }) }).expect(400);
    expect(missing.text).toContain('Choose what the number is');
  });

  test('an editor cannot publish, not even their own submitted draft', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const id = await createDraft(t, erin);
    await submit(erin, id).expect(303);
    await publish(erin, id).expect(403);
    expect(t.q.figureEdits.getRow(id)?.status).toBe('draft');
  });

  test('an admin who made the last edit needs a reason to publish, which is kept in the history', async () => {
    const t = createTestApp();
    const ada = await staff(t, 'ada', 'admin');
    const id = await createDraft(t, ada);
    await submit(ada, id).expect(303);
    const refused = await publish(ada, id).expect(400);
    expect(refused.text).toContain('You made the last edit');
    expect(t.q.figureEdits.getRow(id)?.status).toBe('draft');
    await publish(ada, id, 'Working alone this weekend; checked against the PDF').expect(303);
    expect(t.q.figureEdits.getRow(id)?.status).toBe('published');
    const last = t.q.figures.revisions(id).at(-1);
    expect(last?.action).toBe('publish');
    expect(last?.note).toContain('Working alone this weekend');
    const history = await ada.agent.get(`/figures/${id}/history`).expect(200);
    expect(history.text).toContain('Working alone this weekend');
  });

  test('an unsubmitted draft cannot be published', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const ada = await staff(t, 'ada', 'admin');
    const id = await createDraft(t, erin);
    await publish(ada, id).expect(409);
  });
});

describe('changes to a published figure', () => {
  const PUBLISHED_VALUE = 10382;

  async function setup() {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const ada = await staff(t, 'ada', 'admin');
    const id = t.db.prepare<[number], { id: number }>('SELECT id FROM figures WHERE value = ?').get(PUBLISHED_VALUE)?.id ?? 0;
    const base = t.q.figureEdits.getRow(id);
    if (!base) throw new Error('seeded figure missing');
    const values = {
      ...figureForm(t),
      indicator_id: String(base.indicator_id), location_id: String(base.location_id), period_kind: 'range',
      reference_period_start: base.reference_period_start, reference_period_end: base.reference_period_end,
      value: '10500', qualifier: base.qualifier, verification: base.verification, reported_by: base.reported_by,
      claimed_by: base.claimed_by ?? '', source_id: String(base.source_id), source_quote: base.source_quote, notes: base.notes ?? '',
    };
    return { t, erin, ada, id, values };
  }

  test('the public pages keep the published version while the change is pending; publishing it makes it public', async () => {
    const { t, erin, ada, id, values } = await setup();
    const revision = await revisionToken(erin, id);
    const saved = await erin.agent.post(`/admin/figures/${id}`).type('form').send({ _csrf: erin.csrf, revision, ...values }).expect(303);
    expect(saved.headers.location).toBe(`/admin/figures/${id}`);
    expect(t.q.figureEdits.getRow(id)).toMatchObject({ value: PUBLISHED_VALUE, status: 'published', version: 1 });

    for (const url of ['/figures', `/figures/${id}`, `/figures?indicator=civilian_deaths`, '/', '/indicators/civilian_deaths', '/compare?indicator=civilian_deaths&location=UKR']) {
      const page = await request(t.app).get(url).expect(200);
      expect([url, page.text.includes('10,382')]).toEqual([url, true]);
      expect([url, page.text.includes('10,500')]).toEqual([url, false]);
    }
    // The export and the API keep the published value too.
    const csv = (await request(t.app).get('/export/figures.csv?indicator=civilian_deaths').expect(200)).text;
    expect(csv).toContain(',10382,');
    expect(csv).not.toContain('10500');
    const api = (await request(t.app).get(`/api/v1/figures/${id}`).expect(200)).body as { data: { value: number } };
    expect(api.data.value).toBe(PUBLISHED_VALUE);
    expect((await request(t.app).get(`/figures/${id}/history`).expect(200)).text).not.toContain('10500');
    // Staff are told on the public page that a change is pending.
    expect((await erin.agent.get(`/figures/${id}`).expect(200)).text).toContain('a change to this figure is pending');
    const staffView = await ada.agent.get(`/admin/figures/${id}`).expect(200);
    expect(staffView.text).toContain('Pending change');
    expect(staffView.text).toMatch(/<td>10382<\/td><td>10500<\/td>/);

    await submit(erin, id).expect(303);
    expect((await request(t.app).get(`/figures/${id}`).expect(200)).text).not.toContain('10,500');
    await publish(ada, id).expect(303);
    expect(t.q.figureEdits.getRow(id)).toMatchObject({ value: 10500, status: 'published', version: 2 });
    expect(t.q.figureEdits.getPending(id)).toBeUndefined();
    expect((await request(t.app).get(`/figures/${id}`).expect(200)).text).toContain('10,500');
    expect((await request(t.app).get(`/api/v1/figures/${id}`).expect(200)).body).toMatchObject({ data: { value: 10500 } });
    expect((await request(t.app).get('/export/figures.csv?indicator=civilian_deaths').expect(200)).text).toContain(',10500,');
    expect(actions(t, id)).toEqual(['seed', 'edit', 'submit', 'publish']);
  });

  test('an edit made by someone else after the form was opened is refused, showing both versions', async () => {
    const { t, erin, ada, id, values } = await setup();
    const erinsToken = await revisionToken(erin, id);
    const adasToken = await revisionToken(ada, id);
    await ada.agent.post(`/admin/figures/${id}`).type('form').send({ _csrf: ada.csrf, revision: adasToken, ...values, value: '11000' }).expect(303);
    const conflict = await erin.agent.post(`/admin/figures/${id}`).type('form').send({ _csrf: erin.csrf, revision: erinsToken, ...values, value: '10600' }).expect(409);
    expect(conflict.text).toContain('ada saved this figure after you opened the form');
    expect(conflict.text).toMatch(/<td>10382<\/td><td>11000<\/td><td>10600<\/td>/);
    expect(t.q.figureEdits.getPending(id)?.value).toBe(11000);
    // The re-shown form carries the newest revision: sending it again keeps yours where both changed.
    const token = /name="revision" value="(\d+)"/.exec(conflict.text)?.[1] ?? '';
    await erin.agent.post(`/admin/figures/${id}`).type('form').send({ _csrf: erin.csrf, revision: token, ...values, value: '10600' }).expect(303);
    expect(t.q.figureEdits.getPending(id)?.value).toBe(10600);
  });

  test('a stale draft edit is refused the same way', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const id = await createDraft(t, erin);
    const token = await revisionToken(erin, id);
    await erin.agent.post(`/admin/figures/${id}`).type('form').send({ _csrf: erin.csrf, revision: token, ...figureForm(t, { value: '50' }) }).expect(303);
    await erin.agent.post(`/admin/figures/${id}`).type('form').send({ _csrf: erin.csrf, revision: token, ...figureForm(t, { value: '60' }) }).expect(409);
    expect(t.q.figureEdits.getRow(id)?.value).toBe(50);
  });

  test('every change writes a revision, and history shows what changed field by field', async () => {
    const { t, erin, ada, id, values } = await setup();
    await erin.agent.post(`/admin/figures/${id}`).type('form').send({ _csrf: erin.csrf, revision: await revisionToken(erin, id), ...values, reported_by: 'OHCHR (HRMMU)' }).expect(303);
    await submit(erin, id).expect(303);
    await publish(ada, id).expect(303);
    await ada.agent.post(`/admin/figures/${id}/retire`).type('form').send({ _csrf: ada.csrf, retired_reason: 'Superseded by the April update' }).expect(303);
    expect(actions(t, id)).toEqual(['seed', 'edit', 'submit', 'publish', 'retire']);
    const history = await erin.agent.get(`/figures/${id}/history`).expect(200);
    expect(history.text).toMatch(/<th scope="row">Value<\/th><td><del>10382<\/del><\/td><td><ins>10500<\/ins><\/td>/);
    expect(history.text).toMatch(/<th scope="row">Status<\/th><td><del>published<\/del><\/td><td><ins>retired<\/ins><\/td>/);
    expect(history.text).toContain('by erin');
    // Readers see the public states only, without staff names.
    const publicHistory = await request(t.app).get(`/figures/${id}/history`).expect(200);
    expect(publicHistory.text).not.toContain('by erin');
    expect(publicHistory.text).toContain('Superseded by the April update');
    expect(publicHistory.text).not.toContain('Restore revision');
    // A retired figure is still viewable, and leaves the list.
    expect((await request(t.app).get(`/figures/${id}`).expect(200)).text).toContain('Retired.');
    expect((await request(t.app).get('/figures').expect(200)).text).not.toContain('10,500');
  });

  test('retiring needs a reason and an admin', async () => {
    const { t, erin, ada, id } = await setup();
    await erin.agent.post(`/admin/figures/${id}/retire`).type('form').send({ _csrf: erin.csrf, retired_reason: 'no' }).expect(403);
    const refused = await ada.agent.post(`/admin/figures/${id}/retire`).type('form').send({ _csrf: ada.csrf, retired_reason: '  ' }).expect(400);
    expect(refused.text).toContain('Required: say why the figure is withdrawn');
    expect(t.q.figureEdits.getRow(id)?.status).toBe('published');
  });

  test('restoring a revision makes a new revision: a pending change for a published figure', async () => {
    const { t, erin, ada, id, values } = await setup();
    await erin.agent.post(`/admin/figures/${id}`).type('form').send({ _csrf: erin.csrf, revision: await revisionToken(erin, id), ...values }).expect(303);
    await submit(erin, id).expect(303);
    await publish(ada, id).expect(303);
    expect(t.q.figureEdits.getRow(id)?.value).toBe(10500);
    const seedRevision = t.q.figures.revisions(id)[0];
    const history = await erin.agent.get(`/figures/${id}/history`).expect(200);
    expect(history.text).toContain(`Restore revision ${seedRevision?.id}`);
    await erin.agent.post(`/admin/figures/${id}/restore`).type('form')
      .send({ _csrf: tokenIn(history.text), revision_id: String(seedRevision?.id), revision: String(t.q.figureEdits.latestRevisionId(id)) })
      .expect(303);
    expect(t.q.figureEdits.getPending(id)?.value).toBe(PUBLISHED_VALUE);
    expect(t.q.figureEdits.getRow(id)?.value).toBe(10500);
    const last = t.q.figures.revisions(id).at(-1);
    expect(last).toMatchObject({ action: 'restore', note: `Restored the state of revision ${seedRevision?.id}` });
    expect(t.q.figures.revisions(id)).toHaveLength(5);
  });

  test('restoring a retired figure brings it back as a draft to review', async () => {
    const { t, ada, id } = await setup();
    const seedRevision = t.q.figures.revisions(id)[0];
    await ada.agent.post(`/admin/figures/${id}/retire`).type('form').send({ _csrf: ada.csrf, retired_reason: 'Mistake' }).expect(303);
    await ada.agent.post(`/admin/figures/${id}/restore`).type('form').send({ _csrf: ada.csrf, revision_id: String(seedRevision?.id) }).expect(303);
    expect(t.q.figureEdits.getRow(id)).toMatchObject({ status: 'draft', retired_reason: null, value: PUBLISHED_VALUE });
  });
});

describe('sources, indicators, places, users and the audit log', () => {
  test('an editor adds and corrects a source; bad input comes back beside its field', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const bad = await erin.agent.post('/admin/sources').type('form').send({ _csrf: erin.csrf, title: 'Report', publisher: '', url: 'ftp://x', published_on: '2024-13-01' }).expect(400);
    for (const f of ['publisher', 'url', 'published-on']) expect(bad.text).toContain(`id="f-${f}-error"`);
    expect(bad.text).toContain('value="ftp://x"');
    await erin.agent.post('/admin/sources').type('form').send({ _csrf: erin.csrf, title: 'Report', publisher: 'OCHA', url: 'https://example.org/r' }).expect(303);
    const source = t.q.sources.getByUrl('https://example.org/r');
    await erin.agent.post(`/admin/sources/${source?.id}`).type('form').send({ _csrf: erin.csrf, title: 'Report 2', publisher: 'OCHA', url: 'https://example.org/r' }).expect(303);
    expect(t.q.sources.getById(source?.id ?? 0)?.title).toBe('Report 2');
  });

  test('an indicator or place in use cannot be removed; an unused one can', async () => {
    const t = createTestApp();
    const ada = await staff(t, 'ada', 'admin');
    const used = t.q.indicators.getByCode('civilian_deaths');
    await ada.agent.post(`/admin/indicators/${used?.id}/remove`).type('form').send({ _csrf: ada.csrf }).expect(409);
    await ada.agent.post('/admin/indicators').type('form')
      .send({ _csrf: ada.csrf, code: 'schools_damaged', name: 'Schools damaged', unit: 'schools', aggregation: 'flow', hxl_hashtag: '#damaged+schools' }).expect(303);
    const created = t.q.indicators.getByCode('schools_damaged');
    await ada.agent.post(`/admin/indicators/${created?.id}/remove`).type('form').send({ _csrf: ada.csrf }).expect(303);
    expect(t.q.indicators.getByCode('schools_damaged')).toBeUndefined();

    const ukr = t.q.locations.getByCode('UKR');
    await ada.agent.post(`/admin/locations/${ukr?.id}/remove`).type('form').send({ _csrf: ada.csrf }).expect(409);
    const noParent = await ada.agent.post('/admin/locations').type('form').send({ _csrf: ada.csrf, code: 'UA99', name: 'Nowhere', admin_level: '1', parent_id: '' }).expect(400);
    expect(noParent.text).toContain('Required below level 0');
    await ada.agent.post('/admin/locations').type('form').send({ _csrf: ada.csrf, code: 'UA99', name: 'Nowhere', admin_level: '1', parent_id: String(ukr?.id) }).expect(303);
    const added = t.q.locations.getByCode('UA99');
    await ada.agent.post(`/admin/locations/${added?.id}/remove`).type('form').send({ _csrf: ada.csrf }).expect(303);
  });

  test('an admin adds a user with a generated password shown once, changes the role and disables them', async () => {
    const t = createTestApp();
    const ada = await staff(t, 'ada', 'admin');
    const weak = await ada.agent.post('/admin/users').type('form').send({ _csrf: ada.csrf, username: 'bob', role: 'editor', password: 'bob-is-my-name' }).expect(400);
    expect(weak.text).toContain('Password must not contain the username.');
    const short = await ada.agent.post('/admin/users').type('form').send({ _csrf: ada.csrf, username: 'bob', role: 'editor', password: 'short' }).expect(400);
    expect(short.text).toContain('at least 12 characters');
    const res = await ada.agent.post('/admin/users').type('form').send({ _csrf: ada.csrf, username: 'bob', role: 'editor', password: '' }).expect(200);
    const password = /<code>([^<]+)<\/code>/.exec(res.text)?.[1] ?? '';
    expect(password).toHaveLength(20);
    const bob = t.q.users.getForLogin('bob');
    expect(bob?.password_hash).not.toContain(password);
    await ada.agent.post(`/admin/users/${bob?.id}/role`).type('form').send({ _csrf: ada.csrf, role: 'admin' }).expect(303);
    expect(t.q.users.getById(bob?.id ?? 0)?.role).toBe('admin');
    await ada.agent.post(`/admin/users/${bob?.id}/disable`).type('form').send({ _csrf: ada.csrf }).expect(303);
    expect(t.q.users.getById(bob?.id ?? 0)?.disabled_at).not.toBeNull();
    await ada.agent.post(`/admin/users/${ada.userId}/role`).type('form').send({ _csrf: ada.csrf, role: 'editor' }).expect(409);
  });

  test('the audit log records figures, sources, users and logins, filterable by user, type and date', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const ada = await staff(t, 'ada', 'admin');
    await createDraft(t, erin);
    await ada.agent.post('/admin/users').type('form').send({ _csrf: ada.csrf, username: 'bob', role: 'editor', password: '' }).expect(200);
    const all = await ada.agent.get('/admin/audit').expect(200);
    for (const type of ['figure', 'user', 'session']) expect(all.text).toContain(`<td>${type}</td>`);
    const erinsFigures = await ada.agent.get('/admin/audit?user=erin&type=figure').expect(200);
    expect(erinsFigures.text).toContain('1 entry');
    const today = new Date().toISOString().slice(0, 10);
    expect((await ada.agent.get(`/admin/audit?from=${today}&to=${today}`).expect(200)).text).toContain('<td>login</td>');
    expect((await ada.agent.get('/admin/audit?to=2000-01-01').expect(200)).text).toContain('0 entries');
    await ada.agent.get('/admin/audit?from=soon').expect(400);
  });
});
