/**
 * The kept views of chart pages (server/charts/page-views.ts): a stream of
 * pages asked for once each (every /compare combination a crawler or a load
 * generator tries) does not push out the pages readers come back to.
 */
import { PageViews } from '../../../server/charts/page-views';
import { createTestApp } from '../../helpers/app';

describe('kept page views', () => {
  test('pages asked for again outlast a stream of pages asked for once', async () => {
    const t = createTestApp();
    const views = new PageViews(t.q, { databasePath: null, maxEntries: 8 });
    const places = t.q.locations.list();
    const indicators = t.q.indicators.list();
    expect(places.length).toBeGreaterThanOrEqual(4);
    const place = (code: string) => views.get('location', code, { code, name: code });
    const compare = (code: string) =>
      views.get('compare', code, { filters: { indicator: [code], location: [], originator: [], verification: [], from: null, to: null, source: null } });
    const kept = (name: string, key: string): boolean => views.versionOf(`${name}\u0000${key}`) !== undefined;

    // Three places read twice each: readers come back to them.
    const regulars = places.slice(0, 3).map((p) => p.code);
    for (const code of regulars) await place(code);
    for (const code of regulars) await place(code);
    // Then every indicator compared once, more than the views kept.
    expect(indicators.length).toBeGreaterThan(8);
    for (const i of indicators) await compare(i.code);

    for (const code of regulars) expect(kept('location', code)).toBe(true);
    // Of the one-off pages, only the latest few are kept, and the total stays within bounds.
    expect(indicators.filter((i) => kept('compare', i.code)).length).toBe(8 - regulars.length);
    expect(kept('compare', indicators[indicators.length - 1]?.code ?? '')).toBe(true);
    expect(kept('compare', indicators[0]?.code ?? '')).toBe(false);
    // A place read once among them is not protected: it goes out with the one-off pages.
    const once = places[3]?.code ?? '';
    await place(once);
    for (const i of indicators) await compare(i.code);
    expect(kept('location', once)).toBe(false);
  });

  test('pages asked for again keep at most three quarters of the room, so a new page is still kept', async () => {
    const t = createTestApp();
    const views = new PageViews(t.q, { databasePath: null, maxEntries: 4 });
    const places = t.q.locations.list().slice(0, 4).map((p) => p.code);
    const place = (code: string) => views.get('location', code, { code, name: code });
    for (const code of places) {
      await place(code);
      await place(code);
    }
    const code = t.q.indicators.list()[0]?.code ?? '';
    await views.get('compare', code, { filters: { indicator: [code], location: [], originator: [], verification: [], from: null, to: null, source: null } });
    // The new page took the room of the least recently read place, not its own.
    expect(views.versionOf(`compare\u0000${code}`)).toBeDefined();
    expect(places.map((p) => views.versionOf(`location\u0000${p}`) !== undefined)).toEqual([false, true, true, true]);
  });
});
