import request from 'supertest';
import { createTestApp } from '../helpers/app';
import { chartPanels } from '../helpers/charts';

type ChartJson = { kind: string; unit: string; docs: string[]; series: { label: string; o: string; distinct: string | null; points: { x: string; y: number; t: string; tip: string[]; h: string; d: number }[] }[] };

/** The chart JSON of every canvas on a page, expanded as the browser script does (originator and document lines). */
function chartData(html: string): ChartJson[] {
  return chartPanels<ChartJson>(html).map((panel) => {
    for (const s of panel.series) for (const p of s.points) p.tip = [p.tip[0] ?? '', `Originator: ${s.o}`, `Document: ${panel.docs[p.d] ?? ''}`, ...p.tip.slice(1)];
    return panel;
  });
}

describe('chart JSON in its attribute', () => {
  test("stored text with quotes, apostrophes, ampersands and markup stays inside the single-quoted attribute and reads back whole", async () => {
    const { app, db } = createTestApp();
    const hostile = `it's '><img src=x onerror=alert(1)> & "more" </canvas><script>alert(2)</script> &amp; &#39;`;
    const id = (db.prepare("SELECT id FROM figures WHERE status = 'published' AND indicator_id = (SELECT id FROM indicators WHERE code = 'civilian_deaths') ORDER BY id LIMIT 1").get() as { id: number }).id;
    db.prepare('UPDATE figures SET source_quote = ? WHERE id = ?').run(hostile, id);
    const res = await request(app).get('/indicators/civilian_deaths').expect(200);
    expect(res.text).not.toContain('<img src=x');
    expect(res.text).not.toContain('<script>alert(2)');
    expect(res.text).not.toContain("it's '>");
    const quotes = chartPanels<{ series: { points: { q?: string }[] }[] }>(res.text).flatMap((p) => p.series.flatMap((s) => s.points.map((pt) => pt.q)));
    expect(quotes).toContain(hostile);
  });
});

describe('GET /', () => {
  test('the people-in-need headline gives the full number under a shortened one, and a number that is not shortened once', async () => {
    const { app, db } = createTestApp();
    const block = (html: string): string => {
      const start = html.indexOf('<span class="headline-label">People in need</span>');
      return html.slice(start, html.indexOf('</li>', start)).replace(/<[^>]+>/g, '|').replace(/[ \t\n]+/g, ' ');
    };
    const shortened = block((await request(app).get('/').expect(200)).text);
    expect(shortened).toContain('&gt; 14.6 M');
    expect(shortened).toMatch(/&gt; 14,6\d\d,\d\d\d/);
    const id = Number(/href="\/figures\/(\d+)">&gt; 14.6 M/.exec((await request(app).get('/').expect(200)).text)?.[1]);
    db.prepare('UPDATE figures SET value = 293792, value_low = NULL, value_high = NULL, qualifier = ? WHERE id = ?').run('exact', id);
    const plain = block((await request(app).get('/').expect(200)).text);
    expect(plain.match(/293,792/g)).toHaveLength(1);
    const ukrainian = block((await request(app).get('/?lang=uk').expect(200)).text.replace('Потребують допомоги', 'People in need'));
    expect(ukrainian.match(/293\u00a0792/g)).toHaveLength(1);
  });

  test('the funding coverage table pairs the latest appeals, newest first, and says when older ones are left out', async () => {
    const { app, q } = createTestApp();
    const before = (await request(app).get('/').expect(200)).text;
    const rowsOf = (html: string): string[] =>
      [...(/<table class="coverage[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '').matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => (m[1] ?? '').replace(/<[^>]+>/g, '|').replace(/\s+/g, ' '));
    expect(rowsOf(before).length).toBeGreaterThan(0);
    expect(before).not.toContain('latest appeals are listed');
    // 30 yearly appeals for one place, each with what was received: 1,000 of 4,000 in year N is 25 %, and so on.
    const indicator = (code: string): number => q.indicators.list().find((i) => i.code === code)?.id ?? -1;
    const place = q.locations.list().find((l) => l.code === 'SYR') ?? q.locations.list()[0];
    const source = q.sources.listForPicker()[0];
    if (!place || !source) throw new Error('the demo data has no place or source');
    q.transaction(() => {
      for (let year = 1990; year < 2020; year++) {
        for (const [code, value] of [['funding_required_usd', 4_000_000], ['funding_received_usd', 1_000_000 + (year - 1990) * 100_000]] as const) {
          q.figures.create(
            {
              indicator_id: indicator(code), location_id: place.id, reference_period_start: `${year}-01-01`, reference_period_end: `${year}-12-31`,
              measure: 'level', attributed_to: null, disputed_by: null, value, value_low: null, value_high: null, qualifier: 'exact',
              verification: 'reported', reported_by: 'Appeals office', claimed_by: null, source_id: source.id,
              source_quote: `${value} USD`, notes: null, status: 'published',
            },
            'create', null, null,
          );
        }
      }
    });
    const after = (await request(app).get('/').expect(200)).text;
    const rows = rowsOf(after);
    expect(rows).toHaveLength(20);
    // The seed's own appeal (2023) comes first; of the 30 added, 2019's to 2001's follow (2019: 3,900,000 of 4,000,000 received).
    const listed = rows.filter((r) => r.includes(place.name));
    expect(listed).toHaveLength(19);
    expect(listed[0]).toMatch(/\|2019\|[\s\S]*US\$ 3,900,000[\s\S]*\|98%\|/);
    expect(listed[18]).toMatch(/\|2001\|/);
    expect(after).toContain('Only the 20 latest appeals are listed.');
    expect(after).toContain('href="/figures?indicator=funding_required_usd"');
  });

  test('shows headline numbers with their sources and charts the seed figures correctly', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/').expect(200);
    expect(res.text).toContain('Civilians killed since 24 Feb 2022');
    expect(res.text).toMatch(/class="headline-number" href="\/figures\/\d+">10,382<\/a>/);
    expect(res.text).toContain('19,659');
    expect(res.text).toContain('&gt; 14.6 M');
    expect(res.text).toContain('~ 64%');
    const charts = chartData(res.text);
    const [running, counts] = charts;
    expect(running?.kind).toBe('running_total');
    expect(running?.series.find((s) => s.label === 'Civilian deaths · Ukraine · United Nations')?.points.map((p) => [p.x, p.y])).toEqual([
      ['2024-01-10', 10000],
      ['2024-02-07', 10382],
    ]);
    expect(counts?.kind).toBe('period_count');
    const deathsUkr = counts?.series.find((s) => s.label === 'Civilian deaths · Ukraine · UN OCHA');
    expect(deathsUkr?.points.map((p) => p.y)).toEqual([58, 98]);
    const belgorod = counts?.series.find((s) => s.label === 'Civilian deaths · Belgorod Oblast · UN DPPA')?.points[0];
    expect(belgorod?.t).toBe('≥ 24');
    expect(belgorod?.tip).toContain('Reported');
    const claim = counts?.series.find((s) => s.distinct === 'claimed');
    expect(claim?.label).toBe('Civilian deaths · Luhanska · Russian Federation (claim)');
    expect(claim?.points[0]?.tip).toContain('Claimed by a party by Russian Federation');
    expect(charts.map((c) => c.unit)).toEqual(['people', 'people', 'usd', 'people']);
    expect(res.text).toContain('Download this data (CSV)');
    expect(res.text).toContain('href="/export/figures.csv?indicator=civilian_deaths&amp;indicator=civilian_injuries"');
    expect(res.text).toContain('Download image (PNG)');
    expect(res.text).toContain('<caption>Plotted numbers: Civilian deaths and Civilian injuries — Ukraine: running totals</caption>');
    expect(res.text).toContain('aria-label="Chart: Civilian deaths and Civilian injuries — Ukraine: running totals.');
    expect(res.text).toContain('<script src="/vendor/chart.umd.min.js" defer></script>');
    expect(res.text).not.toMatch(/<script>|style="|onclick=/);
  });

  test('an empty database shows empty states, not errors', async () => {
    const { app } = createTestApp({ seed: false });
    const res = await request(app).get('/').expect(200);
    expect(res.text).toContain('No published figures yet.');
    expect(res.text).toContain('No published figures to chart here yet.');
  });
});

describe('GET /indicators/:code', () => {
  test('charts one indicator and lists every figure', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/indicators/civilian_deaths').expect(200);
    expect(res.text).toContain('<h1>Civilian deaths</h1>');
    expect(chartData(res.text).map((c) => c.kind)).toEqual(['running_total', 'period_count']);
    expect((res.text.match(/<tr>\s*<td data-label="Indicator"><a href="\/figures\/\d+">Civilian deaths<\/a>/g) ?? []).length).toBe(6);
    const byOriginator = await request(app).get('/indicators/civilian_deaths?by=originator').expect(200);
    expect(byOriginator.text).toContain('aria-current="true">originator</a>');
  });

  test('an unknown indicator is 404, a bad ?by= or date is 400, and an empty database is an empty state', async () => {
    const { app } = createTestApp();
    await request(app).get('/indicators/no_such').expect(404);
    expect((await request(app).get('/indicators/civilian_deaths?by=colour').expect(400)).text).toContain('by must be');
    expect((await request(app).get('/indicators/civilian_deaths?from=13/01/2024').expect(400)).text).toContain('from must be a date written YYYY-MM-DD');
    const empty = createTestApp({ seed: false });
    const list = await request(empty.app).get('/indicators').expect(200);
    expect(list.text).toContain('No indicators yet.');
  });

  test('the indicator list links every indicator', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/indicators').expect(200);
    expect(res.text).toContain('href="/indicators/funding_received_usd"');
  });
});

describe('GET /compare', () => {
  test('follows the query string: indicators, places, dates; dollars and people get separate panels', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/compare?indicator=civilian_deaths&indicator=funding_required_usd&location=UKR&from=2023-01-01&to=2024-12-31').expect(200);
    const charts = chartData(res.text);
    expect(charts.map((c) => [c.kind, c.unit])).toEqual([['running_total', 'people'], ['period_count', 'people'], ['level', 'usd']]);
    expect(res.text).toContain('<option value="civilian_deaths" selected>');
    expect(res.text).toContain('value="2023-01-01"');
    expect(res.text).toContain('href="/export/figures.csv?indicator=civilian_deaths&amp;indicator=funding_required_usd&amp;location=UKR&amp;from=2023-01-01&amp;to=2024-12-31"');
    const claimsOnly = await request(app).get('/compare?indicator=civilian_deaths&verification=claimed').expect(200);
    expect(chartData(claimsOnly.text).flatMap((c) => c.series.map((s) => s.label))).toEqual(['Luhanska · Russian Federation (claim)']);
    const byOriginator = await request(app).get('/compare?indicator=civilian_deaths&originator=UN%20DPPA').expect(200);
    expect(chartData(byOriginator.text).flatMap((c) => c.series.map((s) => s.label))).toEqual(['Belgorod Oblast · UN DPPA']);
  });

  test('without an indicator it asks for one; a range with nothing in it is an empty state', async () => {
    const { app } = createTestApp();
    expect((await request(app).get('/compare').expect(200)).text).toContain('Choose at least one indicator to compare.');
    const none = await request(app).get('/compare?indicator=civilian_deaths&from=2030-01-01').expect(200);
    expect(none.text).toContain('No published figures match this comparison.');
    const empty = createTestApp({ seed: false });
    expect((await request(empty.app).get('/compare').expect(200)).text).toContain('Choose at least one indicator');
  });

  test.each([
    ['/compare?indicator=no_such_thing', 'unknown indicator &#34;no_such_thing&#34;'],
    ['/compare?indicator=civilian_deaths&from=2024-02-01&to=2024-01-01', 'from (2024-02-01) is after to (2024-01-01)'],
    ['/compare?indicator=civilian_deaths&from=2024-02-30', 'from &#34;2024-02-30&#34; is not a date that exists'],
    ['/compare?indicator=civilian_deaths&to=yesterday', 'to must be a date written YYYY-MM-DD'],
    ['/compare?location=ATLANTIS', 'unknown location &#34;ATLANTIS&#34;'],
    ['/compare?originator=Nobody', 'unknown originator &#34;Nobody&#34;'],
    ['/compare?verification=rumoured', 'unknown verification &#34;rumoured&#34;'],
  ])('%s is a 400 that says what is wrong', async (url, message) => {
    const { app } = createTestApp();
    const res = await request(app).get(url).expect(400);
    expect(res.text).toContain('Bad request');
    expect(res.text).toContain(message);
  });
});

describe('GET /sources/:id and /locations/:code', () => {
  test('a source page lists every figure from the document with its quotes and charts them', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/sources/1').expect(200);
    expect(res.text).toContain('<dt>Publisher</dt>');
    expect(res.text).toContain('Figures from this document');
    expect(chartData(res.text).length).toBeGreaterThan(0);
    await request(app).get('/sources/999').expect(404);
    expect((await request(app).get('/sources/abc').expect(400)).text).toContain('source id must be a positive whole number');
  });

  test('a place page charts every indicator there and lists the places within it', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/locations/UKR').expect(200);
    expect(res.text).toContain('Places within Ukraine');
    expect(res.text).toContain('href="/locations/UA44"');
    // One panel per kind of figure and unit: people, attacks, missiles, shares and dollars never share an axis.
    expect(chartData(res.text).map((c) => [c.kind, c.unit])).toEqual([
      ['running_total', 'attacks'], ['running_total', 'missiles'], ['running_total', 'people'],
      ['period_count', 'attacks'], ['period_count', 'incidents'], ['period_count', 'missiles'], ['period_count', 'people'],
      ['level', 'people'], ['level', 'percent'], ['level', 'settlements'], ['level', 'usd'],
    ]);
    const child = await request(app).get('/locations/UA44').expect(200);
    expect(child.text).toContain('part of <a href="/locations/UKR">Ukraine</a>');
    await request(app).get('/locations/XX').expect(404);
  });

  test('with an empty database a place or source does not exist (404) rather than failing', async () => {
    const { app } = createTestApp({ seed: false });
    await request(app).get('/locations/UKR').expect(404);
    await request(app).get('/sources/1').expect(404);
  });

  test('a place with no figures shows an empty state', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/locations/UA46').expect(200);
    expect(res.text).toContain('No published figures to chart here yet.');
    expect(res.text).toContain('No published figures yet.');
  });
});

describe('escaping', () => {
  test('a hostile source title and quote are escaped in the HTML and in the chart JSON', async () => {
    const { app, db } = createTestApp();
    const title = '</script><script>alert(1)</script>"><img src=x onerror=alert(2)>';
    db.prepare('UPDATE sources SET title = ? WHERE id = 1').run(title);
    db.prepare('UPDATE figures SET source_quote = ? WHERE source_id = 1').run('"><img src=x onerror=alert(3)></script>');
    for (const url of ['/', '/sources/1', '/indicators/civilian_deaths', '/compare?indicator=civilian_deaths']) {
      const res = await request(app).get(url).expect(200);
      expect(res.text).not.toContain('<img src=x');
      expect(res.text).not.toContain('</script><script>');
      expect(res.text).not.toMatch(/<script>/);
      const tips = chartData(res.text).flatMap((c) => c.series.flatMap((s) => s.points.flatMap((p) => p.tip)));
      expect(tips.some((t) => t.includes(title))).toBe(true);
    }
    const source = await request(app).get('/sources/1').expect(200);
    expect(source.text).toContain('&lt;img src=x onerror=alert(3)&gt;&lt;/script&gt;');
    expect(source.text).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(2)&gt;');
  });
});

describe('chart data and scripts', () => {
  test('the chart CSV link downloads exactly the charted rows through the export writer', async () => {
    const { app, db } = createTestApp();
    db.prepare("UPDATE figures SET notes = '=HYPERLINK(\"x\")' WHERE value = 28").run();
    const page = await request(app).get('/indicators/civilian_deaths?location=UA44').expect(200);
    const href = /href="(\/export\/figures\.csv\?[^"]*)"/.exec(page.text)?.[1]?.replace(/&amp;/g, '&');
    expect(href).toBeDefined();
    const res = await request(app).get(href as string).expect(200).expect('Content-Type', /text\/csv/);
    const lines = res.text.trim().split('\r\n');
    expect(lines[0]).toBe(
      'figure_id,indicator_code,indicator_name,unit,location_code,location_name,admin_level,reference_period_start,reference_period_end,value,value_low,value_high,qualifier,verification,reported_by,claimed_by,source_title,source_publisher,source_url,source_published_on,source_quote,notes,status,updated_at,measure,source_id,version,attributed_to,disputed_by',
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(',28,,,exact,claimed,Russian Federation,Russian Federation,');
    expect(lines[1]).toContain(`"'=HYPERLINK(""x"")"`);
  });

  test('Chart.js and the date adapter are served from the app; nothing else under /vendor', async () => {
    const { app } = createTestApp();
    const chart = await request(app).get('/vendor/chart.umd.min.js').expect(200).expect('Content-Type', /javascript/);
    expect(chart.text).toContain('Chart');
    await request(app).get('/vendor/chartjs-adapter-date-fns.bundle.min.js').expect(200);
    await request(app).get('/vendor/..%2Fpackage.json').expect(404);
    await request(app).get('/vendor/helpers.js').expect(404);
    await request(app).get('/js/charts.js').expect(200);
  });
});

describe('long figure lists', () => {
  test('indicator and place pages list the latest 50 figures and link to all of them', async () => {
    const { app, db } = createTestApp();
    const clone = db.prepare(`INSERT INTO figures (indicator_id, location_id, reference_period_start, reference_period_end, value, qualifier, verification, reported_by, source_id, source_quote, status)
      SELECT indicator_id, location_id, date('2023-01-01', '+' || ? || ' days'), date('2023-01-01', '+' || ? || ' days'), 5, qualifier, verification, reported_by, source_id, source_quote, 'published'
      FROM figures WHERE value = 58`);
    for (let i = 0; i < 60; i++) clone.run(i, i);
    const indicator = await request(app).get('/indicators/civilian_deaths').expect(200);
    expect(indicator.text).toContain('The 50 latest of 66 figures.');
    expect(indicator.text).toContain('href="/figures?indicator=civilian_deaths"');
    const place = await request(app).get('/locations/UKR').expect(200);
    expect(place.text).toMatch(/The 50 latest of \d+ figures\./);
    expect(place.text).toContain('href="/figures?location=UKR"');
  });
});

describe('a figure keeps its measure under every filter', () => {
  test.each(['', '&from=2024-02-01', '&from=2024-02-01&to=2024-02-28', '&verification=verified'])(
    '/compare?indicator=civilian_deaths&location=UKR%s draws 10,382 as a running total',
    async (extra) => {
      const { app } = createTestApp();
      const charts = chartData((await request(app).get(`/compare?indicator=civilian_deaths&location=UKR${extra}`).expect(200)).text);
      const holding = charts.filter((c) => c.series.some((s) => s.points.some((p) => p.y === 10382)));
      expect(holding.map((c) => c.kind)).toEqual(['running_total']);
    },
  );

  test('from 2024-02-01 the UN count is still a running total, alone on its line, and the short counts stay counts', async () => {
    const { app } = createTestApp();
    const line = (charts: ChartJson[]) =>
      charts.find((c) => c.kind === 'running_total')?.series.find((s) => s.o === 'United Nations')?.points.map((p) => [p.x, p.y, p.t]);
    const all = chartData((await request(app).get('/compare?indicator=civilian_deaths&location=UKR').expect(200)).text);
    expect(line(all)).toEqual([['2024-01-10', 10000, '10,000'], ['2024-02-07', 10382, '10,382']]);
    expect(all.find((c) => c.kind === 'period_count')?.series.flatMap((s) => s.points.map((p) => p.y))).toEqual([58, 98]);
    const later = chartData((await request(app).get('/compare?indicator=civilian_deaths&location=UKR&from=2024-02-01').expect(200)).text);
    expect(later.map((c) => c.kind)).toEqual(['running_total']);
    expect(line(later)).toEqual([['2024-02-07', 10382, '10,382']]);
  });
});
