import request from 'supertest';
import { parseCsv } from '../helpers/csv';
import { createTestApp } from '../helpers/app';
import { chartPanels, decodeHtml as decode } from '../helpers/charts';
import { buildPanels, identityHash, PALETTE_SIZE } from '../../server/charts/series';

interface PanelJson {
  kind: string;
  title: string;
  series: { label: string; colour: number; points: { x: string; y: number; v: string; q?: string; tip: string[] }[] }[];
}

function panels(html: string): PanelJson[] {
  return chartPanels<PanelJson>(html);
}

/** The text of one card, tags stripped. */
function cardText(html: string, id: string): string {
  const start = html.indexOf(`<figure class="chart-card chart-panel" id="${id}"`);
  const end = html.indexOf('</figure>', start);
  return decode(html.slice(start, end).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' '));
}

describe('the chart card', () => {
  test('names indicator, place and measure, says the period and what the numbers are, and has a source line and its own address', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/compare?indicator=civilian_deaths&indicator=people_in_need').expect(200);
    const titles = [...res.text.matchAll(/<h3 id="compare-\d-title" class="chart-title">([^<]*)<\/h3>/g)].map((m) => decode(m[1] ?? ''));
    expect(titles.some((t) => t.startsWith('People in need — ') && t.endsWith(': levels per period'))).toBe(true);
    const card = cardText(res.text, 'compare-1');
    expect(card).toContain('Civilian deaths — Ukraine: running totals');
    expect(card).toMatch(/24 Feb 2022 – 7 Feb 2024\. Number of people counted since each line's start date/);
    expect(card).toMatch(/Source: United Nations, as stated in /);
    expect(card).toContain('Chart Table Sources Download Embed');
    expect(res.text).toContain('href="/compare?indicator=civilian_deaths&amp;indicator=people_in_need#compare-1"');
    // Tabs are links to :target views: they work without JavaScript.
    for (const view of ['chart', 'table', 'sources', 'download', 'embed']) {
      expect(res.text).toContain(`href="#compare-1-${view}"`);
      expect(res.text).toContain(`id="compare-1-${view}"`);
    }
  });

  test("a panel's CSV holds exactly that panel's figures", async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/').expect(200);
    const hrefs = [...res.text.matchAll(/<a href="([^"]*)" download>Download this data \(CSV\)<\/a>/g)].map((m) => decode(m[1] ?? ''));
    expect(hrefs.length).toBe(panels(res.text).length);
    const tables = [...res.text.matchAll(/<table class="plotted stacking">([\s\S]*?)<\/table>/g)].map((m) => m[1] ?? '');
    for (const [i, href] of hrefs.entries()) {
      const csv = await request(app).get(href).expect(200);
      const rows = parseCsv(csv.text).slice(1);
      const kind = panels(res.text)[i]?.kind;
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row[24]).toBe(kind);
      // Every figure linked from the panel's table, and no other.
      const linked = new Set([...(tables[i] ?? '').matchAll(/href="\/figures\/(\d+)"/g)].map((m) => m[1]));
      expect(new Set(rows.map((r) => r[0]))).toEqual(linked);
    }
  });

  test('markers carry each point\'s verification; tooltips carry measure, originator, document and the quote cut short', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/').expect(200);
    const running = panels(res.text)[0];
    const un = running?.series.find((s) => s.label === 'Civilian deaths · Ukraine · United Nations');
    expect(un?.points.map((p) => [p.y, p.v])).toEqual([
      [10000, 'reported'],
      [10382, 'verified'],
    ]);
    const tip = un?.points[1]?.tip ?? [];
    expect(tip).toContain('Measure: Running total since 24 Feb 2022, as of 7 Feb 2024');
    expect(un?.points[1]?.q?.length).toBeLessThanOrEqual(161);
    expect(un?.points[1]?.q).toBeTruthy();
    expect(res.text).toMatch(/<ul class="marker-key" aria-label="Markers">[\s\S]*?marker-verified[\s\S]*?Verified[\s\S]*?marker-reported/);
  });

  test('a series keeps its colour on every page', async () => {
    const { app } = createTestApp();
    const colourOf = (html: string, label: string): number[] =>
      panels(html).flatMap((p) => p.series.filter((s) => s.label.endsWith(label)).map((s) => s.colour));
    const dashboard = await request(app).get('/').expect(200);
    const compare = await request(app).get('/compare?indicator=civilian_injuries&indicator=civilian_deaths&indicator=people_in_need').expect(200);
    const place = await request(app).get('/locations/UKR').expect(200);
    const a = colourOf(dashboard.text, 'Civilian deaths · Ukraine · UN OCHA');
    expect(a.length).toBe(1);
    expect(colourOf(compare.text, 'Civilian deaths · Ukraine · UN OCHA')).toEqual(a);
    expect(colourOf(place.text, 'Civilian deaths · Ukraine · UN OCHA')).toEqual(a);
  });

  test('two identities on one colour in a panel keep that colour and are told apart by a variant (dash-dot, outlined markers)', () => {
    const { q } = createTestApp();
    const rows = q.charts.listFigures({ indicatorCodes: ['civilian_deaths', 'civilian_injuries'] });
    const un = rows.find((r) => r.indicator_code === 'civilian_deaths' && r.location_code === 'UKR' && r.reported_by === 'United Nations');
    if (!un) throw new Error('the demo data has a United Nations running total for Ukraine');
    // The same identity as a period count lands in the period panel beside "Civilian injuries · Belgorod Oblast · UN DPPA", on the same colour.
    const extra = { ...un, id: 999_999, measure: 'period_count' as const, reference_period_start: '2024-01-01', reference_period_end: '2024-01-07' };
    const period = buildPanels([...rows, extra], { id: 'x', title: 'X' }).find((p) => p.kind === 'period_count');
    const deaths = period?.series.find((s) => s.label === 'Civilian deaths · Ukraine · United Nations');
    const injuries = period?.series.find((s) => s.label === 'Civilian injuries · Belgorod Oblast · UN DPPA');
    expect(deaths?.colorIndex).toBe(identityHash('civilian_deaths|UKR|United Nations') % PALETTE_SIZE);
    expect(injuries?.colorIndex).toBe(identityHash('civilian_injuries|RU-BEL|UN DPPA') % PALETTE_SIZE);
    expect(deaths?.colorIndex).toBe(injuries?.colorIndex);
    expect(new Set([deaths?.variant, injuries?.variant])).toEqual(new Set([0, 1]));
    // Every identity sharing a colour in any panel has a variant of its own.
    for (const panel of buildPanels([...rows, extra], { id: 'x', title: 'X' })) {
      const seen = new Map<string, string>();
      for (const s of panel.series) {
        const identity = `${s.indicatorCode}|${s.locationCode}|${s.originator}`;
        const slot = `${s.colorIndex}/${s.variant}`;
        expect([undefined, identity]).toContain(seen.get(slot));
        seen.set(slot, identity);
      }
    }
  });

  test('the colliding series have the colour they have on the dashboard, the indicator page and /compare', async () => {
    const { app } = createTestApp();
    const colourOf = (html: string, label: string): number[] => panels(html).flatMap((p) => p.series.filter((s) => s.label.endsWith(label)).map((s) => s.colour));
    const pages = await Promise.all(['/', '/indicators/civilian_injuries', '/compare?indicator=civilian_injuries&indicator=civilian_deaths'].map((u) => request(app).get(u).expect(200)));
    const expected = identityHash('civilian_injuries|RU-BEL|UN DPPA') % PALETTE_SIZE;
    const labels = ['Civilian injuries · Belgorod Oblast · UN DPPA', 'Belgorod Oblast · UN DPPA', 'Civilian injuries · Belgorod Oblast · UN DPPA'];
    pages.forEach((page, i) => expect(panels(page.text).flatMap((p) => p.series.filter((s) => s.label === labels[i]).map((s) => s.colour))).toEqual([expected]));
    const deaths = identityHash('civilian_deaths|UKR|United Nations') % PALETTE_SIZE;
    expect(colourOf(pages[0]?.text ?? '', 'Civilian deaths · Ukraine · United Nations')).toEqual([deaths]);
    const indicator = await request(app).get('/indicators/civilian_deaths').expect(200);
    expect(colourOf(indicator.text, 'Ukraine · United Nations')).toEqual([deaths]);
    expect(indicator.text).toContain('aria-current="true">series (as on every page)</a>');
  });
});

describe('embeds', () => {
  test('every chart view has an embed that any site may frame; every other page refuses framing', async () => {
    const { app, q } = createTestApp();
    const source = q.sources.listWithCounts().find((s) => s.figure_count > 0);
    const topic = q.topics.list()[0];
    const embeds = [
      '/embed/dashboard/casualties',
      '/embed/dashboard/funding?panel=1',
      '/embed/compare?indicator=civilian_deaths',
      '/embed/indicators/civilian_deaths?by=location',
      '/embed/locations/UKR',
      `/embed/sources/${source?.id}`,
      `/embed/topics/${topic?.slug}`,
    ];
    for (const url of embeds) {
      const res = await request(app).get(url).expect(200);
      expect(res.headers['content-security-policy']).toContain('frame-ancestors *');
      expect(res.text).toContain('class="chart-card');
      expect(res.text).toMatch(/From <a href="\/[^"]*" target="_blank" rel="noopener">Tally<\/a>/);
      expect(res.text).not.toMatch(/<nav aria-label="Main">/);
    }
    for (const url of ['/', '/compare?indicator=civilian_deaths', '/figures', '/login']) {
      const res = await request(app).get(url);
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
  });

  test('?panel= shows one card; a panel past the last is a 404 that says how many there are', async () => {
    const { app } = createTestApp();
    const one = await request(app).get('/embed/dashboard/casualties?panel=2').expect(200);
    expect([...one.text.matchAll(/class="chart-card /g)].length).toBe(1);
    expect(one.text).toContain('id="casualties-2"');
    const past = await request(app).get('/embed/dashboard/casualties?panel=9').expect(404);
    expect(past.text).toContain('this chart has 2 panels, not 9');
    await request(app).get('/embed/dashboard/nothing').expect(404);
    await request(app).get('/embed/compare').expect(400);
  });

  test('the Embed tab gives the iframe code of the panel', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/').expect(200);
    expect(res.text).toContain('&lt;iframe src="/embed/dashboard/casualties?panel=1"');
  });
});
