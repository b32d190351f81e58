import request from 'supertest';
import { createTestApp } from '../helpers/app';
import { staff } from '../helpers/staff';

const PAGES = ['/', '/indicators/civilian_deaths', '/compare?indicator=civilian_deaths&location=UKR', '/figures?indicator=civilian_deaths', '/locations/UKR'];

/** Whether a page shows the value: as displayed on HTML pages, as the value cell in CSV, as the value field in JSON. */
function shows(url: string, text: string, value: number): boolean {
  if (url.startsWith('/export/')) return text.includes(`,${value},`);
  if (url.startsWith('/api/')) return text.includes(`"value":${value},`);
  // Chart tooltips carry the source's quote, which may state another figure's number (19,659 injured is quoted beside 10,382 killed).
  return text.replace(/"q":"(?:[^"\\]|\\.)*"/g, '').includes(value.toLocaleString('en-GB'));
}

async function everything(app: ReturnType<typeof createTestApp>['app']): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const url of [...PAGES, '/export/figures.csv?indicator=civilian_deaths', '/api/v1/figures?indicator=civilian_deaths']) {
    out[url] = (await request(app).get(url).expect(200)).text;
  }
  return out;
}

describe('cached pages never outlive the data they show', () => {
  test('after an edit, a retire and a publish every page, chart, API answer and export shows the change on the next request', async () => {
    const { app, db } = createTestApp();
    const id = db.prepare<[], { id: number }>('SELECT id FROM figures WHERE value = 10382').get()?.id as number;
    const before = await everything(app);
    for (const [url, text] of Object.entries(before)) expect([url, shows(url, text, 10382)]).toEqual([url, true]);

    db.prepare('UPDATE figures SET value = 10390, version = version + 1 WHERE id = ?').run(id); // a published edit
    const edited = await everything(app);
    for (const [url, text] of Object.entries(edited)) {
      expect([url, shows(url, text, 10390)]).toEqual([url, true]);
      expect([url, shows(url, text, 10382)]).toEqual([url, false]);
    }

    db.prepare("UPDATE figures SET status = 'retired', retired_reason = 'Superseded' WHERE id = ?").run(id); // a retire
    const retired = await everything(app);
    for (const [url, text] of Object.entries(retired)) expect([url, shows(url, text, 10390)]).toEqual([url, false]);

    db.prepare("UPDATE figures SET status = 'published', retired_reason = NULL, value = 10400 WHERE id = ?").run(id); // a publish
    const published = await everything(app);
    for (const [url, text] of Object.entries(published)) expect([url, shows(url, text, 10400)]).toEqual([url, true]);
  });
});

describe('the response cache', () => {
  test('a repeated anonymous request runs no query on figures until the data changes', async () => {
    const { app, db } = createTestApp();
    const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as { all: (...args: unknown[]) => unknown };
    const original = proto.all;
    const ran: string[] = [];
    const spy = jest.spyOn(proto, 'all').mockImplementation(function (this: { source: string }, ...args: unknown[]) {
      ran.push(this.source);
      return original.apply(this, args);
    });
    try {
      const first = await request(app).get('/figures?indicator=civilian_deaths').expect(200);
      const queried = ran.filter((sql) => sql.includes('FROM figures')).length;
      expect(queried).toBeGreaterThan(0);
      const second = await request(app).get('/figures?indicator=civilian_deaths').expect(200);
      expect(second.text).toBe(first.text);
      expect(ran.filter((sql) => sql.includes('FROM figures')).length).toBe(queried);
      await request(app).get('/figures?indicator=civilian_deaths').set('If-None-Match', second.headers.etag as string).expect(304);
      db.prepare('UPDATE figures SET notes = ? WHERE id = 1').run('changed');
      await request(app).get('/figures?indicator=civilian_deaths').expect(200);
      expect(ran.filter((sql) => sql.includes('FROM figures')).length).toBeGreaterThan(queried);
    } finally {
      spy.mockRestore();
    }
  });

  test('the login page and staff pages are never shared', async () => {
    const t = createTestApp();
    const a = await request(t.app).get('/login').expect(200);
    const b = await request(t.app).get('/login').expect(200);
    const token = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(token(a.text)).not.toBe('');
    expect(token(a.text)).not.toBe(token(b.text));
    await request(t.app).get('/').expect(200);
    const ada = await staff(t, 'ada', 'admin');
    const page = await ada.agent.get('/').expect(200);
    expect(page.text).toContain('ada');
    expect((await request(t.app).get('/').expect(200)).text).not.toContain('Sign out');
  });
});
