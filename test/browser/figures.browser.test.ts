import { screenshot, seriousA11yViolations, watchProblems, useBrowserTestEnv } from './helpers';

const env = useBrowserTestEnv();

describe('figures pages in a browser', () => {
  test('the list shows the seeded figures, filters them, and has no console errors or accessibility violations', async () => {
    const page = await env.browser.newPage();
    const problems = watchProblems(page);
    await page.goto(`${env.app.baseUrl}/figures`);
    await expectVisibleText(page, 'Showing 1–35 of 35 figures');
    await page.selectOption('#f-location', 'RU-BEL');
    await page.click('button[type="submit"]');
    await page.waitForURL(/location=RU-BEL/);
    await expectVisibleText(page, 'Showing 1–4 of 4 figures');
    expect(await page.locator('td.num .value').first().textContent()).toMatch(/^(≥ 24|> 100|74|65)$/);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'figures-list');
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [] });
    await page.close();
  });

  test('a figure page shows its quote and source, readable on a phone', async () => {
    const page = await env.browser.newPage();
    await page.setViewportSize({ width: 375, height: 800 });
    const problems = watchProblems(page);
    await page.goto(`${env.app.baseUrl}/figures?verification=claimed&location=UA44`);
    await page.click('table.figures tbody a >> nth=0');
    await page.waitForURL(/\/figures\/\d+$/);
    await expectVisibleText(page, 'killed 28 civilians in Lysychansk');
    await expectVisibleText(page, 'Claimed by a party');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'figure-show-phone');
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [] });
    await page.close();
  });
});

async function expectVisibleText(page: import('playwright-core').Page, text: string): Promise<void> {
  await page.getByText(text, { exact: false }).first().waitFor({ state: 'visible', timeout: 5000 });
}
