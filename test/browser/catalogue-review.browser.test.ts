import type { BrowserContext, Page } from 'playwright-core';
import { createUser } from '../helpers/staff';
import { launchBrowser, screenshot, signIn as signInAs, signOut, seriousA11yViolations, startApp, watchProblems, type RunningApp } from './helpers';

let app: RunningApp;
let browser: BrowserContext;

beforeAll(async () => {
  app = await startApp();
  await createUser(app, 'erin', 'editor');
  await createUser(app, 'ada', 'admin');
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const signIn = (page: Page, username: string): Promise<void> => signInAs(page, app.baseUrl, username);

describe('a change to a cited source in a browser', () => {
  test('an editor proposes it, an admin reviews it in the queue and on the source page, and publishes it', async () => {
    const source = app.db
      .prepare<[], { id: number; title: string }>(
        "SELECT s.id, s.title FROM sources s WHERE EXISTS (SELECT 1 FROM figures f WHERE f.source_id = s.id AND f.status = 'published') ORDER BY s.id LIMIT 1",
      )
      .get();
    if (!source) throw new Error('the seed has no cited source');
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1366, height: 900 });
    const problems = watchProblems(page);

    await signIn(page, 'erin');
    await page.goto(`${app.baseUrl}/admin/sources/${source.id}/edit`);
    expect(await page.textContent('.notice-info')).toContain('saving proposes a change for review');
    await page.fill('#f-title', `${source.title} (corrected)`);
    await page.fill('#f-url', 'not an address');
    await page.click('button:has-text("Propose change")');
    // A mistake comes back beside its field, with what was typed.
    expect(await page.inputValue('#f-title')).toBe(`${source.title} (corrected)`);
    expect(await page.textContent('#f-url-error')).toContain('web address');
    await page.fill('#f-url', 'https://example.org/corrected-report');
    await page.click('button:has-text("Propose change")');
    await page.waitForURL(new RegExp(`/admin/sources/${source.id}$`));
    expect(await page.textContent('[role="status"]')).toContain('change proposed for review');
    await signOut(page);

    await signIn(page, 'ada');
    expect(await page.textContent('#catalogue-awaiting-heading')).toContain('(1)');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'staff-review-queue-1366');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'staff-review-queue-390');
    await page.setViewportSize({ width: 1366, height: 900 });

    await page.click(`a[href="/admin/sources/${source.id}"]`);
    expect(await page.textContent('#change-heading')).toContain('Change awaiting review');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'staff-source-change-1366');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'staff-source-change-390');
    await page.setViewportSize({ width: 1366, height: 900 });

    await page.click('button:has-text("Publish")');
    await page.waitForURL(new RegExp(`/admin/sources/${source.id}$`));
    expect(await page.textContent('.change-history')).toContain('published');
    const publicPage = await browser.newPage();
    await publicPage.goto(`${app.baseUrl}/sources/${source.id}`);
    expect(await publicPage.textContent('h1')).toBe(`${source.title} (corrected)`);
    // The one console error is the 400 of the form sent back with the mistake.
    const expected = /status of 400/;
    expect(problems.consoleErrors.filter((e) => expected.test(e))).toHaveLength(1);
    expect({ ...problems, consoleErrors: problems.consoleErrors.filter((e) => !expected.test(e)) }).toEqual({ consoleErrors: [], pageErrors: [] });
  });
});
