import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser, screenshot, seriousA11yViolations, useBrowserTestEnv, watchProblems, type PageProblems } from './helpers';

const env = useBrowserTestEnv();

// One browser for the whole file: a page visited with ?lang=uk leaves its cookie, so each test starts without it.
beforeEach(async () => {
  await env.browser.clearCookies();
});

function publicPages(): string[] {
  const figure = env.app.q.charts.listLatest(1)[0];
  const source = env.app.q.sources.listWithCounts().find((s) => s.figure_count > 0);
  const topic = env.app.q.topics.list()[0];
  return [
    '/',
    '/compare?indicator=civilian_deaths&indicator=people_in_need',
    '/indicators',
    '/indicators/civilian_deaths',
    '/figures',
    `/figures/${figure?.id}`,
    '/sources',
    `/sources/${source?.id}`,
    '/locations',
    '/locations/UKR',
    '/topics',
    `/topics/${topic?.slug}`,
    '/api',
    '/embed/dashboard/casualties',
    // The same pages in Ukrainian.
    '/?lang=uk',
    '/compare?indicator=civilian_deaths&indicator=people_in_need&lang=uk',
    '/indicators/civilian_deaths?lang=uk',
    '/locations?lang=uk',
    `/figures/${figure?.id}?lang=uk`,
  ];
}

/** Elements reaching past the right edge of the page, outside a table's own scroller; legend entries cut short. */
async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out: string[] = [];
    if (document.documentElement.scrollWidth > width + 1) out.push(`page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`);
    for (const el of document.querySelectorAll('body *')) {
      const box = el.getBoundingClientRect();
      if (box.width > 0 && box.right > width + 1 && !el.closest('.table-scroll') && !el.closest('.visually-hidden')) out.push(`${el.tagName}.${el.className} ends at ${Math.round(box.right)}`);
    }
    for (const item of document.querySelectorAll('.legend-item')) {
      const card = item.closest('.chart-card')?.getBoundingClientRect();
      const box = item.getBoundingClientRect();
      if (item.scrollWidth > item.clientWidth + 1 || (card && box.right > card.right + 1)) out.push(`legend cut: ${item.textContent?.trim()}`);
    }
    return out.slice(0, 10);
  });
}

async function open(page: Page, url: string): Promise<void> {
  await page.goto(`${env.app.baseUrl}${url}`);
  if (await page.locator('canvas[data-chart]').count()) {
    await page.waitForFunction(() => [...document.querySelectorAll('canvas[data-chart]')].every((c) => (window as unknown as { Chart?: { getChart: (e: Element) => unknown } }).Chart?.getChart(c)));
  }
}

/**
 * The page at another width without loading it again: the server sends the same markup whatever the
 * width, and Chart.js redraws each chart to its box (on a ResizeObserver, a frame later). Waits until
 * every shown chart fills its box again; a chart still at the old width could only add an overflow, never hide one.
 */
async function resize(page: Page, width: number): Promise<void> {
  await page.setViewportSize({ width, height: 900 });
  await page
    .waitForFunction(() =>
      [...document.querySelectorAll('canvas[data-chart]')].every((c) => {
        const box = c.parentElement?.getBoundingClientRect();
        const own = c.getBoundingClientRect();
        return !box || box.width === 0 || (Math.abs(own.width - box.width) <= 1 && Math.abs(own.height - box.height) <= 1);
      }),
    undefined, { timeout: 5000 })
    .catch(() => undefined); // The overflow check below names a chart that did not fit.
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}

/**
 * What the axe rules outside LAYOUT_RULES read: the markup, and which elements are hidden from a screen
 * reader or from sight (axe skips those). An empty table cell is ignored: at 40rem and below the
 * stacked tables hide `td:empty`, which has nothing to check.
 */
async function markupAndVisibility(page: Page): Promise<string> {
  return page.evaluate(() => {
    const shown = [...document.querySelectorAll('body *')].map((el) => (el.matches('td:empty') ? '-' : el.checkVisibility({ visibilityProperty: true, opacityProperty: true }) ? '1' : '0')).join('');
    // Chart.js writes the canvas's size into its attributes and style on every redraw.
    const markup = document.documentElement.outerHTML.replace(/<canvas[^>]*>/g, (tag) => tag.replace(/ (width|height|style)="[^"]*"/g, ''));
    return `${shown}\n${markup}`;
  });
}

/**
 * The axe rules whose answer depends on the width: colours and sizes of text as laid out (color-contrast,
 * link-in-text-block) and boxes that scroll (scrollable-region-focusable). target-size would be one, but
 * axe does not run it by default.
 */
const LAYOUT_RULES = ['color-contrast', 'link-in-text-block', 'scrollable-region-focusable'];

/** Checks each page at 1366 px, then at 390 px (see the describe below); what it finds goes into `found`. */
async function sweep(browser: BrowserContext, urls: string[], found: Record<string, string[]>): Promise<PageProblems> {
  const page = await browser.newPage();
  const problems = watchProblems(page);
  for (const url of urls) {
    await page.setViewportSize({ width: 1366, height: 900 });
    await open(page, url);
    const wide = [...(await layoutProblems(page)), ...(await seriousA11yViolations(page))];
    if (wide.length) found[`1366 ${url}`] = wide;
    if (process.env.TALLY_SCREENSHOTS) await screenshot(page, `analyst-1366-${url.replace(/[^a-z0-9]+/gi, '-')}`);
    const before = await markupAndVisibility(page);
    await resize(page, 390);
    const same = (await markupAndVisibility(page)) === before;
    const narrow = [...(await layoutProblems(page)), ...(await seriousA11yViolations(page, same ? LAYOUT_RULES : undefined))];
    if (narrow.length) found[`390 ${url}`] = narrow;
    // Full-page images of 38 pages are for a person to look at, not for the check: taken when asked.
    if (process.env.TALLY_SCREENSHOTS) await screenshot(page, `analyst-390-${url.replace(/[^a-z0-9]+/gi, '-')}`);
  }
  await page.close();
  return problems;
}

describe('every public page, at 1366 and 390 px', () => {
  // Each page is loaded once, checked at 1366 px (layout and every axe rule), narrowed to 390 px and checked
  // again: layout, and the axe rules that depend on layout. The other rules read the markup and what is
  // hidden; when either differs from 1366 px the whole set runs again at 390 px.
  // Two browsers share the pages, one per core: the work is in each browser's page (layout, axe). Each has its
  // own cookies, and the second takes its English pages before the Ukrainian ones (?lang=uk leaves a cookie).
  test("no sideways overflow outside a table's scroller, no cut legend, no serious accessibility violation", async () => {
    const pages = publicPages();
    const half = Math.ceil(pages.length / 2);
    const second = await launchBrowser();
    const found: Record<string, string[]> = {};
    try {
      const problems = await Promise.all([sweep(env.browser, pages.slice(0, half), found), sweep(second, pages.slice(half), found)]);
      expect(found).toEqual({});
      expect(problems).toEqual([{ consoleErrors: [], pageErrors: [] }, { consoleErrors: [], pageErrors: [] }]);
    } finally {
      await second.close();
    }
  }, 240_000);
});

describe('the chart card in a browser', () => {
  test("the dashboard's first chart downloads as a PNG taller than its canvas: the card drawn around it", async () => {
    const page = await env.browser.newPage();
    await page.setViewportSize({ width: 1366, height: 900 });
    await open(page, '/');
    const card = page.locator('#casualties-1');
    const text = (await card.textContent()) ?? '';
    expect(text).toContain('Civilian deaths and Civilian injuries — Ukraine: running totals');
    expect(text).toMatch(/Source: United Nations, as stated in /);
    await card.locator('.tab-download').click();
    const [download] = await Promise.all([page.waitForEvent('download'), card.locator('.png-download').click()]);
    const file = path.join(os.tmpdir(), `tally-png-${process.pid}.png`);
    await download.saveAs(file);
    const png = fs.readFileSync(file);
    fs.rmSync(file);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    const canvasHeight = await page.$eval('#casualties-1-canvas', (c) => (c as HTMLCanvasElement).height);
    const canvasWidth = await page.$eval('#casualties-1-canvas', (c) => (c as HTMLCanvasElement).width);
    // IHDR: width and height, big-endian, at bytes 16 and 20.
    expect(png.readUInt32BE(20)).toBeGreaterThan(canvasHeight + 100);
    expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(canvasWidth);
    expect(download.suggestedFilename()).toBe('tally-casualties-1.png');
    await page.close();
  });

  test('tabs show the table, sources, downloads and embed code without leaving the page', async () => {
    const page = await env.browser.newPage();
    await open(page, '/compare?indicator=civilian_deaths&indicator=people_in_need');
    const card = page.locator('#compare-1');
    await expect(card.locator('.view-table')).toBeHiddenNow();
    await card.locator('.tab-table').click();
    expect(await card.locator('.view-table').isVisible()).toBe(true);
    expect(await card.locator('.view-chart').isVisible()).toBe(false);
    await card.locator('.tab-embed').click();
    const code = await card.locator('.embed-code').inputValue();
    expect(code).toContain(`<iframe src="${env.app.baseUrl}/embed/compare?indicator=civilian_deaths&indicator=people_in_need&panel=1"`);
    expect(await card.locator('.share-link').textContent()).toBe(`${env.app.baseUrl}/compare?indicator=civilian_deaths&indicator=people_in_need#compare-1`);
    await page.close();
  });

  test('without JavaScript the tabs still work, as :target views', async () => {
    const page = await env.browser.newPage();
    await page.route('**/js/charts.js', (route) => route.abort());
    await page.goto(`${env.app.baseUrl}/#casualties-1-table`);
    expect(await page.locator('#casualties-1 .view-table').isVisible()).toBe(true);
    expect(await page.locator('#casualties-1 .view-chart').isVisible()).toBe(false);
    expect(await page.locator('#casualties-2 .view-chart').isVisible()).toBe(true);
    await page.close();
  });

  test('a chart view embeds in a page of another site, and the dashboard refuses to be framed', async () => {
    const host = http.createServer((_req, res) => {
      res.setHeader('Content-Type', 'text/html');
      res.end(`<!doctype html><title>Elsewhere</title><h1>A report</h1>
        <iframe id="embed" src="${env.app.baseUrl}/embed/dashboard/casualties?panel=1" width="800" height="700" title="embed"></iframe>
        <iframe id="page" src="${env.app.baseUrl}/" width="800" height="400" title="page"></iframe>`);
    });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    // Another port is another origin.
    const other = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    const page = await env.browser.newPage();
    const refusals: string[] = [];
    page.on('console', (msg) => refusals.push(msg.text()));
    try {
      await page.goto(`${other}/`);
      const embed = page.frame({ url: /\/embed\/dashboard\/casualties/ });
      if (!embed) throw new Error('the embed frame did not load');
      await embed.waitForSelector('.chart-card');
      await embed.waitForFunction(() => 'Chart' in window);
      expect(await embed.locator('.chart-title').textContent()).toBe('Civilian deaths and Civilian injuries — Ukraine: running totals');
      expect(await embed.locator('.embed-back a').getAttribute('href')).toBe('/');
      // The dashboard's frame is refused by the browser (frame-ancestors 'none'): it never holds the page.
      await page.waitForFunction(() => document.querySelectorAll('iframe').length === 2);
      await page.waitForTimeout(300);
      expect(page.frames().some((f) => f.url() === `${env.app.baseUrl}/`)).toBe(false);
      expect(refusals.some((m) => m.includes("frame-ancestors 'none'"))).toBe(true);
    } finally {
      await page.close();
      host.closeAllConnections();
      await new Promise<void>((resolve) => host.close(() => resolve()));
    }
  });
});

describe('in Ukrainian', () => {
  test('/?lang=uk shows the Ukrainian navigation and dates, on the axis too, and the switcher goes back to English on the same page', async () => {
    const page = await env.browser.newPage();
    await open(page, '/?lang=uk');
    expect(await page.getAttribute('html', 'lang')).toBe('uk');
    expect(await page.locator('.site-header nav a[aria-current="page"]').textContent()).toBe('Огляд');
    expect(await page.locator('.headline-label').first().textContent()).toBe('Загинуло цивільних з 24 лютого 2022 р.');
    const ticks = await page.$eval('#casualties-2-canvas', (c) => {
      const chart = (window as unknown as { Chart: { getChart: (e: Element) => { scales: { x: { ticks: { label: string | string[] }[] } } } } }).Chart.getChart(c);
      return chart.scales.x.ticks.map((t) => (Array.isArray(t.label) ? t.label.join(' ') : t.label));
    });
    expect(ticks.join(' ')).toMatch(/груд|січ|лют/);
    // The card, the axis, the tooltip and the PNG in Ukrainian, with Ukrainian numbers.
    expect(await page.locator('#casualties-1-title').textContent()).toBe('Загибель цивільних і Поранення цивільних — Україна: наростальні підсумки');
    type Drawn = { scales: { y: { ticks: { label: string }[] } }; options: { scales: { y: { title: { text: string } } } }; getDatasetMeta: (i: number) => { data: { x: number; y: number }[] } };
    const axis = await page.$eval('#casualties-1-canvas', (c) => {
      const chart = (window as unknown as { Chart: { getChart: (e: Element) => Drawn } }).Chart.getChart(c);
      const last = chart.getDatasetMeta(0).data.at(-1);
      return { y: chart.scales.y.ticks.map((t) => t.label), title: chart.options.scales.y.title.text, point: last ? { x: last.x, y: last.y } : null };
    });
    expect(axis.title).toBe('люди');
    expect(axis.y.join(' ')).toMatch(/\d\u00a0\d{3}/);
    await page.locator('#casualties-1-canvas').scrollIntoViewIfNeeded();
    const box = await page.locator('#casualties-1-canvas').boundingBox();
    if (!box || !axis.point) throw new Error('the first chart has a point');
    await page.mouse.move(box.x + axis.point.x, box.y + axis.point.y);
    const tip = page.locator('#casualties-1 .chart-tooltip');
    await tip.waitFor({ state: 'visible', timeout: 5000 });
    const tipText = (await tip.textContent()) ?? '';
    expect(tipText).toContain('10\u00a0382');
    expect(tipText).toContain('Джерело числа: United Nations');
    expect(tipText).toContain('Наростальний підсумок з 24 лютого 2022 р., станом на 7 лютого 2024 р.');
    expect(tipText).toContain('Відкрити число →');
    await page.locator('#casualties-1 .tab-download').click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#casualties-1 .png-download').click()]);
    const file = path.join(os.tmpdir(), `tally-png-uk-${process.pid}.png`);
    await download.saveAs(file);
    const png = fs.readFileSync(file);
    if (process.env.TALLY_KEEP_PNG) fs.copyFileSync(file, process.env.TALLY_KEEP_PNG);
    fs.rmSync(file);
    expect(png.readUInt32BE(20)).toBeGreaterThan((await page.$eval('#casualties-1-canvas', (c) => (c as HTMLCanvasElement).height)) + 100);
    await page.click('.languages a[hreflang="en"]');
    await page.waitForURL(/lang=en/);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.close();
  });
});

describe('on a touch screen', () => {
  let touch: BrowserContext;
  beforeAll(async () => {
    touch = await launchBrowser({ hasTouch: true });
  });
  afterAll(async () => {
    await touch?.close();
  });

  test('the first tap shows the tooltip on the page, the second opens the figure', async () => {
    const page = await touch.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await open(page, '/');
    const canvas = page.locator('#casualties-1-canvas');
    await canvas.scrollIntoViewIfNeeded();
    // The rightmost point: its tooltip must turn back into the page.
    const point = await page.$eval('#casualties-1-canvas', (c) => {
      const chart = (window as unknown as { Chart: { getChart: (e: Element) => { getDatasetMeta: (i: number) => { data: { x: number; y: number }[] }; data: { datasets: unknown[] } } } }).Chart.getChart(c);
      let best = { x: -1, y: 0 };
      chart.data.datasets.forEach((_, i) => chart.getDatasetMeta(i).data.forEach((el) => { if (el.x > best.x) best = { x: el.x, y: el.y }; }));
      return best;
    });
    const box = await canvas.boundingBox();
    if (!box) throw new Error('canvas has no box');
    const url = page.url();
    await page.touchscreen.tap(box.x + point.x, box.y + point.y);
    const tip = page.locator('#casualties-1 .chart-tooltip');
    await tip.waitFor({ state: 'visible', timeout: 5000 });
    expect(page.url()).toBe(url);
    const tipBox = await tip.boundingBox();
    expect(tipBox?.x).toBeGreaterThanOrEqual(0);
    expect((tipBox?.x ?? 0) + (tipBox?.width ?? 0)).toBeLessThanOrEqual(390);
    expect(await tip.textContent()).toContain('Originator: United Nations');
    await page.touchscreen.tap(box.x + point.x, box.y + point.y);
    await page.waitForURL(/\/figures\/\d+$/);
    await page.close();
  });
});

describe('the comparison form', () => {
  test('a search box narrows the grouped place picker; chosen places stay', async () => {
    const page = await env.browser.newPage();
    await open(page, '/compare?indicator=civilian_deaths&location=UKR');
    await page.fill('#c-location-search', 'khar');
    const shown = await page.$$eval('#c-location option', (options) => options.filter((o) => !(o as HTMLOptionElement).hidden).map((o) => (o as HTMLOptionElement).value));
    expect(shown.sort()).toEqual(['UA63', 'UKR']);
    await page.close();
  });
});
