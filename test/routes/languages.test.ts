import request from 'supertest';
import { parseCsv } from '../helpers/csv';
import { createTestApp } from '../helpers/app';
import { chartPanels, decodeHtml as decode } from '../helpers/charts';
import { fromAcceptLanguage } from '../../server/i18n';

describe('pages in Ukrainian as well as English', () => {
  test('?lang=uk shows the Ukrainian navigation, headings and dates, remembers the choice, and names places in Ukrainian', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/?lang=uk').expect(200);
    expect(res.text).toContain('<html lang="uk">');
    expect(res.headers['content-language']).toBe('uk');
    expect(res.text).toContain('<a href="/" aria-current="page">Огляд</a>');
    expect(res.text).toContain('<h1>Шкода цивільним і гуманітарне реагування</h1>');
    expect(res.text).toContain('Загинуло цивільних з 24 лютого 2022 р.');
    expect(res.text).toContain('>Діаграма</a>');
    expect(res.headers['set-cookie']?.[0]).toMatch(/^tally_lang=uk;/);
    const places = await request(app).get('/locations').set('Cookie', 'tally_lang=uk').expect(200);
    expect(places.text).toContain('<a href="/locations/UKR">Україна</a>');
    const indicators = await request(app).get('/indicators?lang=uk').expect(200);
    expect(indicators.text).toContain('>Загибель цивільних</a>');
  });

  test('Accept-Language chooses the language when the address does not, and the page cache keeps the two apart', async () => {
    const { app } = createTestApp();
    const en = await request(app).get('/').expect(200);
    expect(en.text).toContain('<html lang="en">');
    const uk = await request(app).get('/').set('Accept-Language', 'uk-UA,uk;q=0.9,en;q=0.8').expect(200);
    expect(uk.text).toContain('<html lang="uk">');
    const enAgain = await request(app).get('/').set('Accept-Language', 'en-GB').expect(200);
    expect(enAgain.text).toContain('<html lang="en">');
    expect(uk.headers.vary).toMatch(/Accept-Language/);
    expect(fromAcceptLanguage('de-DE, uk;q=0.5, en;q=0.4')).toBe('uk');
    expect(fromAcceptLanguage('fr')).toBe('en');
    expect(fromAcceptLanguage('uk;q=0, en')).toBe('en');
  });

  test('the switcher keeps what the page shows and drops tracking parameters', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/compare?indicator=civilian_deaths&utm_source=x').expect(200);
    expect(res.text).toContain('href="/compare?indicator=civilian_deaths&amp;lang=uk" lang="uk" hreflang="uk">Українська</a>');
  });

  test('quotes and exports are never translated', async () => {
    const { app } = createTestApp();
    const page = await request(app).get('/?lang=uk').expect(200);
    expect(page.text).toContain('The United Nations has confirmed 10,382 civilian deaths');
    const en = await request(app).get('/export/figures.csv?indicator=civilian_deaths').expect(200);
    const uk = await request(app).get('/export/figures.csv?indicator=civilian_deaths').set('Accept-Language', 'uk').set('Cookie', 'tally_lang=uk').expect(200);
    expect(uk.text).toBe(en.text);
    expect(parseCsv(uk.text)[1]?.[2]).toBe('Civilian deaths');
  });

  test('the footer says the method, the licence and when the data last changed', async () => {
    const { app, q } = createTestApp();
    const res = await request(app).get('/indicators/civilian_deaths').expect(200);
    expect(res.text).toContain('Method: each figure keeps its measure');
    expect(res.text).toContain('Licence: ');
    const changed = q.exports.dataVersion().changedAt.slice(0, 10);
    const [y, m, d] = changed.split('-');
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    expect(res.text).toContain(`Last updated: ${Number(d)} ${months[Number(m) - 1]} ${y}.`);
  });
});

describe('charts in Ukrainian', () => {
  const panelsOf = (html: string): { title: string; unit: string; categories: string[]; series: { label: string; colour: number; points: { t: string; tip: string[] }[] }[] }[] =>
    chartPanels(html);

  test('titles, subtitles, series, tables and tooltips are written in Ukrainian, with Ukrainian names, numbers and dates', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/?lang=uk').expect(200);
    // Title and subtitle: names from translated_names, the measure and the span in Ukrainian.
    expect(res.text).toContain('<h3 id="casualties-1-title" class="chart-title">Загибель цивільних і Поранення цивільних — Україна: наростальні підсумки</h3>');
    expect(res.text).toContain('<p class="card-subtitle">24 лютого 2022 р. – 7 лютого 2024 р. Скільки враховано (люди)');
    // The table: headers, a series, a period, a number with Ukrainian grouping, a verification.
    expect(res.text).toContain('<th scope="col">Ряд</th><th scope="col">З … станом на</th><th scope="col" class="num">Значення</th>');
    expect(res.text).toContain('<td data-label="Ряд">Загибель цивільних · Україна · United Nations</td>');
    expect(res.text).toContain('<td class="period" data-label="З … станом на">24 лютого 2022 – 7 лютого 2024\u202fрр.</td>');
    expect(res.text).toContain(`>${new Intl.NumberFormat('uk').format(10382)}</a>`);
    expect(res.text).toContain('<span class="badge badge-verified">Перевірено</span>');
    expect(res.text).toMatch(/<p class="card-source">Джерело: United Nations, як зазначено в: .*\(UPI, 7 лютого 2024 р\.\)/);
    // The headline number.
    expect(res.text).toMatch(/<a class="headline-number" href="\/figures\/\d+">10\u00a0382<\/a>/);
    // The chart's JSON: title, series label, the tooltip's lines and the labels drawn on it.
    const running = panelsOf(res.text)[0];
    expect(running?.title).toBe('Загибель цивільних і Поранення цивільних — Україна: наростальні підсумки');
    const deaths = running?.series.find((s) => s.label === 'Загибель цивільних · Україна · United Nations');
    expect(deaths?.points.map((p) => p.t)).toContain('10\u00a0382');
    expect(deaths?.points.at(-1)?.tip).toEqual(['10\u00a0382', 'Вид: Наростальний підсумок з 24 лютого 2022 р., станом на 7 лютого 2024 р.', 'Перевірено', 'Період: 24 лютого 2022 – 7 лютого 2024\u202fрр.']);
    // Shortened values: "> 14,6 млн" people in need, with the Ukrainian decimal comma.
    expect(res.text).toContain('&gt; 14,6 млн');
    // The script's own words (tooltip lines it adds, the PNG's line) come from the page.
    const strings = JSON.parse(decode(/data-strings="([^"]*)"/.exec(res.text)?.[1] ?? '{}')) as Record<string, string>;
    expect(strings).toMatchObject({ locale: 'uk-UA', originator: 'Джерело числа: ', document: 'Документ: ', open: 'Відкрити число →', made: 'створено {{date}}' });
    // The list of latest figures under the charts: Ukrainian headings, numbers and dates.
    expect(res.text).toContain('<th scope="col">Показник</th><th scope="col">Місце</th><th scope="col">Період</th>');
    expect(res.text).toMatch(/<td class="period" data-label="Період">\d{1,2} [а-яіїєґ]+ (\d{4}\s)?(– \d{1,2} [а-яіїєґ]+ )?\d{4}\s(р|рр)\.<\/td>/);
  });

  test('the English page is unchanged, and the colours are the same in both languages', async () => {
    const { app } = createTestApp();
    const en = await request(app).get('/').expect(200);
    expect(en.text).toContain('<h3 id="casualties-1-title" class="chart-title">Civilian deaths and Civilian injuries — Ukraine: running totals</h3>');
    expect(en.text).toContain('>10,382</a>');
    expect(en.text).toContain('<td class="period" data-label="Since … as of">2022-02-24 – 2024-02-07</td>');
    const uk = await request(app).get('/?lang=uk').expect(200);
    const colours = (html: string): number[][] => panelsOf(html).map((p) => p.series.map((s) => s.colour));
    expect(colours(uk.text)).toEqual(colours(en.text));
  });

  test('quotes stay as stated on a Ukrainian page, and an embed is Ukrainian too', async () => {
    const { app } = createTestApp();
    const embed = await request(app).get('/embed/dashboard/casualties?lang=uk').expect(200);
    expect(embed.text).toContain('<html lang="uk">');
    expect(embed.text).toContain('Загибель цивільних і Поранення цивільних — Україна: наростальні підсумки');
    const q = panelsOf(embed.text).flatMap((p) => p.series.flatMap((s) => s.points.map((pt) => (pt as { q?: string }).q))).find(Boolean);
    expect(q).toMatch(/^[\x20-\x7e…’“”–—]+$/);
  });
});

describe('a figure in Ukrainian', () => {
  test("its page names the figure's indicator and place in Ukrainian; its quote stays as stated", async () => {
    const { app, q } = createTestApp();
    const f = q.charts.listFigures({ indicatorCodes: ['civilian_deaths'], locationCodes: ['UKR'] })[0];
    const res = await request(app).get(`/figures/${f?.id}?lang=uk`).expect(200);
    expect(res.text).toContain('<h1>Загибель цивільних — Україна</h1>');
    expect(res.text).toContain('<a href="/indicators/civilian_deaths">Загибель цивільних</a>');
    expect(res.text).toContain(f?.source_quote.replace(/"/g, '&#34;').slice(0, 40));
  });

  test('its public history is Ukrainian: headings, revision kinds, field names and names of things', async () => {
    const { app, q } = createTestApp();
    const f = q.charts.listFigures({ indicatorCodes: ['civilian_deaths'], locationCodes: ['UKR'] })[0];
    const uk = await request(app).get(`/figures/${f?.id}/history?lang=uk`).expect(200);
    expect(uk.text).toContain('<h1>Історія: Загибель цивільних — Україна</h1>');
    expect(uk.text).toContain('<th scope="col">Поле</th><th scope="col">Було</th><th scope="col">Стало</th>');
    expect(uk.text).toContain('<th scope="row">Показник</th>');
    expect(uk.text).toContain('<td><ins>Загибель цивільних</ins></td>');
    expect(uk.text).toMatch(/редакція \d+ · версія \d+/);
    expect(uk.text).not.toMatch(/>(Field|Before|After|Indicator)</);
    const en = await request(app).get(`/figures/${f?.id}/history`).expect(200);
    expect(en.text).toContain('<h1>History: Civilian deaths — Ukraine</h1>');
    expect(en.text).toContain('<th scope="row">Indicator</th>');
    expect(en.text).toMatch(/revision \d+ · version \d+/);
    // The list of every figure is titled in the page's language too.
    expect((await request(app).get('/figures?lang=uk').expect(200)).text).toMatch(/<title>Дані[^<]*<\/title>/);
  });
});

describe('about this data on an indicator page', () => {
  test('states the method, the unit, the licence and when its figures last changed', async () => {
    const { app, q } = createTestApp();
    const res = await request(app).get('/indicators/civilian_deaths').expect(200);
    expect(res.text).toContain('<h2 id="about-heading">About this data</h2>');
    expect(res.text).toMatch(/<dt>Method<\/dt>\s*<dd>Each figure is either a running total/);
    expect(res.text).toMatch(/<dt>Licence<\/dt>\s*<dd>Compiled figures, sources and quotes: CC BY 4.0/);
    const latest = q.charts.listFigures({ indicatorCodes: ['civilian_deaths'] }).reduce((m, f) => (f.updated_at > m ? f.updated_at : m), '');
    expect(res.text).toContain(`<dt>Last updated</dt><dd>${latest.slice(0, 10).split('-').map(Number)[2]} `);
  });
});

describe('every public page in Ukrainian', () => {
  // For each page kind: a label the page showed in English is shown in Ukrainian on ?lang=uk, and the English one is gone.
  const pages: [string, string, string[], string[]][] = [
    ['dashboard', '/', ['<caption class="visually-hidden">Найновіші опубліковані числа</caption>'], ['Latest published figures']],
    ['indicator', '/indicators/civilian_deaths', ['<dt>Метод</dt>', '<dt>Одиниця</dt>', '>Порівняти з іншими показниками</a>', '<span>Колір рядів за:</span>', '<h2 id="about-heading">Про ці дані</h2>'], ['Colour series by:', 'Compare with other indicators', '<dt>Method</dt>', 'A flow: figures for periods']],
    [
      'compare',
      '/compare',
      ['<h1>Порівняння чисел у часі</h1>', '<label for="c-indicator">Показники</label>', '<optgroup label="Люди">', '<optgroup label="Країни">', '>Порівняти</button>', '<option value="">Усі документи</option>', '<title>Порівняння · Tally</title>', 'data-search="Пошук…" data-search-label="Пошук показників"', '<optgroup label="Одиниця: атаки">'],
      ['Compare figures over time', '>Indicators</label>', '<optgroup label="People">', '<optgroup label="Countries">', '>Compare</button>', 'All documents', '(none: all)', 'Одиниця: attacks'],
    ],
    ['compare with notes', '/compare?indicator=civilian_deaths&foo=1', ['Не зрозуміло, тому не застосовано: “foo”.', 'Посилання на це порівняння:'], ['Not understood, so not applied', 'Link to this comparison:']],
    [
      'figure',
      '/figures/1',
      ['<dt>Значення</dt>', '<dt>Уточнення</dt>', '<dt>Діапазон</dt>', '<dt>Вид</dt>', '<dt>Перевірка</dt>', '<dt>Джерело числа</dt>', '<dt>Період</dt>', '(обидва дні включно)', '<dt>Документ</dt>', '<h2 id="source-heading">Джерело</h2>', '>історія</a>', '<span class="unit">люди</span>'],
      ['<dt>Value</dt>', '<dt>Qualifier</dt>', '<dt>Range</dt>', '<dt>Measure</dt>', '<dt>Originator</dt>', '<dt>Reference period</dt>', '(both days included)', '<h2 id="source-heading">Source</h2>', '>history</a>', '<span class="unit">people</span>'],
    ],
    ['sources', '/sources', ['<h1>Джерела</h1>', '<th scope="col">Видавець</th>', '<th scope="col" class="num">Опубліковані числа</th>', 'data-label="Документ"'], ['<h1>Sources</h1>', '>Publisher</th>', 'Published figures', 'data-label="Document"']],
    ['source', '/sources/1', ['<dt>Видавець</dt>', '<dt>Опубліковано</dt>', '<h2>Числа з цього документа</h2>', '<h2>На діаграмі</h2>', '>Джерела</a> › Джерело 1'], ['<dt>Publisher</dt>', 'Figures from this document', '<h2>Charted</h2>', '› Source 1']],
    ['locations', '/locations', ['<h1>Місця</h1>', '>Країни</h2>', 'опубліковане число: 1</li>'], ['<h1>Places</h1>', '>Countries</h2>', 'published figure']],
    ['place', '/locations/UKR', ['<h2>Кожен показник у часі</h2>', 'Адміністративний рівень 0', '<title>Україна · Tally</title>'], ['Every indicator over time', 'Admin level 0', '<title>Ukraine · Tally</title>']],
    ['embed', '/embed/compare?indicator=civilian_deaths', ['<title>Порівняння · Tally</title>'], ['<title>Comparison · Tally</title>']],
    ['embed of a dashboard chart', '/embed/dashboard/casualties', ['<title>Загибель і поранення цивільних · Tally</title>'], ['<title>Civilian deaths and injuries · Tally</title>']],
    ['topics', '/topics', ['<h1>Теми</h1>', '<title>Теми · Tally</title>'], ['<h1>Topics</h1>', 'Stories that span several indicators']],
    ['topic', '/topics/north-korean-missiles', ['<h2 id="figures">Усі числа по порядку</h2>', '<th scope="col">Хто наводить</th>', '>Теми</a> ›'], ['Every figure, in order', 'Stated by', '>Topics</a>']],
    ['404', '/nothing-here', ['<h1>Не знайдено</h1>', '<title>404 — Не знайдено · Tally</title>', '>Переглянути всі числа</a>', '<span lang="en">There is nothing at /nothing-here.</span>'], ['<h1>Not found</h1>', 'Browse all figures']],
  ];

  test.each(pages)('%s (%s) shows its labels in Ukrainian and not in English', async (_kind, path, ukrainian, english) => {
    const { app } = createTestApp();
    const uk = await request(app).get(`${path}${path.includes('?') ? '&' : '?'}lang=uk`);
    expect(uk.text).toContain('<html lang="uk">');
    for (const label of ukrainian) expect(uk.text).toContain(label);
    for (const label of english) expect(uk.text).not.toContain(label);
  });

  test('the same labels stay English on English pages', async () => {
    const { app } = createTestApp();
    const figure = await request(app).get('/figures/1').expect(200);
    expect(figure.text).toContain('<dt>Qualifier</dt>');
    expect(figure.text).toContain('(both days included)');
    const compare = await request(app).get('/compare').expect(200);
    expect(compare.text).toContain('<optgroup label="People">');
    expect(compare.text).toContain('<optgroup label="Counted in attacks">');
    expect(compare.text).toContain('<select id="c-indicator" name="indicator" multiple size="8" class="searchable">');
    expect(compare.text).toContain('<label for="c-location">Places <span class="hint">(none: all)</span></label>');
    const missing = await request(app).get('/nothing-here').expect(404);
    expect(missing.text).toContain('<p class="error-message">There is nothing at /nothing-here.</p>');
  });

  test('a timestamp on a Ukrainian page is written the Ukrainian way', async () => {
    const { app } = createTestApp();
    const page = await request(app).get('/figures/1?lang=uk').expect(200);
    const stamp = /<time datetime="(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2})[^"]*"[^>]*>([^<]*)<\/time>/.exec(page.text);
    expect(stamp).not.toBeNull();
    const [, y, m, d, hm, shown] = stamp ?? [];
    const day = new Intl.DateTimeFormat('uk-UA', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${y}-${m}-${d}T00:00:00Z`));
    expect(shown).toBe(`${day}, ${hm} UTC`);
    expect(shown).toMatch(/р\., \d{2}:\d{2} UTC$/);
  });
});
