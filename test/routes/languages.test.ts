import request from 'supertest';
import { parseCsv } from '../helpers/csv';
import { createTestApp } from '../helpers/app';
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
