import type { Page } from 'playwright-core';
import { screenshot, seriousA11yViolations, watchProblems, useBrowserTestEnv } from './helpers';

const env = useBrowserTestEnv();

/** How many pixels of a canvas are not plain white background. */
async function drawnPixels(page: Page, selector: string): Promise<number> {
  return page.$eval(selector, (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3] !== 0 && (data[i] !== 255 || data[i + 1] !== 255 || data[i + 2] !== 255)) n++;
    return n;
  });
}

/** Moves the mouse onto a plotted point whose tooltip mentions `text`, and returns the tooltip's lines. */
async function hoverPoint(page: Page, selector: string, text: string): Promise<string[]> {
  const target = await page.$eval(
    selector,
    (canvas, wanted) => {
      const chart = (window as unknown as { Chart: { getChart: (c: Element) => unknown } }).Chart.getChart(canvas) as {
        data: { datasets: { data: { m?: number; tip?: string[] }[] }[] };
        getDatasetMeta: (i: number) => { data: { x: number; y: number }[] };
      };
      for (let i = 0; i < chart.data.datasets.length; i++) {
        const points = chart.data.datasets[i]?.data ?? [];
        for (let j = 0; j < points.length; j++) {
          const raw = points[j];
          if (raw && raw.m !== 0 && raw.tip?.some((line) => line.includes(wanted))) {
            const el = chart.getDatasetMeta(i).data[j];
            if (el) return { x: el.x, y: el.y };
          }
        }
      }
      return null;
    },
    text,
  );
  if (!target) throw new Error(`no point mentions ${text}`);
  await page.locator(selector).scrollIntoViewIfNeeded();
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error('canvas has no box');
  await page.mouse.move(box.x + target.x, box.y + target.y);
  await page.waitForTimeout(100);
  return page.$eval(selector, (canvas) => {
    const chart = (window as unknown as { Chart: { getChart: (c: Element) => unknown } }).Chart.getChart(canvas) as {
      tooltip: { opacity: number; title: string[]; body: { lines: string[] }[] };
    };
    if (!chart.tooltip.opacity) return [];
    return [...chart.tooltip.title, ...chart.tooltip.body.flatMap((b) => b.lines)];
  });
}

async function checkPage(page: Page, name: string): Promise<void> {
  expect(await seriousA11yViolations(page)).toEqual([]);
  await screenshot(page, name);
}

describe('charts in a browser', () => {
  test('the dashboard draws its charts, shows the originator in a tooltip, and has no errors or CSP violations', async () => {
    const page = await env.browser.newPage();
    const problems = watchProblems(page);
    await page.goto(`${env.app.baseUrl}/`);
    await page.waitForFunction(() => document.querySelectorAll('canvas[data-chart]').length > 0 && 'Chart' in window);
    for (const id of ['#casualties-1-canvas', '#casualties-2-canvas', '#funding-1-canvas', '#people-1-canvas']) {
      expect(await drawnPixels(page, id)).toBeGreaterThan(500);
    }
    const tip = await hoverPoint(page, '#casualties-1-canvas', '10,382');
    expect(tip).toEqual(expect.arrayContaining(['Originator: United Nations', 'Verified']));
    expect(tip.join(' ')).toContain('Document: Russia has launched North Korean missiles');
    const belgorod = await hoverPoint(page, '#casualties-2-canvas', 'UN DPPA');
    expect(belgorod).toEqual(expect.arrayContaining(['≥ 24', 'Reported']));
    // The image download sits behind the card's Download tab.
    await page.click('#casualties-1 .tab-download');
    await expect(page.locator('.png-download').first()).toBeVisibleSoon();
    await checkPage(page, 'dashboard');
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [] });
    await page.close();
  });

  test('a shared /compare URL draws dollars and people in separate panels; claims can be hidden', async () => {
    const page = await env.browser.newPage();
    const problems = watchProblems(page);
    await page.goto(`${env.app.baseUrl}/compare?indicator=civilian_deaths&indicator=funding_required_usd&indicator=funding_received_usd`);
    await page.waitForFunction(() => 'Chart' in window && document.querySelectorAll('canvas[data-chart]').length >= 3);
    const titles = await page.locator('.chart-title').allTextContents();
    expect(titles).toEqual([
      'Civilian deaths — Ukraine: running totals',
      'Civilian deaths — Ukraine, Belgorod Oblast and Luhanska: counts per period',
      'Funding required and Funding received — Ukraine: levels per period (US dollars)',
    ]);
    for (const id of ['#compare-1-canvas', '#compare-2-canvas', '#compare-3-canvas']) expect(await drawnPixels(page, id)).toBeGreaterThan(500);
    const claim = await hoverPoint(page, '#compare-2-canvas', 'Russian Federation');
    expect(claim).toEqual(expect.arrayContaining(['Originator: Russian Federation', 'Claimed by a party by Russian Federation']));
    await page.mouse.move(0, 0);
    await page.uncheck('.toggle-distinct');
    const hidden = await page.$eval('#compare-2-canvas', (canvas) => {
      const chart = (window as unknown as { Chart: { getChart: (c: Element) => { data: { datasets: { label: string }[] }; isDatasetVisible: (i: number) => boolean } } }).Chart.getChart(canvas);
      return chart.data.datasets.filter((_, i) => !chart.isDatasetVisible(i)).map((d) => d.label);
    });
    expect(hidden).toEqual(['Luhanska · Russian Federation (claim)']);
    await checkPage(page, 'compare');
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [] });
    await page.close();
  });

  test('an indicator page draws on a phone without overflowing, and a point opens its figure', async () => {
    const page = await env.browser.newPage();
    await page.setViewportSize({ width: 375, height: 800 });
    const problems = watchProblems(page);
    await page.goto(`${env.app.baseUrl}/indicators/civilian_deaths`);
    await page.waitForFunction(() => 'Chart' in window && document.querySelectorAll('canvas[data-chart]').length > 0);
    expect(await drawnPixels(page, '#indicator-1-canvas')).toBeGreaterThan(500);
    await checkPage(page, 'indicator-phone');
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !el.closest('.table-scroll'))
        .map((el) => `${el.tagName}.${el.className}`),
    );
    expect(wide).toEqual([]);
    const tip = await hoverPoint(page, '#indicator-1-canvas', '10,382');
    expect(tip).toContain('Originator: United Nations');
    await page.mouse.down();
    await page.mouse.up();
    await page.waitForURL(/\/figures\/\d+$/);
    expect(await page.locator('h1').textContent()).toContain('Civilian deaths');
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [] });
    await page.close();
  });
});
