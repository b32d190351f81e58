import { screenshot, signOut, seriousA11yViolations, watchProblems, useBrowserTestEnv } from './helpers';

const env = useBrowserTestEnv({ erin: 'editor', ada: 'admin' });
const { signIn } = env;

describe('a change to a cited source in a browser', () => {
  test('an editor proposes it, an admin reviews it in the queue and on the source page, and publishes it', async () => {
    const source = env.app.db
      .prepare<[], { id: number; title: string }>(
        "SELECT s.id, s.title FROM sources s WHERE EXISTS (SELECT 1 FROM figures f WHERE f.source_id = s.id AND f.status = 'published') ORDER BY s.id LIMIT 1",
      )
      .get();
    if (!source) throw new Error('the seed has no cited source');
    const page = await env.browser.newPage();
    await page.setViewportSize({ width: 1366, height: 900 });
    const problems = watchProblems(page);

    await signIn(page, 'erin');
    await page.goto(`${env.app.baseUrl}/admin/sources/${source.id}/edit`);
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
    const publicPage = await env.browser.newPage();
    await publicPage.goto(`${env.app.baseUrl}/sources/${source.id}`);
    expect(await publicPage.textContent('h1')).toBe(`${source.title} (corrected)`);
    // The one console error is the 400 of the form sent back with the mistake.
    const expected = /status of 400/;
    expect(problems.consoleErrors.filter((e) => expected.test(e))).toHaveLength(1);
    expect({ ...problems, consoleErrors: problems.consoleErrors.filter((e) => !expected.test(e)) }).toEqual({ consoleErrors: [], pageErrors: [] });
  });
});
