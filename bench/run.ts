/**
 * npm run bench        ~1,000,000 figures, 10 s per throughput measurement, 60 s of publishing
 * npm run bench:quick  100,000 figures, 3 s per measurement, 15 s of publishing
 *
 * Builds a database, starts the real server in production mode on a free
 * loopback port and measures what a user meets: the first request for a
 * chart page right after a publish; readers (10 connections) while a publish
 * lands every second through the admin routes, and while `npm run import`
 * commits 10,000 rows from another process, with /healthz among them; page
 * throughput against /healthz; the whole `npm run import -- FILE --publish`
 * command; the full CSV export against the sqlite3 shell (median of three);
 * the database against its CSV; cold start. Every figure is printed with its
 * ratio to its target (≤ 1.00 meets it) and written to
 * bench/results/latest.json; `--write-note` also rewrites the table in
 * docs/performance.md.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { openDb } from '../db/connection';
import { migrate } from '../db/migrate';
import { EXPORT_SELECT } from '../db/queries/export';
import { DEMO_DATASET_PATH, loadDataset, readDataset } from '../db/seed/load';
import { migrationsDir, projectRoot } from '../server/paths';
import { BENCH_ADMIN, describeGenerated, generateDatabase, openGenerated } from './generate';

interface Row {
  what: string;
  p50?: number;
  p99?: number;
  rps?: number;
  value?: string;
  target: string;
  ratio: number;
}

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const figuresArg = args.find((a) => a.startsWith('--figures='));
const FIGURES = figuresArg ? Number(figuresArg.split('=')[1]) : quick ? 100_000 : 1_000_000;
const DURATION = quick ? 3 : 10;
/** How long readers are measured while staff publish every second, or imports commit from another process. */
const WRITE_SECONDS = quick ? 15 : 60;
const LIVE_IMPORT_ROWS = 10_000;
const IMPORT_ROWS = 100_000;
/** --from=FILE starts from a copy of a database an earlier run generated (kept with --keep=FILE). */
const fromArg = args.find((a) => a.startsWith('--from='))?.slice('--from='.length);
const keepArg = args.find((a) => a.startsWith('--keep='))?.slice('--keep='.length);
/** --only=publishing stops after the phases with staff publishing and renaming (for profiling the server: BENCH_SERVER_NODE_OPTIONS='--cpu-prof'). */
const onlyPublishing = args.includes('--only=publishing');
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-bench-'));

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function bar(done: number, total: number): void {
  const share = Math.min(1, done / Math.max(1, total));
  const width = 30;
  const filled = Math.round(share * width);
  const line = `generating [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done.toLocaleString('en-GB')} / ~${total.toLocaleString('en-GB')} figures`;
  if (process.stderr.isTTY) process.stderr.write(`\r${line}`);
  else if (done === total || done % 100_000 < 5000) log(line);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      })
      .on('error', reject);
  });
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function startServer(dbFile: string, port: number): Promise<{ child: ChildProcess; coldStartMs: number }> {
  const started = process.hrtime.bigint();
  const nodeArgs = (process.env.BENCH_SERVER_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, path.join(projectRoot, 'dist/server/main.js')], {
    env: { ...process.env, DATABASE_PATH: dbFile, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', LOG_LEVEL: 'warn', SESSION_SECRET: 'bench-session-secret-0123456789abcdef' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (;;) {
    try {
      const res = await get(`http://127.0.0.1:${port}/healthz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) throw new Error('the server exited during start-up');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { child, coldStartMs: Number(process.hrtime.bigint() - started) / 1e6 };
}

/** What a browser sends: pages come back gzipped when Tally has a compressed copy. */
const BROWSER_HEADERS = { 'accept-encoding': 'gzip, deflate, br' };

async function load(url: string, connections: number): Promise<{ p50: number; p99: number; rps: number; errors: number }> {
  const result = await autocannon({ url, connections, duration: DURATION, headers: BROWSER_HEADERS });
  const errors = result.errors + result.timeouts + result.non2xx;
  return { p50: result.latency.p50, p99: result.latency.p99, rps: result.requests.average, errors };
}

function chartBytes(html: string): number {
  let total = 0;
  for (const match of html.matchAll(/data-chart='([^']*)'/g)) total += Buffer.byteLength(match[1] ?? '');
  return total;
}


/** Latencies of one URL under the reader loops. */
interface UrlLatency {
  url: string;
  p50: number;
  p99: number;
  max: number;
  count: number;
  errors: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/**
 * `connections` readers, each asking for the next URL in turn as soon as the
 * last answer arrived, until stop() resolves; latency kept per URL.
 */
function readers(base: string, urls: readonly string[], connections: number): { stop: () => Promise<UrlLatency[]> } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const times = new Map<string, number[]>(urls.map((u) => [u, []]));
  const errors = new Map<string, number>(urls.map((u) => [u, 0]));
  let running = true;
  let next = 0;
  const one = (url: string): Promise<void> =>
    new Promise((resolve) => {
      const started = process.hrtime.bigint();
      const req = http.get(base + url, { agent, headers: BROWSER_HEADERS }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => {
          if (res.statusCode !== 200) errors.set(url, (errors.get(url) ?? 0) + 1);
          times.get(url)?.push(Number(process.hrtime.bigint() - started) / 1e6);
          resolve();
        });
      });
      req.on('error', () => {
        errors.set(url, (errors.get(url) ?? 0) + 1);
        resolve();
      });
    });
  const loops = Array.from({ length: connections }, async () => {
    while (running) await one(urls[next++ % urls.length] as string);
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return urls.map((url) => {
        const sorted = [...(times.get(url) ?? [])].sort((a, b) => a - b);
        return { url, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN, count: sorted.length, errors: errors.get(url) ?? 0 };
      });
    },
  };
}

/** A signed-in admin that publishes figures through the admin routes, as staff do. */
class Staff {
  private cookies = new Map<string, string>();
  private csrf = '';
  private published = 0;

  constructor(private readonly base: string) {}

  private async request(url: string, form?: Record<string, string>): Promise<Response> {
    const res = await fetch(this.base + url, {
      signal: AbortSignal.timeout(30_000),
      method: form ? 'POST' : 'GET',
      headers: { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: form ? new URLSearchParams({ _csrf: this.csrf, ...form }).toString() : undefined,
      redirect: 'manual',
    }).catch((err: unknown) => {
      throw new Error(`${form ? 'POST' : 'GET'} ${url} failed: ${err instanceof Error ? `${err.message} (${String(err.cause)})` : String(err)}`);
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    return res;
  }

  private token(html: string): string {
    const match = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!match?.[1]) throw new Error('no CSRF token in the page');
    return match[1];
  }

  async login(): Promise<void> {
    this.csrf = this.token(await (await this.request('/login')).text());
    const res = await this.request('/login', { username: BENCH_ADMIN.username, password: BENCH_ADMIN.password });
    if (res.status !== 303) throw new Error(`the benchmark admin could not sign in (${res.status})`);
    this.csrf = this.token(await (await this.request('/admin')).text());
  }

  /**
   * Renames a source as staff do: the edit of a source public figures cite is a change for
   * review, which this admin then publishes (with the reason a self-publish needs).
   * Returns how long the publish request took.
   */
  async renameSource(id: number, title: string): Promise<number> {
    const edited = await this.request(`/admin/sources/${id}`, { title, publisher: 'UN OCHA', url: 'https://reports.example.org/series', published_on: '2024-12-30', accessed_on: '', notes: '' });
    if (edited.status !== 303) throw new Error(`editing source ${id} answered ${edited.status}`);
    const page = await (await this.request(`/admin/sources/${id}`)).text();
    const change = /\/admin\/changes\/(\d+)\/publish/.exec(page)?.[1];
    if (!change) throw new Error(`source ${id}'s page offers no change to publish`);
    const started = process.hrtime.bigint();
    const published = await this.request(`/admin/changes/${change}/publish`, { reason: 'Benchmark: the series was renamed by its publisher' });
    if (published.status !== 303) throw new Error(`publishing change ${change} answered ${published.status}`);
    return seconds(started) * 1000;
  }

  /** Creates a figure, submits it and publishes it (the admin says why it publishes its own figure): three requests. */
  async publish(indicatorId: number, locationId: number, sourceId: number): Promise<void> {
    this.published += 1;
    const value = 1_000 + this.published;
    // A new day each time: one originator's figure for a place and day is one figure.
    const day = new Date(Date.UTC(2022, 0, 1) + (this.published % 1000) * 86_400_000).toISOString().slice(0, 10);
    const created = await this.request('/admin/figures', {
      indicator_id: String(indicatorId),
      location_id: String(locationId),
      source_id: String(sourceId),
      period_kind: 'day',
      reference_period_start: day,
      reference_period_end: day,
      measure: 'period_count',
      value: String(value),
      qualifier: 'exact',
      verification: 'reported',
      reported_by: 'Benchmark staff',
      source_quote: `${value} people counted by the benchmark`,
      // The generated figures overlap every day: the form asks to confirm a figure beside them.
      confirm_duplicate: 'yes',
    });
    const id = /(\d+)$/.exec(created.headers.get('location') ?? '')?.[1];
    if (created.status !== 303 || !id) throw new Error(`creating a figure answered ${created.status}`);
    const submitted = await this.request(`/admin/figures/${id}/submit`, {});
    if (submitted.status !== 303) throw new Error(`submitting figure ${id} answered ${submitted.status}`);
    const published = await this.request(`/admin/figures/${id}/publish`, { reason: 'Benchmark: published by its own editor' });
    if (published.status !== 303) throw new Error(`publishing figure ${id} answered ${published.status}`);
  }
}

/** Splits one CSV line (RFC 4180 quoting, no line breaks inside cells). */
function csvCells(line: string): string[] {
  const cells: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i += 1;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new Error('unterminated quote');
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 2;
          break;
        }
      }
      cells.push(value);
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      cells.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return cells;
}

function csvLine(cells: readonly string[]): string {
  return cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(',');
}

function seconds(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function fileBytes(file: string): number {
  let total = 0;
  for (const suffix of ['', '-wal']) {
    try {
      total += fs.statSync(file + suffix).size;
    } catch {
      // no WAL
    }
  }
  return total;
}

/** A copy of a database generated earlier, with what generateDatabase said of it. */
function copyGenerated(from: string, to: string): { figures: number; sources: number; seriesSource: number } {
  fs.copyFileSync(from, to);
  // A copy kept by an earlier version: brought up to this version's migrations, as the server would.
  const db = openDb(to);
  migrate(db, migrationsDir);
  db.close();
  return describeGenerated(to);
}

async function main(): Promise<void> {
  const sqlite = spawnSync('sqlite3', ['--version'], { encoding: 'utf8' });
  if (sqlite.status !== 0) {
    log("The export limit is measured with the sqlite3 command-line shell, which is missing: install it with 'apt-get install sqlite3' (Debian's package) and run the benchmark again.");
    process.exit(2);
  }
  if (!fs.existsSync(path.join(projectRoot, 'dist/server/main.js'))) throw new Error('run npm run build first (npm run bench does)');

  const dbFile = path.join(workDir, 'bench.db');
  log(`Tally benchmark: ${FIGURES.toLocaleString('en-GB')} figures, ${DURATION}s per throughput measurement, ${WRITE_SECONDS}s of writes, database ${dbFile}`);
  const genStarted = Date.now();
  const generated = fromArg ? copyGenerated(fromArg, dbFile) : await generateDatabase(dbFile, { figures: FIGURES, onProgress: bar });
  if (keepArg) fs.copyFileSync(dbFile, keepArg);
  if (process.stderr.isTTY) process.stderr.write('\n');
  const genSeconds = (Date.now() - genStarted) / 1000;
  log(`generated ${generated.figures.toLocaleString('en-GB')} figures and ${generated.sources} sources in ${genSeconds.toFixed(1)}s`);
  const dbBytes = fileBytes(dbFile);

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const { child, coldStartMs } = await startServer(dbFile, port);
  const pid = child.pid as number;
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  let errors = 0;
  try {
    const compare = '/compare?indicator=civilian_deaths&indicator=civilian_injuries&location=UA14&location=UA63&from=2023-01-01&to=2024-12-31';
    const chartPages: [string, string][] = [
      ['/', '/'],
      ['indicator page', '/indicators/civilian_deaths'],
      ['compare page', compare],
    ];
    const otherPages: [string, string][] = [
      ['figures page 50', '/figures?indicator=civilian_deaths&page=50'],
      ['/sources', '/sources'],
      ['a place page', '/locations/UA14'],
    ];
    for (const [, url] of [...chartPages, ...otherPages]) {
      const res = await get(base + url);
      if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
    }

    // 1. The first reader after a publish: every cache of the old data is stale.
    const staff = new Staff(base);
    await staff.login();
    const ids = (() => {
      const g = openGenerated(dbFile);
      try {
        return {
          indicator: g.q.indicators.list().find((i) => i.code === 'civilian_deaths')?.id as number,
          location: g.q.locations.list().find((l) => l.code === 'UA14')?.id as number,
          source: g.q.sources.listForPicker()[0]?.id as number,
        };
      } finally {
        g.close();
      }
    })();
    const publish = (): Promise<void> => staff.publish(ids.indicator, ids.location, ids.source);
    for (const [name, url] of chartPages) {
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        await get(base + url);
        await publish();
        const started = process.hrtime.bigint();
        const res = await get(base + url);
        times.push(seconds(started) * 1000);
        if (res.status !== 200) errors += 1;
      }
      const worst = Math.max(...times);
      rows.push({ what: `first ${name} after a publish (worst of 3)`, value: `${worst.toFixed(0)} ms`, target: '≤ 100 ms', ratio: worst / 100 });
      details[`firstAfterPublish ${url}`] = times;
    }

    // 2. Readers while a publish lands every second through the admin routes.
    const readUrls = [...chartPages.map(([, u]) => u), '/healthz'];
    const label = (url: string): string => chartPages.find(([, u]) => u === url)?.[0] ?? url;
    log(`measuring readers while staff publish every second for ${WRITE_SECONDS}s…`);
    {
      const load = readers(base, readUrls, 10);
      let publishes = 0;
      const until = Date.now() + WRITE_SECONDS * 1000;
      while (Date.now() < until) {
        const tick = Date.now();
        await publish();
        publishes += 1;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - (Date.now() - tick))));
      }
      const result = await load.stop();
      for (const r of result) {
        errors += r.errors;
        rows.push({ what: `${label(r.url)} while staff publish every 1 s`, p50: r.p50, p99: r.p99, value: `${r.count} answers${r.errors ? `, ${r.errors} failed` : ''}, max ${r.max.toFixed(0)} ms`, target: 'p99 ≤ 50 ms', ratio: r.p99 / 50 });
      }
      details.publishing = { publishes, result };
    }

    // 2b. Readers while a source cited by every tenth figure (100,000 at full size) is renamed and published.
    log(`measuring readers while a source cited by ${Math.round(generated.figures / 10).toLocaleString('en-GB')} figures is renamed, three times…`);
    {
      const load = readers(base, readUrls, 10);
      const publishMs: number[] = [];
      for (let i = 1; i <= 3; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1500));
        publishMs.push(await staff.renameSource(generated.seriesSource, `Civilian casualties in Ukraine: monthly update series (edition ${i})`));
      }
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const result = await load.stop();
      for (const r of result) {
        errors += r.errors;
        rows.push({ what: `${label(r.url)} while a source of ${Math.round(generated.figures / 10 / 1000)}k figures is renamed`, p50: r.p50, p99: r.p99, value: `${r.count} answers${r.errors ? `, ${r.errors} failed` : ''}, max ${r.max.toFixed(0)} ms`, target: 'p99 ≤ 100 ms', ratio: r.p99 / 100 });
      }
      // The renames' change-feed backfills run on the server's page-view worker: they must all finish.
      const backfillStarted = Date.now();
      for (;;) {
        const g = openGenerated(dbFile);
        const pending = g.q.feedBackfills.pending();
        g.close();
        if (pending === 0) break;
        if (Date.now() - backfillStarted > 120_000) throw new Error(`${pending} change-feed backfills still wait two minutes after the last rename`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      details.renames = { publishMs, result, backfillsDoneAfterMs: Date.now() - backfillStarted };
    }

    if (onlyPublishing) {
      printTable(rows, generated.figures);
      return;
    }

    // 3. Readers while `npm run import` commits 10,000 rows at a time from another process.
    log('measuring the full CSV export…');
    const exportFile = path.join(workDir, 'export.csv');
    const rssBefore = rssMb(pid);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, rssMb(pid));
    }, 20);
    const exportOnce = (): Promise<{ bytes: number; seconds: number }> => {
      const started = process.hrtime.bigint();
      return new Promise((resolve, reject) => {
        http
          .get(`${base}/export/figures.csv`, (res) => {
            let bytes = 0;
            const out = fs.createWriteStream(exportFile);
            res.on('data', (c: Buffer) => {
              bytes += c.length;
            });
            res.pipe(out);
            out.on('finish', () => resolve({ bytes, seconds: seconds(started) }));
          })
          .on('error', reject);
      });
    };
    const exports: { bytes: number; seconds: number }[] = [];
    for (let i = 0; i < 3; i++) exports.push(await exportOnce());
    clearInterval(sampler);
    const exportRows = countLines(exportFile) - 1;
    const exportBytes = exports[exports.length - 1]?.bytes ?? 0;
    const sqlOut = path.join(workDir, 'sqlite3.csv');
    const sql = `${EXPORT_SELECT} WHERE f.status = 'published' ORDER BY f.id;`;
    const shellTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = process.hrtime.bigint();
      const shell = spawnSync('sh', ['-c', `sqlite3 -readonly -csv -header "${dbFile}" "${sql.replace(/\s+/g, ' ').replace(/"/g, '\\"')}" > "${sqlOut}"`], { stdio: 'inherit' });
      if (shell.status !== 0) throw new Error('sqlite3 failed');
      shellTimes.push(seconds(started));
    }
    const sqlRows = countLines(sqlOut) - 1;
    if (sqlRows !== exportRows) throw new Error(`the export has ${exportRows} rows but sqlite3 wrote ${sqlRows}`);
    const exportSeconds = median(exports.map((e) => e.seconds));
    const sqlSeconds = median(shellTimes);
    rows.push({
      what: `full CSV export (${exportRows.toLocaleString('en-GB')} rows, ${(exportBytes / 1e6).toFixed(0)} MB), median of 3`,
      value: `${exportSeconds.toFixed(2)} s, ${Math.round(exportRows / exportSeconds).toLocaleString('en-GB')} rows/s; sqlite3 -csv ${sqlSeconds.toFixed(2)} s`,
      target: '≤ 1.3 × sqlite3 -csv',
      ratio: exportSeconds / sqlSeconds / 1.3,
    });
    rows.push({ what: 'server RSS growth while exporting', value: `${(rssPeak - rssBefore).toFixed(1)} MB (${rssBefore.toFixed(0)} → ${rssPeak.toFixed(0)} MB)`, target: '≤ 100 MB', ratio: (rssPeak - rssBefore) / 100 });
    rows.push({
      what: 'database size against its full CSV export',
      value: `${(dbBytes / 1e6).toFixed(0)} MB for ${(exportBytes / 1e6).toFixed(0)} MB of CSV (${(dbBytes / exportBytes).toFixed(2)} ×)`,
      target: '≤ 2.5 × the CSV',
      ratio: dbBytes / exportBytes / 2.5,
    });
    details.export = { rows: exportRows, bytes: exportBytes, seconds: exports.map((e) => e.seconds), sqliteSeconds: shellTimes, rssBeforeMb: rssBefore, rssPeakMb: rssPeak, databaseBytes: dbBytes };

    const lines = fs.readFileSync(exportFile, 'utf8').split('\r\n');
    const header = lines[0] as string;
    // Corrections the live server's figures can take: the value moves by `step` (figures without an upper bound).
    const corrections = (count: number, step: number): string => {
      const out = [header];
      for (let i = 1; i < lines.length && out.length <= count; i++) {
        const line = lines[i];
        if (!line) continue;
        const cells = csvCells(line);
        if (cells[11] !== '') continue;
        cells[9] = String(Number(cells[9]) + step);
        out.push(csvLine(cells));
      }
      return `${out.join('\r\n')}\r\n`;
    };
    const importCommand = (file: string, database: string): Promise<{ status: number | null; seconds: number; stdout: string; stderr: string }> => {
      const started = process.hrtime.bigint();
      return new Promise((resolve) => {
        const proc = spawn('npm', ['run', '--silent', 'import', '--', file, '--publish'], { cwd: projectRoot, env: { ...process.env, DATABASE_PATH: database }, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        proc.on('close', (status) => resolve({ status, seconds: seconds(started), stdout, stderr }));
      });
    };

    log(`measuring readers while npm run import commits ${LIVE_IMPORT_ROWS.toLocaleString('en-GB')} rows at a time from another process for ${WRITE_SECONDS}s…`);
    {
      const load = readers(base, readUrls, 10);
      const until = Date.now() + WRITE_SECONDS * 1000;
      const imports: { seconds: number; status: number | null }[] = [];
      let step = 1;
      while (Date.now() < until) {
        const file = path.join(workDir, `live-import-${step}.csv`);
        fs.writeFileSync(file, corrections(LIVE_IMPORT_ROWS, step));
        const run = await importCommand(file, dbFile);
        if (run.status !== 0) throw new Error(`the live import failed: ${run.stderr.slice(-2000)}`);
        imports.push({ seconds: run.seconds, status: run.status });
        step += 1;
      }
      const result = await load.stop();
      for (const r of result) {
        errors += r.errors;
        rows.push({ what: `${label(r.url)} while npm run import commits 10,000 rows`, p50: r.p50, p99: r.p99, value: `${r.count} answers${r.errors ? `, ${r.errors} failed` : ''}, max ${r.max.toFixed(0)} ms`, target: 'p99 ≤ 100 ms', ratio: r.p99 / 100 });
      }
      details.liveImports = { imports, result };
    }

    // 4. Throughput: every page against /healthz at 10 connections.
    log('measuring /healthz (the framework limit)…');
    const health10 = await load(`${base}/healthz`, 10);
    errors += health10.errors;
    rows.push({ what: '/healthz, 10 connections', p50: health10.p50, p99: health10.p99, rps: health10.rps, value: health10.errors ? `${health10.errors} failed` : '', target: 'framework limit', ratio: 1 });
    const minRps = 0.5 * health10.rps;
    for (const [name, url] of [...chartPages, ...otherPages]) {
      log(`measuring ${name}…`);
      const at10 = await load(base + url, 10);
      errors += at10.errors;
      rows.push({ what: `${name}, 10 connections`, ...at10, value: at10.errors ? `${at10.errors} failed` : '', target: `≥ 50 % of /healthz (${Math.round(minRps)} req/s)`, ratio: minRps / Math.max(at10.rps, 0.001) });
    }
    log('measuring chart data sizes…');
    for (const [name, url] of chartPages) {
      const bytes = chartBytes((await get(base + url)).body);
      rows.push({ what: `chart JSON on ${name}`, value: `${(bytes / 1024).toFixed(1)} KB`, target: '≤ 100 KB', ratio: bytes / (100 * 1024) });
      details[`chartBytes ${url}`] = bytes;
    }
    rows.push({ what: 'cold start to first answer', value: `${(coldStartMs / 1000).toFixed(2)} s`, target: '≤ 1 s', ratio: coldStartMs / 1000 });

    // 5. The import as a user meets it: the whole command, into a database holding the catalogue only.
    log(`measuring npm run import of ${IMPORT_ROWS.toLocaleString('en-GB')} rows…`);
    const importFile = path.join(workDir, 'import.csv');
    // The generated figures only: not those the benchmark's own staff published above.
    const generatedLines = lines.slice(1).filter((l) => l !== '' && !l.includes('Benchmark staff'));
    const take = Math.min(IMPORT_ROWS, generatedLines.length);
    fs.writeFileSync(importFile, [header, ...generatedLines.slice(0, take)].join('\r\n') + '\r\n');
    const importDb = path.join(workDir, 'import.db');
    const target = openDb(importDb);
    migrate(target, migrationsDir);
    loadDataset(target, { ...readDataset(DEMO_DATASET_PATH), sources: [], figures: [] });
    target.close();
    const run = await importCommand(importFile, importDb);
    if (run.status !== 0) throw new Error(`the import failed: ${run.stderr.slice(-3000)}`);
    const rate = take / run.seconds;
    rows.push({ what: `npm run import -- FILE --publish, ${take.toLocaleString('en-GB')} rows`, value: `${run.seconds.toFixed(2)} s, ${Math.round(rate).toLocaleString('en-GB')} rows/s`, target: '≥ 50,000 rows/s', ratio: 50_000 / rate });
    details.import = { rows: take, seconds: run.seconds, output: run.stdout.trim() };
    details.errors = errors;
    rows.push({ what: 'failed answers during the run', value: String(errors), target: '0', ratio: errors === 0 ? 0 : Infinity });
  } finally {
    child.kill('SIGTERM');
  }

  const table = printTable(rows, generated.figures);
  const results = {
    at: new Date().toISOString(),
    figures: generated.figures,
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    durationSeconds: DURATION,
    writeSeconds: WRITE_SECONDS,
    generationSeconds: genSeconds,
    rows,
    details,
  };
  const resultsDir = path.join(projectRoot, 'bench', 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(path.join(resultsDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  if (args.includes('--write-note')) writeNote(table, results.machine, generated.figures);
  fs.rmSync(workDir, { recursive: true, force: true });
  const missed = rows.filter((r) => r.ratio > 1);
  log(missed.length === 0 ? 'Every target met.' : `Targets missed: ${missed.map((r) => r.what).join('; ')}`);
}

/** Replaces the table between the markers of docs/performance.md with this run's. */
function writeNote(table: string, machine: { cpus: number; cpu: string | undefined; memoryGb: number; node: string }, figures: number): void {
  const file = path.join(projectRoot, 'docs', 'performance.md');
  const note = fs.readFileSync(file, 'utf8');
  const begin = '<!-- bench:begin -->';
  const end = '<!-- bench:end -->';
  const from = note.indexOf(begin);
  const to = note.indexOf(end);
  if (from < 0 || to < from) throw new Error(`docs/performance.md has no ${begin} … ${end} markers`);
  const run = `Run on ${new Date().toISOString().slice(0, 10)}: ${figures.toLocaleString('en-GB')} figures, ${machine.cpus} cores (${machine.cpu ?? 'unknown CPU'}), ${machine.memoryGb} GiB, Node ${machine.node}.`;
  fs.writeFileSync(file, `${note.slice(0, from + begin.length)}\n${run}\n\n${table}\n${note.slice(to)}`);
}

function countLines(file: string): number {
  const fd = fs.openSync(file, 'r');
  const buffer = Buffer.alloc(1 << 20);
  let lines = 0;
  let read: number;
  while ((read = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0) {
    for (let i = 0; i < read; i++) if (buffer[i] === 10) lines += 1;
  }
  fs.closeSync(fd);
  return lines;
}

function printTable(rows: Row[], figures: number): string {
  const fmt = (n: number | undefined, digits = 1): string => (n === undefined || Number.isNaN(n) ? '' : n.toFixed(digits));
  const header = ['what', 'p50 ms', 'p99 ms', 'req/s', 'measured', 'target', 'ratio'];
  const body = rows.map((r) => [r.what, fmt(r.p50), fmt(r.p99), r.rps === undefined ? '' : Math.round(r.rps).toString(), r.value ?? '', r.target, Number.isNaN(r.ratio) ? '' : r.ratio.toFixed(2)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const table = [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...body.map(line)].join('\n');
  process.stdout.write(`\nTally benchmark, ${figures.toLocaleString('en-GB')} figures (ratio = measured / target; ≤ 1.00 meets it)\n\n${table}\n\n`);
  return table;
}

main().catch((err: unknown) => {
  process.stderr.write(`benchmark failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  fs.rmSync(workDir, { recursive: true, force: true });
  process.exit(1);
});
