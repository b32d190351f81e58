/**
 * The value and verification cells of lists and of a figure's page
 * (valueHtml, verificationHtml in server/format.ts): HTML written in
 * TypeScript, so what a source or a person typed is escaped here, and the
 * qualifier and range stay attached to the number.
 */
import request from 'supertest';
import { createTestApp } from '../helpers/app';

describe('figure cells', () => {
  test('a claimant, a qualifier and a range typed with markup are shown as text on the list and the figure page, in both languages', async () => {
    const t = createTestApp();
    const id = t.db.prepare<[], { id: number }>("SELECT id FROM figures WHERE status = 'published' ORDER BY id LIMIT 1").get()?.id as number;
    t.db
      .prepare("UPDATE figures SET verification = 'claimed', claimed_by = '<img src=x onerror=alert(1)>\"''&', qualifier = 'at_least', value = 120, value_low = 100, value_high = 150 WHERE id = ?")
      .run(id);
    for (const url of [`/figures/${id}`, `/figures/${id}?lang=uk`, '/figures?lang=en']) {
      const res = await request(t.app).get(url).expect(200);
      expect(res.text).not.toContain('<img src=x');
      expect(res.text).toContain('&lt;img src=x onerror=alert(1)&gt;&#34;&#39;&amp;');
    }
    const page = (await request(t.app).get(`/figures/${id}`).expect(200)).text;
    expect(page).toMatch(/<span class="value" title="at least 120">≥ 120<\/span>\n<span class="visually-hidden">\(at least\)<\/span>\n<span class="range">range 100 – 150<\/span>/);
    expect(page).toContain('<span class="badge badge-claimed">Claimed by a party</span> <span class="claimed-by">by &lt;img');
  });
});
