import request from 'supertest';
import { parseCsv } from '../helpers/csv';
import { screenshot, signOut, seriousA11yViolations, watchProblems, useBrowserTestEnv } from './helpers';

const env = useBrowserTestEnv({ ada: 'admin', bob: 'admin' });
const { signIn } = env;

const cell = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/** Twenty new figures as a spreadsheet states them: one exported row, on twenty new days, without figure ids. */
async function twentyNewFigures(): Promise<string> {
  const exported = (await request(env.app.app).get('/export/figures.csv?indicator=civilian_deaths').expect(200)).text;
  const [header, row] = parseCsv(exported);
  if (!header || !row) throw new Error('the demo dataset has no civilian deaths to copy');
  const col = (name: string): number => header.indexOf(name);
  const lines = [header.map(cell).join(',')];
  for (let day = 1; day <= 20; day++) {
    const copy = [...row];
    const date = `2025-01-${String(day).padStart(2, '0')}`;
    copy[col('figure_id')] = '';
    copy[col('reference_period_start')] = date;
    copy[col('reference_period_end')] = date;
    copy[col('measure')] = 'period_count';
    copy[col('value')] = String(100 + day);
    copy[col('value_low')] = '';
    copy[col('value_high')] = '';
    copy[col('qualifier')] = 'exact';
    copy[col('source_quote')] = `Marigold bulletin #${day}: ${100 + day} civilians were killed`;
    lines.push(copy.map(cell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

describe('the staff figure list in a browser', () => {
  test('20 figures imported as drafts are published in one bulk action by a second admin; a retired one is found by search', async () => {
    const page = await env.browser.newPage();
    const problems = watchProblems(page);

    // Ada imports twenty new figures without publishing: they arrive as submitted drafts.
    await signIn(page, 'ada');
    await page.goto(`${env.app.baseUrl}/admin/import`);
    await page.setInputFiles('#f-file', { name: 'marigold.csv', mimeType: 'text/csv', buffer: Buffer.from(await twentyNewFigures()) });
    await page.click('button:has-text("Preview the import")');
    await page.click('button:has-text("Import 20 figures")');
    await page.getByText('Imported: 20 new').first().waitFor();
    await signOut(page);

    // Bob, a second admin, finds them in the list and publishes all twenty at once.
    await signIn(page, 'bob');
    await page.click('a:has-text("All figures")');
    await page.waitForURL(/\/admin\/figures$/);
    await page.selectOption('#l-status', 'submitted');
    await page.click('button:has-text("Find")');
    await page.waitForURL(/status=submitted/);
    expect(await page.textContent('#figure-count')).toContain('20 figures');
    expect(await seriousA11yViolations(page)).toEqual([]);

    // Nothing ticked: the error summary takes focus.
    await page.selectOption('#f-action', 'publish');
    await page.click('button:has-text("Apply to ticked figures")');
    await page.getByText('Tick at least one figure.').first().waitFor();
    expect(await page.evaluate(() => document.activeElement?.classList.contains('error-summary'))).toBe(true);

    await page.check('input.select-all');
    expect(await page.locator('input[name="ids"]:checked').count()).toBe(20);
    await page.selectOption('#f-action', 'publish');
    await page.click('button:has-text("Apply to ticked figures")');
    await page.getByText('Published: 20 figures.').first().waitFor();
    expect(page.url()).toMatch(/\/admin\/figures\?status=submitted$/);
    expect(await page.textContent('#figure-count')).toContain('0 figures');
    await screenshot(page, 'staff-figure-list');

    // One of them is withdrawn, with a reason; the retired list finds it by a word of its quote.
    await page.goto(`${env.app.baseUrl}/admin/figures?q=${encodeURIComponent('Marigold #7:')}`);
    expect(await page.locator('input[name="ids"]').count()).toBe(1);
    await page.locator('input[name="ids"]').first().check();
    await page.selectOption('#f-action', 'retire');
    await page.fill('#f-note', 'Counted twice: the bulletin of the 8th includes it');
    await page.click('button:has-text("Apply to ticked figures")');
    await page.getByText('Retired: 1 figure.').first().waitFor();

    await page.goto(`${env.app.baseUrl}/admin/figures?status=retired&q=${encodeURIComponent('marigold #7')}`);
    expect(await page.locator('input[name="ids"]').count()).toBe(1);
    await page.getByText('Counted twice: the bulletin of the 8th includes it').first().waitFor();
    expect(await page.inputValue('#l-q')).toBe('marigold #7');
    expect(await page.inputValue('#l-status')).toBe('retired');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await signOut(page);

    // Readers see the nineteen still published.
    const published = await request(env.app.app).get('/export/figures.csv?indicator=civilian_deaths').expect(200);
    expect(published.text.match(/Marigold bulletin/g)).toHaveLength(19);
    // The form sent back without a ticked figure (400) was meant.
    const expected = /the server responded with a status of 400/;
    expect({ ...problems, consoleErrors: problems.consoleErrors.filter((e) => !expected.test(e)) }).toEqual({ consoleErrors: [], pageErrors: [] });
    await page.close();
  });
});
