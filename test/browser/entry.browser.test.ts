import { screenshot, seriousA11yViolations, watchProblems, useBrowserTestEnv } from './helpers';

const env = useBrowserTestEnv({ erin: 'editor' });
const { signIn } = env;

describe('entering figures from one article', () => {
  test('three figures entered source first; the third, stating what the first did, is warned about with a link to it', async () => {
    const sourceId = env.app.q.sources.create(
      { title: 'Kharkiv oblast bulletin, 1 May', publisher: 'Kharkiv Oblast Administration', url: 'https://example.org/kharkiv-1-may', published_on: '2024-05-01', accessed_on: null, notes: null },
      null,
    );
    const page = await env.browser.newPage();
    await page.setViewportSize({ width: 1366, height: 900 });
    const problems = watchProblems(page);
    await signIn(page, 'erin');

    // Typing finds a source through the server, under the strict CSP (an external script, no inline one).
    await page.goto(`${env.app.baseUrl}/admin/figures/new`);
    await page.fill('#f-source-q', 'oblast bulletin');
    // The newest sources are listed first; the typed words narrow the list to the one they match.
    await page.waitForFunction(() => document.querySelectorAll('#source-matches li').length === 1);
    expect(await page.textContent('#source-matches')).toContain('Kharkiv Oblast Administration: Kharkiv oblast bulletin, 1 May');

    await page.goto(`${env.app.baseUrl}/admin/sources/${sourceId}`);
    await page.click('a:has-text("Add figures from this source")');
    await page.waitForURL(/\/admin\/figures\/new\?source=/);
    expect(await page.isChecked(`#source-matches input[value="${sourceId}"]`)).toBe(true);

    // First figure: everything.
    await page.selectOption('#f-indicator-id', { label: 'Civilian deaths (people)' });
    await page.selectOption('#f-location-id', { label: 'Kharkivska (UA63)' });
    await page.check('input[name="period_kind"][value="range"]');
    await page.fill('#f-reference-period-start', '2024-04-01');
    await page.fill('#f-reference-period-end', '2024-04-30');
    await page.selectOption('#f-measure', 'period_count');
    await page.fill('#f-value', '17');
    await page.fill('#f-reported-by', 'Kharkiv Oblast Administration');
    await page.fill('#f-source-quote', '17 civilians were killed in the oblast in April');
    await page.click('button:has-text("Save and add another")');
    await page.getByText('This form keeps its source, originator, place, period and measure').first().waitFor();
    await screenshot(page, 'entry-add-another-1366');

    // Second: only what differs.
    expect(await page.inputValue('#f-reported-by')).toBe('Kharkiv Oblast Administration');
    expect(await page.inputValue('#f-reference-period-end')).toBe('2024-04-30');
    await page.selectOption('#f-indicator-id', { label: 'Civilian injuries (people)' });
    await page.fill('#f-value', '64');
    await page.fill('#f-source-quote', '64 were injured');
    await page.click('button:has-text("Save and add another")');
    await page.getByText('This form keeps its source').first().waitFor();

    // Third: the deaths again, as another passage of the article puts them.
    await page.selectOption('#f-indicator-id', { label: 'Civilian deaths (people)' });
    await page.fill('#f-value', 'about 20');
    await page.fill('#f-value', '20');
    await page.selectOption('#f-qualifier', 'about');
    await page.fill('#f-source-quote', 'about 20 people died in April');
    await page.click('button:has-text("Save and add another")');
    const warning = page.locator('#duplicates');
    await warning.waitFor();
    expect(await warning.textContent()).toContain('a figure for this indicator, place and an overlapping period already exists');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('duplicates');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'entry-duplicate-warning-1366');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'entry-duplicate-warning-390');
    await page.setViewportSize({ width: 1366, height: 900 });
    const firstLink = await warning.locator('a').first().getAttribute('href');
    expect(firstLink).toMatch(/^\/admin\/figures\/\d+$/);
    expect(await page.inputValue('#f-value')).toBe('20');

    await page.check('#f-confirm-duplicate');
    await page.click('button:has-text("Save draft")');
    await page.waitForURL(/\/admin\/figures\/\d+$/);

    const fromSource = env.app.q.staffFigures.list({ sourceId }, { limit: 10, offset: 0 });
    expect(fromSource.map((f) => [f.indicator_name, f.value, f.location_name, f.reference_period_start, f.reference_period_end, f.reported_by]).sort()).toEqual([
      ['Civilian deaths', 17, 'Kharkivska', '2024-04-01', '2024-04-30', 'Kharkiv Oblast Administration'],
      ['Civilian deaths', 20, 'Kharkivska', '2024-04-01', '2024-04-30', 'Kharkiv Oblast Administration'],
      ['Civilian injuries', 64, 'Kharkivska', '2024-04-01', '2024-04-30', 'Kharkiv Oblast Administration'],
    ]);
    expect(firstLink).toBe(`/admin/figures/${fromSource.find((f) => f.value === 17)?.id}`);
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [] });
    await page.close();
  });
});
