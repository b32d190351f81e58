import request from 'supertest';
import { createTestApp } from '../helpers/app';
import { chartPanels } from '../helpers/charts';
import { figureForm, staff } from '../helpers/staff';

type Panel = { kind: string; unit: string; series: { label: string; distinct: string | null; points: { y: number }[] }[] };

function chartData(html: string): Panel[] {
  return chartPanels<Panel>(html);
}

describe('topic pages', () => {
  test('"North Korean missiles against Ukraine" draws attacks and missiles by originator, claims apart, disputes listed, casualties beside', async () => {
    const { app } = createTestApp();
    expect((await request(app).get('/topics').expect(200)).text).toContain('href="/topics/north-korean-missiles"');
    const page = await request(app).get('/topics/north-korean-missiles').expect(200);
    expect(page.text).toContain('<h1>North Korean missiles against Ukraine</h1>');
    const panels = chartData(page.text);
    const units = new Set(panels.map((p) => p.unit));
    expect(units.has('missiles')).toBe(true);
    expect(units.has('attacks')).toBe(true);
    const missileSeries = panels.filter((p) => p.unit === 'missiles').flatMap((p) => p.series);
    // Ukraine's claims ("more than 20", "approximately 50") are a series of their own, drawn as claims.
    expect(missileSeries.some((s) => s.distinct === 'claimed' && s.points.some((pt) => pt.y === 50))).toBe(true);
    expect(missileSeries.some((s) => s.distinct === null && s.points.some((pt) => pt.y === 1))).toBe(true);
    // Every figure listed with who disputes it; the related casualties drawn beside.
    expect(page.text).toContain("Russian Federation; Democratic People&#39;s Republic of Korea");
    expect(page.text).toContain('id="related"');
    expect(panels.some((p) => p.series.some((s) => s.points.some((pt) => pt.y === 519)))).toBe(true);
    await request(app).get('/topics/no-such-topic').expect(404);
    await request(app).get('/topics/__proto__').expect(404);
  });

  test('an admin defines a topic and it gets a page; unknown codes are named beside their field', async () => {
    const t = createTestApp();
    const ada = await staff(t, 'ada', 'admin');
    const bad = await ada.agent.post('/admin/topics').type('form').send({ _csrf: ada.csrf, slug: 'aid', title: 'Aid under fire', summary: 'Incidents hitting aid.', indicators: 'aid_operations_incidents, nope' }).expect(400);
    expect(bad.text).toContain('Unknown indicator code(s): nope.');
    expect(bad.text).toContain('value="Aid under fire"');
    await ada.agent.post('/admin/topics').type('form').send({ _csrf: ada.csrf, slug: 'aid', title: 'Aid under fire', summary: 'Incidents hitting aid.', indicators: 'aid_operations_incidents, humanitarian_facilities_damaged' }).expect(303);
    const page = await request(t.app).get('/topics/aid').expect(200);
    expect(page.text).toContain('Aid under fire');
    expect(chartData(page.text).some((p) => p.unit === 'incidents')).toBe(true);
    const erin = await staff(t, 'erin', 'editor');
    await erin.agent.get('/admin/topics/new').expect(403);
  });
});

describe('consistency checks', () => {
  test('/admin/checks lists the open inconsistencies of published figures', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const page = await erin.agent.get('/admin/checks').expect(200);
    expect(page.text).toContain('1 open finding');
    expect(page.text).toContain('The stated parts (98 civilian deaths and 423 civilian injuries) add to 521, not 519.');
  });

  test('staff see a warning (not a refusal) when what they enter disagrees with its quote or a relation', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const created = await erin.agent
      .post('/admin/figures')
      .type('form')
      .send({ _csrf: erin.csrf, ...figureForm(t, { value: '41', qualifier: 'exact', source_quote: 'at least 42 civilians were killed in March' }) })
      .expect(303);
    const page = await erin.agent.get(created.headers.location as string).expect(200);
    expect(page.text).toContain('Check before publishing:');
    expect(page.text).toContain('The quote states 42, not 41.');
  });

  test('publishing a figure re-checks its neighbours: a corrected total clears the note', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const ada = await staff(t, 'ada', 'admin');
    const id = t.db.prepare<[], { id: number }>("SELECT f.id FROM figures f JOIN indicators i ON i.id = f.indicator_id WHERE i.code = 'civilian_casualties'").get()?.id as number;
    const form = await erin.agent.get(`/admin/figures/${id}/edit`).expect(200);
    const revision = /name="revision" value="(\d+)"/.exec(form.text)?.[1] ?? '';
    const row = t.q.figureEdits.getRow(id);
    if (!row) throw new Error('no figure');
    await erin.agent
      .post(`/admin/figures/${id}`)
      .type('form')
      .send({ ...figureForm(t, {}), _csrf: erin.csrf, revision, indicator_id: String(row.indicator_id), location_id: String(row.location_id), reference_period_start: row.reference_period_start, reference_period_end: row.reference_period_end, measure: row.measure, reported_by: row.reported_by, source_id: String(row.source_id), qualifier: 'exact', value: '521', source_quote: 'recorded 521 civilian casualties' })
      .expect(303);
    await erin.agent.post(`/admin/figures/${id}/submit`).type('form').send({ _csrf: erin.csrf }).expect(303);
    await ada.agent.post(`/admin/figures/${id}/publish`).type('form').send({ _csrf: ada.csrf }).expect(303);
    expect((await request(t.app).get(`/figures/${id}`).expect(200)).text).not.toContain('add to 521');
    expect((await erin.agent.get('/admin/checks').expect(200)).text).toContain('No open inconsistencies.');
  });
});

describe('shares in percent', () => {
  test('are shown with a percent sign, and a share above 100 is refused beside the value', async () => {
    const t = createTestApp();
    const id = t.db.prepare<[], { id: number }>("SELECT f.id FROM figures f JOIN indicators i ON i.id = f.indicator_id WHERE i.code = 'civilian_casualties_frontline_share'").get()?.id;
    const page = await request(t.app).get(`/figures/${id}`).expect(200);
    expect(page.text).toContain('<dt>Value</dt><dd>69%</dd>');
    const erin = await staff(t, 'erin', 'editor');
    const share = t.q.indicators.getByCode('civilian_casualties_frontline_share');
    const res = await erin.agent.post('/admin/figures').type('form').send({ _csrf: erin.csrf, ...figureForm(t, { indicator_id: String(share?.id), measure: 'level', value: '140', qualifier: 'exact', source_quote: '140% of casualties' }) }).expect(400);
    expect(res.text).toContain('A share in percent is at most 100 (whole percents).');
  });
});
