import request from 'supertest';
import { createTestApp } from '../helpers/app';

describe('GET /sources', () => {
  test('lists each source document with its publisher, date and published figure count', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/sources').expect(200);
    expect(res.text).toContain('Russia has launched North Korean missiles at least 9 times in Ukraine: U.S. diplomat');
    expect(res.text).toMatch(/<td data-label="Publisher">UPI<\/td>\s*<td class="period" data-label="Published">2024-02-07<\/td>\s*<td class="num" data-label="Published figures">7<\/td>/);
    expect(res.text).toMatch(/<td data-label="Publisher">Unattributed news site<\/td>\s*<td class="period" data-label="Published">not stated<\/td>/);
  });

  test('an empty database shows an empty state', async () => {
    const { app } = createTestApp({ seed: false });
    const res = await request(app).get('/sources').expect(200);
    expect(res.text).toContain('No sources yet.');
  });
});

describe('GET /sources is paged', () => {
  test('50 documents a page, in the same order as the whole list, with links between pages', async () => {
    const { app, db, q } = createTestApp();
    // The demo has fewer than 50 sources: add enough public ones (cited by a published figure) for three pages.
    const before = q.sources.countPublic();
    for (let i = 0; i < 120 - before; i++) {
      const id = q.sources.create({ title: `Paging report ${String(i).padStart(3, '0')}`, publisher: 'Paging desk', url: null, published_on: null, accessed_on: null, notes: null }, null);
      db.prepare("UPDATE sources SET public_since = '2026-01-01T00:00:00.000Z' WHERE id = ?").run(id);
    }
    const all = q.sources.listPublicWithCounts();
    expect(all).toHaveLength(120);
    const first = await request(app).get('/sources').expect(200);
    expect(first.text).toContain('Page 1 of 3 (120 documents)');
    expect(first.text).toContain('href="/sources?page=2" rel="next"');
    expect(first.text).not.toContain('rel="prev"');
    const third = await request(app).get('/sources?page=3').expect(200);
    expect(third.text).toContain('Page 3 of 3');
    expect(third.text).toContain('href="/sources?page=2" rel="prev"');
    // Each document's title links to its page.
    const titles = (html: string): string[] => [...html.matchAll(/<td data-label="Document"><a href="\/sources\/\d+">([^<]+)<\/a>/g)].map((m) => m[1] ?? '');
    const second = await request(app).get('/sources?page=2').expect(200);
    const shown = [...titles(first.text), ...titles(second.text), ...titles(third.text)];
    expect(shown).toHaveLength(120);
    expect(new Set(shown).size).toBe(120);
    expect(titles(first.text)).toHaveLength(50);
    // Page 1 starts where the whole list starts; the paging desk's undated reports come last.
    expect(titles(third.text).at(-1)).toBe(all.at(-1)?.title);
    await request(app).get('/sources?page=4').expect(404);
  });
});
