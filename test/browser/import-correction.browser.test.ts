import request from 'supertest';
import { parseCsv } from '../helpers/csv';
import { screenshot, seriousA11yViolations, watchProblems, useBrowserTestEnv } from './helpers';

const env = useBrowserTestEnv({ ada: 'admin' });
const { signIn } = env;

const cell = (s: string): string => (/[;"\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

describe('a correction imported without publishing', () => {
  test('becomes a pending change in the review queue, with its diff, while the public keeps the published value', async () => {
    // The Belgorod figure as exported, corrected from 24 to 25, saved by a European Excel: semicolons.
    const [header, row] = parseCsv((await request(env.app.app).get('/export/figures.csv?location=RU-BEL&indicator=civilian_deaths').expect(200)).text);
    if (!header || !row) throw new Error('seed row missing');
    const id = Number(row[header.indexOf('figure_id')]);
    expect(row[header.indexOf('value')]).toBe('24');
    row[header.indexOf('value')] = '25';
    row[header.indexOf('source_quote')] = 'at least 25 people were killed';
    const file = [header, row].map((r) => r.map(cell).join(';')).join('\r\n') + '\r\n';

    const page = await env.browser.newPage();
    await page.setViewportSize({ width: 1366, height: 900 });
    const problems = watchProblems(page);
    await signIn(page, 'ada');
    await page.click('a:has-text("Import CSV")');
    await page.setInputFiles('#f-file', { name: 'belgorod-correction.csv', mimeType: 'text/csv', buffer: Buffer.from(file) });
    await page.click('button:has-text("Preview the import")');
    await page.waitForURL(/\/admin\/import\/\d+$/);
    expect(await page.textContent('#read-as')).toBe('CSV, UTF-8 text, semicolon-separated, decimal point');
    // Before → after, per figure.
    const valueRow = await page.locator('table tr', { hasText: 'at least 24' }).first().textContent();
    expect(valueRow).toContain('at least 25 people were killed');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'import-correction-preview-1366');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'import-correction-preview-390');
    await page.setViewportSize({ width: 1366, height: 900 });

    await page.click('button:has-text("Import 1 figure")');
    await page.getByText('Imported: 0 new and 1 changed figures').first().waitFor();

    // In the review queue, as a change to a published figure.
    await page.goto(`${env.app.baseUrl}/admin`);
    const queued = page.locator('tr', { has: page.locator(`a[href="/admin/figures/${id}"]`) }).first();
    expect(await queued.textContent()).toContain('change to a published figure');
    await queued.locator('a').first().click();
    await page.waitForURL(new RegExp(`/admin/figures/${id}$`));
    await page.locator('#pending-heading').waitFor();
    const diff = page.locator('section[aria-labelledby="pending-heading"] table.diff');
    expect(await diff.locator('tr', { hasText: 'value' }).first().locator('td').allTextContents()).toEqual(['24', '25']);
    expect(await diff.textContent()).toContain('at least 25 people were killed');
    await screenshot(page, 'import-correction-pending-1366');

    // The public keeps the published 24 until the change is published.
    const publicPage = await env.browser.newPage();
    await publicPage.goto(`${env.app.baseUrl}/api/v1/figures/${id}`);
    expect(JSON.parse((await publicPage.textContent('body')) ?? '{}')).toMatchObject({ data: { value: 24 } });
    await publicPage.close();
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [] });
    await page.close();
  });
});
