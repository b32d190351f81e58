import { createTestApp, type TestApp } from '../helpers/app';
import { figureForm, staff, type Staff } from '../helpers/staff';

const post = (t: TestApp, who: Staff, overrides: Record<string, string>) =>
  who.agent.post('/admin/figures').type('form').send({ _csrf: who.csrf, ...figureForm(t, overrides) });

/** The text of an input's echo ("= 14,600,000"), or null when the field has none. */
function echoOf(html: string, field: string): string | null {
  return new RegExp(`<output id="f-${field}-echo"[^>]*>([^<]*)</output>`).exec(html)?.[1] ?? null;
}

describe('numbers as sources write them', () => {
  test('"14.6 million" is saved as 14,600,000; "$14 million" and "0.015bn" are read too', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const saved = await post(t, erin, { value: '14.6 million', value_low: '$14 million', value_high: '0.015bn' }).expect(303);
    const id = Number(/(\d+)$/.exec(String(saved.headers.location))?.[1]);
    expect(t.q.figureEdits.getRow(id)).toMatchObject({ value: 14_600_000, value_low: 14_000_000, value_high: 15_000_000 });
    const edit = await erin.agent.get(`/admin/figures/${id}/edit`).expect(200);
    expect(echoOf(edit.text, 'value')).toBe('= 14,600,000');
  });

  test('a form sent back with an error keeps "14.6 million" as typed and shows "= 14,600,000" beside it', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const res = await post(t, erin, { value: '14.6 million', value_low: '2.5bn', value_high: '', source_quote: '' }).expect(400);
    expect(res.text).toContain('name="value" type="text" value="14.6 million" data-echo');
    expect(echoOf(res.text, 'value')).toBe('= 14,600,000');
    // The low value above the value is the one error beside it; the echo still says what was read.
    expect(echoOf(res.text, 'value-low')).toBe('= 2,500,000,000');
    expect(echoOf(res.text, 'value-high')).toBe('');
    expect(res.text).toContain('<script src="/js/whole-number.js" defer></script>');
  });

  test('a fraction of a unit is refused beside the field; "12.0" and "10,382" are whole numbers', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const fraction = await post(t, erin, { value: '1.5' }).expect(400);
    expect(fraction.text).toMatch(/id="f-value-error"><span class="visually-hidden">Error: <\/span>Must be a whole number of 0 or more, e.g. 10382, 10,382 or 14.6 million./);
    expect(echoOf(fraction.text, 'value')).toBe('');
    await post(t, erin, { value: '12.0' }).expect(303);
    await post(t, erin, { value: '10,382' }).expect(303);
  });
});

describe('form details', () => {
  test('a typed impossible date is kept in its field and named as impossible, not "Required"', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const res = await post(t, erin, { reference_period_start: '2024-02-31', reference_period_end: '2023-13-01' }).expect(400);
    expect(res.text).toContain('id="f-reference-period-start" name="reference_period_start" type="text" value="2024-02-31"');
    expect(res.text).toContain('2024-02-31 is impossible: February 2024 has 29 days.');
    expect(res.text).toContain('2023-13-01 is impossible: there is no month 13.');
    expect(res.text).not.toMatch(/f-reference-period-start-error">[^<]*<\/span>Required/);
  });

  test('the error summary links to each field with an error and brings the script that focuses it', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const res = await post(t, erin, {
      indicator_id: '', period_kind: '', value: 'lots', reference_period_start: '2024-02-30', source_id: 'new', new_source_title: '', source_quote: '',
    }).expect(400);
    const summary = /<div class="error-summary"[^>]*tabindex="-1">([\s\S]*?)<\/div>/.exec(res.text)?.[1] ?? '';
    const targets = [...summary.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]);
    expect(targets).toEqual(expect.arrayContaining(['f-indicator-id', 'f-period-kind', 'f-value', 'f-reference-period-start', 'f-new-source-title', 'f-source-quote']));
    for (const id of targets) expect([id, res.text.includes(`id="${id}"`)]).toEqual([id, true]);
    expect(res.text).toContain('<script src="/js/error-summary.js" defer></script>');
  });

  test('the audit log shows a change as a table of fields, before and after, with times as people read them', async () => {
    const t = createTestApp();
    const ada = await staff(t, 'ada', 'admin');
    const erin = await staff(t, 'erin', 'editor');
    await erin.agent.post('/admin/sources').type('form').send({ _csrf: erin.csrf, title: 'Report', publisher: 'OCHA', url: 'https://example.org/r' }).expect(303);
    const source = t.q.sources.getByUrl('https://example.org/r');
    await erin.agent.post(`/admin/sources/${source?.id}`).type('form').send({ _csrf: erin.csrf, title: 'Report 2', publisher: 'OCHA', url: 'https://example.org/r' }).expect(303);
    const audit = (await ada.agent.get('/admin/audit?type=source').expect(200)).text;
    expect(audit).toMatch(/<table class="audit-changes">[\s\S]*?<th scope="row">title<\/th><td>Report<\/td><td>Report 2<\/td><\/tr><\/tbody>/);
    expect(audit).not.toContain('&#34;before&#34;');
    // Details that are not a before/after change are a short list (the create entry names the title).
    expect(audit).toMatch(/<dt>title<\/dt><dd>Report<\/dd>/);
    const time = /<time datetime="([^"]+)" title="([^"]+)">([^<]+)<\/time>/.exec(audit);
    expect(time?.[1]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(time?.[2]).toBe(time?.[1]);
    expect(time?.[3]).toMatch(/^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC$/);
  });

  test('the staff dashboard shows times as "23 Nov 2026, 10:16 UTC" with the UTC value in a tooltip', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    await post(t, erin, {}).expect(303);
    const page = (await erin.agent.get('/admin').expect(200)).text;
    expect(page).toMatch(/<time datetime="(\d{4}-[^"]+Z)" title="\1">\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC<\/time>/);
    expect(page).not.toMatch(/>\d{4}-\d{2}-\d{2} \d{2}:\d{2}</);
  });
});
