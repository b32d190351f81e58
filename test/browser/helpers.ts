import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { projectRoot } from '../../server/paths';
import { createTestApp, type TestApp } from '../helpers/app';
import type { Role } from '../../db/queries/users';
import { PASSWORD, createUser } from '../helpers/staff';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS_DIR = path.join(projectRoot, 'test', 'artifacts');

export interface RunningApp extends TestApp {
  baseUrl: string;
  close: () => Promise<void>;
}

/** The real app on its own fresh database, listening on a free loopback port. */
export async function startApp(options: Parameters<typeof createTestApp>[0] = {}): Promise<RunningApp> {
  const testApp = createTestApp(options);
  const server: Server = await new Promise((resolve) => {
    const s = testApp.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    ...testApp,
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Debian's Chromium, headless, in a fresh profile directory; `hasTouch` for a touch screen (taps). */
export async function launchBrowser(options: { hasTouch?: boolean } = {}): Promise<BrowserContext> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install Debian's package (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-chromium-'));
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1280, height: 900 },
    hasTouch: options.hasTouch === true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

export interface PageProblems {
  consoleErrors: string[];
  pageErrors: string[];
}

/** Records console errors (CSP violations are reported there) and uncaught page errors. */
export function watchProblems(page: Page): PageProblems {
  const problems: PageProblems = { consoleErrors: [], pageErrors: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => problems.pageErrors.push(err.message));
  return problems;
}

/**
 * axe-core violations of serious or critical impact, as readable lines; `rules` narrows the run to those rules.
 * axe runs in the page itself (its "legacy" mode: every frame of the page is still checked, through axe's own
 * messaging) rather than gathering partial results in a second blank page, which took about half of each call's
 * time; that mode cannot reach a frame of another origin, so a page holding one gets the default mode.
 */
export async function seriousA11yViolations(page: Page, rules?: string[]): Promise<string[]> {
  const origin = new URL(page.url()).origin;
  const foreignFrame = page.frames().some((f) => f !== page.mainFrame() && new URL(f.url(), page.url()).origin !== origin && f.url() !== 'about:blank');
  let axe = new AxeBuilder({ page }).setLegacyMode(!foreignFrame);
  if (rules) axe = axe.withRules(rules);
  const results = await axe.analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Signs a staff user in through the login form (test password) and waits for the staff page. */
export async function signIn(page: Page, baseUrl: string, username: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.fill('#f-username', username);
  await page.fill('#f-password', PASSWORD);
  await page.click('button:has-text("Sign in")');
  await page.waitForURL(/\/admin$/);
}

export async function signOut(page: Page): Promise<void> {
  await page.click('button:has-text("Sign out")');
  await page.waitForURL((url) => url.pathname === '/');
}

export interface BrowserTestEnv {
  /** The app on its fresh database (set in beforeAll). */
  readonly app: RunningApp;
  /** A fresh Chromium profile (set in beforeAll). */
  readonly browser: BrowserContext;
  /** Signs a user created for this file in through the login form. */
  signIn: (page: Page, username: string) => Promise<void>;
}

/**
 * The set-up every browser test file shares, registered as beforeAll/afterAll:
 * the app on a fresh database, the staff users named (with the test password),
 * and a fresh headless Chromium, all closed after the file.
 */
export function useBrowserTestEnv(users: Record<string, Role> = {}): BrowserTestEnv {
  let app: RunningApp | undefined;
  let browser: BrowserContext | undefined;
  beforeAll(async () => {
    app = await startApp();
    for (const [username, role] of Object.entries(users)) await createUser(app, username, role);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });
  const env: BrowserTestEnv = {
    get app() {
      if (!app) throw new Error('the app starts in beforeAll');
      return app;
    },
    get browser() {
      if (!browser) throw new Error('the browser starts in beforeAll');
      return browser;
    },
    signIn: (page, username) => signIn(page, env.app.baseUrl, username),
  };
  return env;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      /** The locator's element is not visible at this moment. */
      toBeHiddenNow(): Promise<R>;
      /** The locator's element becomes visible within 5 s. */
      toBeVisibleSoon(): Promise<R>;
    }
  }
}

expect.extend({
  async toBeHiddenNow(locator: Locator) {
    const visible = await locator.isVisible();
    return { pass: !visible, message: () => (visible ? 'visible' : 'hidden') };
  },
  async toBeVisibleSoon(locator: Locator) {
    try {
      await locator.waitFor({ state: 'visible', timeout: 5000 });
      return { pass: true, message: () => 'visible' };
    } catch {
      return { pass: false, message: () => 'not visible within 5 s' };
    }
  },
});
