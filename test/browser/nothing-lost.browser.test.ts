import type { BrowserContext, Page } from 'playwright-core';
import { PASSWORD } from '../helpers/staff';
import { launchBrowser, screenshot, signOut, seriousA11yViolations, watchProblems, useBrowserTestEnv } from './helpers';

const env = useBrowserTestEnv({ erin: 'editor', ada: 'admin' });
let second: BrowserContext;

beforeAll(async () => {
  second = await launchBrowser();
});

afterAll(async () => {
  await second?.close();
});

const { signIn } = env;

async function fillFigure(page: Page, value: string, quote: string, month = '06'): Promise<void> {
  await page.selectOption('#f-indicator-id', { label: 'Civilian deaths (people)' });
  await page.selectOption('#f-location-id', { label: 'Khersonska (UA65)' });
  await page.check('input[name="period_kind"][value="range"]');
  await page.fill('#f-reference-period-start', `2024-${month}-01`);
  await page.fill('#f-reference-period-end', `2024-${month}-28`);
  await page.selectOption('#f-measure', 'period_count');
  await page.fill('#f-value', value);
  await page.fill('#f-reported-by', 'OHCHR');
  await page.fill('#f-source-q', 'North Korean');
  await page.locator('#source-matches input[type="radio"]').first().check();
  await page.fill('#f-source-quote', quote);
}

describe('nothing typed is lost', () => {
  test('a session that ends while a form is open: the save leads to signing in, and the form comes back with every value', async () => {
    const page = await env.browser.newPage();
    await page.setViewportSize({ width: 1366, height: 900 });
    const problems = watchProblems(page);
    await page.clock.install();
    await signIn(page, 'erin');
    await page.goto(`${env.app.baseUrl}/admin/figures/new`);
    await fillFigure(page, '14.6 thousand', 'some 14,600 people were killed in June, the mission said');
    await page.fill('#f-notes', 'Typed before the session ended');

    // Five minutes before two idle hours are up, the page warns.
    await page.clock.fastForward('01:56:00');
    await page.locator('#session-timer', { hasText: 'You will be signed out at' }).waitFor();
    expect(await page.isVisible('#session-timer button:has-text("Stay signed in")')).toBe(true);
    await screenshot(page, 'session-warning-1366');

    // The session ends on the server (two idle hours), with the form still open.
    env.app.db.prepare('UPDATE sessions SET expires_at = ?').run(Date.now() - 1000);
    await page.click('button:has-text("Save draft")');
    await page.getByText('Your session ended').first().waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'session-ended-sign-in-1366');
    await page.fill('#f-username', 'erin');
    await page.fill('#f-password', PASSWORD);
    await page.click('button:has-text("Sign in")');
    await page.waitForURL(/\/admin\/figures\/new$/);
    await page.getByText('You are signed in again. This is the form as you sent it').first().waitFor();
    expect(await page.inputValue('#f-value')).toBe('14.6 thousand');
    expect(await page.inputValue('#f-reference-period-end')).toBe('2024-06-28');
    expect(await page.inputValue('#f-reported-by')).toBe('OHCHR');
    expect(await page.inputValue('#f-source-quote')).toBe('some 14,600 people were killed in June, the mission said');
    expect(await page.inputValue('#f-notes')).toBe('Typed before the session ended');
    expect(await page.isChecked('input[name="period_kind"][value="range"]')).toBe(true);
    expect(await page.locator('#source-matches input[type="radio"]:checked').count()).toBe(1);
    await screenshot(page, 'session-resumed-form-1366');

    await page.click('button:has-text("Save draft")');
    await page.waitForURL(/\/admin\/figures\/\d+$/);
    const id = Number(page.url().split('/').pop());
    expect(env.app.q.figureEdits.getRow(id)).toMatchObject({ value: 14_600, notes: 'Typed before the session ended', reported_by: 'OHCHR' });
    // The 401 (the sign-in page answering the expired save) was meant.
    expect({ ...problems, consoleErrors: problems.consoleErrors.filter((e) => !/status of 401/.test(e)) }).toEqual({ consoleErrors: [], pageErrors: [] });
    await signOut(page);
    await page.close();
  });

  test('two editors on one figure: a three-way view, and no field lost', async () => {
    const erinPage = await env.browser.newPage();
    const adaPage = await second.newPage();
    await erinPage.setViewportSize({ width: 1366, height: 900 });
    const problems = watchProblems(erinPage);
    await signIn(erinPage, 'erin');
    await erinPage.goto(`${env.app.baseUrl}/admin/figures/new`);
    await fillFigure(erinPage, '120', '120 civilians were killed in June', '09');
    await erinPage.fill('#f-source-q', '');
    await erinPage.click('button:has-text("Save draft")');
    await erinPage.waitForURL(/\/admin\/figures\/\d+$/);
    const id = Number(erinPage.url().split('/').pop());

    // Both open the edit form.
    await erinPage.goto(`${env.app.baseUrl}/admin/figures/${id}/edit`);
    await signIn(adaPage, 'ada');
    await adaPage.goto(`${env.app.baseUrl}/admin/figures/${id}/edit`);

    // Ada corrects the number and its quote; Erin, meanwhile, the verification and a note.
    await adaPage.fill('#f-value', '125');
    await adaPage.fill('#f-source-quote', '125 civilians were killed in June');
    await adaPage.click('button:has-text("Save changes")');
    await adaPage.getByText('Draft saved.').first().waitFor();

    await erinPage.selectOption('#f-verification', 'verified');
    await erinPage.fill('#f-notes', 'OHCHR verified this in its July update');
    await erinPage.click('button:has-text("Save changes")');
    const conflict = erinPage.locator('#conflict');
    await conflict.waitFor();
    expect(await conflict.textContent()).toContain('ada saved this figure after you opened the form');
    // Three columns, names not ids.
    const header = await erinPage.locator('table.three-way thead').textContent();
    expect(header).toContain('You both started from');
    expect(header).toContain('Theirs (saved by ada)');
    expect(header).toContain('Yours (not saved)');
    const placeRow = await erinPage.locator('table.three-way tr', { hasText: 'Place' }).first().textContent();
    expect(placeRow).toContain('Khersonska (UA65)');
    const valueCells = await erinPage.locator('table.three-way tr', { hasText: 'Value' }).first().locator('td').allTextContents();
    expect(valueCells).toEqual(['120', '125', '120', 'their change']);
    expect(await erinPage.evaluate(() => document.activeElement?.id)).toBe('conflict');
    expect(await seriousA11yViolations(erinPage)).toEqual([]);
    await screenshot(erinPage, 'three-way-1366');
    await erinPage.setViewportSize({ width: 390, height: 844 });
    await screenshot(erinPage, 'three-way-390');
    await erinPage.setViewportSize({ width: 1366, height: 900 });

    // The form now holds both: their number, my verification and note. Saving keeps every change.
    expect(await erinPage.inputValue('#f-value')).toBe('125');
    expect(await erinPage.inputValue('#f-verification')).toBe('verified');
    await erinPage.click('button:has-text("Save changes")');
    await erinPage.getByText('Draft saved.').first().waitFor();
    expect(env.app.q.figureEdits.getRow(id)).toMatchObject({
      value: 125, source_quote: '125 civilians were killed in June', verification: 'verified', notes: 'OHCHR verified this in its July update',
    });
    expect({ ...problems, consoleErrors: problems.consoleErrors.filter((e) => !/status of 409/.test(e)) }).toEqual({ consoleErrors: [], pageErrors: [] });
    await erinPage.close();
    await adaPage.close();
  });
});
