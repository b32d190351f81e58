import { screenshot, signOut, seriousA11yViolations, watchProblems, useBrowserTestEnv } from './helpers';

const env = useBrowserTestEnv({ erin: 'editor', ada: 'admin' });
const { signIn } = env;

describe('staff in a browser', () => {
  test('an editor enters a figure and submits it, an admin publishes it, and readers see it', async () => {
    const page = await env.browser.newPage();
    const problems = watchProblems(page);

    await page.goto(`${env.app.baseUrl}/login`);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'staff-login');
    await signIn(page, 'erin');
    await page.click('a:has-text("New figure")');
    await page.waitForURL(/\/admin\/figures\/new$/);

    // Quick period choice: one day hides the end date.
    await page.check('input[name="period_kind"][value="day"]');
    expect(await page.isHidden('#f-reference-period-end')).toBe(true);
    await page.check('input[name="period_kind"][value="since"]');
    expect(await page.isVisible('#f-reference-period-end')).toBe(true);

    // First a mistake: the form comes back with the error beside the field and the values kept.
    await page.selectOption('#f-indicator-id', { label: 'Civilian deaths (people)' });
    await page.selectOption('#f-location-id', { label: 'Kharkivska (UA63)' });
    await page.fill('#f-reference-period-start', '2022-02-24');
    await page.fill('#f-reference-period-end', '2024-04-30');
    await page.selectOption('#f-measure', 'running_total');
    await page.fill('#f-value', '1,234');
    await page.fill('#f-value-low', '2000');
    await page.selectOption('#f-qualifier', 'at_least');
    await page.fill('#f-reported-by', 'OHCHR');
    await page.check('#f-source-new');
    await page.fill('#f-new-source-title', 'Protection of civilians update, April 2024');
    await page.fill('#f-new-source-publisher', 'OHCHR');
    await page.fill('#f-new-source-url', 'https://example.org/poc-april-2024');
    await page.fill('#f-source-quote', 'at least 1,234 civilians killed in Kharkivska since 24 February 2022');
    await page.click('button:has-text("Save draft")');
    await page.getByText('Must not be more than the value (1234).').first().waitFor();
    expect(await page.inputValue('#f-reported-by')).toBe('OHCHR');
    expect(await page.inputValue('#f-new-source-title')).toBe('Protection of civilians update, April 2024');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'staff-figure-form-errors');

    await page.fill('#f-value-low', '');
    await page.click('button:has-text("Save draft")');
    await page.waitForURL(/\/admin\/figures\/\d+$/);
    const figureUrl = page.url();
    const figureId = figureUrl.split('/').pop() ?? '';
    await page.click('button:has-text("Submit for review")');
    await page.getByText('Submitted for review.').first().waitFor();
    await screenshot(page, 'staff-figure-submitted');
    await signOut(page);

    // Not public yet.
    const notYet = await page.goto(`${env.app.baseUrl}/figures/${figureId}`);
    expect(notYet?.status()).toBe(404);

    await signIn(page, 'ada');
    expect(await page.textContent('#awaiting-heading')).toContain('Awaiting review (1)');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'staff-dashboard');
    await page.click(`a[href="/admin/figures/${figureId}"] >> nth=0`);
    await page.click('button:has-text("Publish")');
    await page.getByText('Published: the public pages').first().waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'staff-figure-published');

    await page.goto(`${env.app.baseUrl}/figures/${figureId}/history`);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'staff-figure-history');
    await signOut(page);

    await page.goto(`${env.app.baseUrl}/figures?location=UA63`);
    await page.getByText('≥ 1,234').first().waitFor();
    await page.goto(`${env.app.baseUrl}/figures/${figureId}`);
    await page.getByText('at least 1,234 civilians killed in Kharkivska').first().waitFor();
    // And in the chart of its indicator: the plotted-numbers table and the drawn canvas.
    await page.goto(`${env.app.baseUrl}/indicators/civilian_deaths?location=UA63`);
    // The plotted numbers sit behind the card's Table tab.
    await page.waitForFunction(() => document.querySelector('.chart-card[data-view]') !== null);
    for (const tab of await page.locator('.tab-table').all()) await tab.click();
    await page.locator('table', { hasText: '≥ 1,234' }).first().waitFor();
    for (const tab of await page.locator('.tab-chart').all()) await tab.click();
    const charted = await page.evaluate(() => {
      const canvas = document.querySelector('canvas');
      if (!canvas) return 0;
      const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) painted += 1;
      return painted;
    });
    expect(charted).toBeGreaterThan(100);
    // The 400 (the form sent back with its error) and the 404 (the draft, not yet public) were meant.
    const expected = /the server responded with a status of (400|404)/;
    expect({ ...problems, consoleErrors: problems.consoleErrors.filter((e) => !expected.test(e)) }).toEqual({ consoleErrors: [], pageErrors: [] });
    await page.close();
  });

  test('the users and audit pages have no serious accessibility problems', async () => {
    const page = await env.browser.newPage();
    const problems = watchProblems(page);
    await signIn(page, 'ada');
    for (const [path, name] of [['/admin/users', 'staff-users'], ['/admin/audit', 'staff-audit'], ['/admin/sources', 'staff-sources'], ['/admin/indicators/new', 'staff-indicator-form']] as const) {
      await page.goto(`${env.app.baseUrl}${path}`);
      expect(await seriousA11yViolations(page)).toEqual([]);
      await screenshot(page, name);
    }
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [] });
    await page.close();
  });
});
