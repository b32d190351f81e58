import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../server/paths';
import { startServer, StaffClient, stopServer, type ServerProcess } from './harness';

/**
 * Two app processes on one SQLite file, as behind a reverse proxy: a change
 * written through one is read through the other. The servers run from the
 * TypeScript source (through tsx), so no build is needed first.
 */
const fromSource = { entry: path.join(projectRoot, 'server', 'main.ts'), nodeArgs: ['--import', 'tsx'] };

describe('two server processes sharing one database file', () => {
  let dir: string;
  let one: ServerProcess | undefined;
  let two: ServerProcess | undefined;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-two-'));
    const databasePath = path.join(dir, 'tally.db');
    // The first creates, migrates and seeds the file; the second opens it as it is.
    one = await startServer({ databasePath, ...fromSource });
    two = await startServer({ databasePath, ...fromSource });
  }, 60_000);

  afterAll(async () => {
    if (one) await stopServer(one);
    if (two) await stopServer(two);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a figure published through one process is served by the other, in pages, the API and the export', async () => {
    if (!one || !two) throw new Error('servers not started');
    const writer = new StaffClient(one.base);
    await writer.login();
    const form = await writer.get('/admin/figures/new');
    const html = await form.text();
    const firstOption = (name: string): string => {
      const select = new RegExp(`name="${name}"[\\s\\S]*?<option value="(\\d+)"`).exec(html);
      if (!select?.[1]) throw new Error(`no option for ${name}`);
      return select[1];
    };
    // A mirror pulls through the second process before the write...
    const before = await fetch(`${two.base}/export/figures.csv`);
    const token = before.headers.get('sync-token') ?? '';
    const mirror = new Map((await before.text()).trim().split('\r\n').slice(1).map((line) => [line.slice(0, line.indexOf(',')), line]));
    const created = await writer.postForm('/admin/figures', {
      indicator_id: firstOption('indicator_id'),
      location_id: firstOption('location_id'),
      // Sources are radio buttons (the newest offered first), not a dropdown.
      source_id: /name="source_id" value="(\d+)"/.exec(html)?.[1] ?? '',
      period_kind: 'day',
      reference_period_start: '2024-05-05',
      reference_period_end: '2024-05-05',
      measure: 'period_count',
      value: '4321',
      qualifier: 'exact',
      verification: 'reported',
      reported_by: 'Two-process check',
      source_quote: 'written through the first process',
    });
    expect(created.status).toBe(303);
    const id = Number(/(\d+)$/.exec(created.headers.get('location') ?? '')?.[1]);
    expect((await writer.postForm(`/admin/figures/${id}/submit`, {})).status).toBe(303);
    expect((await writer.postForm(`/admin/figures/${id}/publish`, { reason: 'two-process check, admin working alone' })).status).toBe(303);

    const page = await fetch(`${two.base}/figures/${id}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('written through the first process');
    const api = (await (await fetch(`${two.base}/api/v1/figures/${id}`)).json()) as Record<string, unknown>;
    expect(JSON.stringify(api)).toContain('4321');
    const fresh = await (await fetch(`${two.base}/export/figures.csv`)).text();
    expect(fresh).toContain('written through the first process');
    // ...and a since pull through the second process, after the write through the first, keeps it exact.
    const since = await (await fetch(`${two.base}/export/figures.csv?since=${token}`)).text();
    for (const line of since.trim().split('\r\n').slice(1)) mirror.set(line.slice(0, line.indexOf(',')), line);
    expect([...mirror.values()].sort().join('\r\n')).toBe(fresh.trim().split('\r\n').slice(1).sort().join('\r\n'));

    // And the other way: a session started on one process is valid on the other (sessions are in the file too).
    writer.base = two.base;
    expect(await writer.refreshToken()).toBe(true);
    expect((await writer.get(`/admin/figures/${id}`)).status).toBe(200);
  }, 60_000);

  test('after a publish, a chart page is answered at once and shows the new figure once its view is computed (never a half-built page)', async () => {
    if (!one || !two) throw new Error('servers not started');
    const writer = new StaffClient(one.base);
    await writer.login();
    const html = await (await writer.get('/admin/figures/new')).text();
    const firstOption = (name: string): string => new RegExp(`name="${name}"[\\s\\S]*?<option value="(\\d+)"`).exec(html)?.[1] ?? '';
    // Both processes have a computed dashboard from before the publish.
    for (const server of [one, two]) expect((await fetch(`${server.base}/`)).status).toBe(200);
    const created = await writer.postForm('/admin/figures', {
      indicator_id: firstOption('indicator_id'),
      location_id: firstOption('location_id'),
      // Sources are radio buttons (the newest offered first), not a dropdown.
      source_id: /name="source_id" value="(\d+)"/.exec(html)?.[1] ?? '',
      period_kind: 'day',
      reference_period_start: '2024-05-06',
      reference_period_end: '2024-05-06',
      measure: 'period_count',
      value: '4322',
      qualifier: 'exact',
      verification: 'reported',
      reported_by: 'Page view check',
      source_quote: 'published while the dashboard was computed',
    });
    const id = Number(/(\d+)$/.exec(created.headers.get('location') ?? '')?.[1]);
    expect((await writer.postForm(`/admin/figures/${id}/submit`, {})).status).toBe(303);
    expect((await writer.postForm(`/admin/figures/${id}/publish`, { reason: 'page view check, admin working alone' })).status).toBe(303);

    for (const server of [one, two]) {
      // Every answer is a whole page; within a few seconds it lists the new figure among the latest published.
      let shown = false;
      for (let attempt = 0; attempt < 100 && !shown; attempt++) {
        const res = await fetch(`${server.base}/`);
        expect(res.status).toBe(200);
        const page = await res.text();
        expect(page).toContain('</html>');
        shown = page.includes(`href="/figures/${id}"`);
        if (!shown) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(shown).toBe(true);
    }
  }, 60_000);
});

