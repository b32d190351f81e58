/**
 * npm run bench        ~1,000,000 figures, 10 s per measurement
 * npm run bench:quick  100,000 figures, 3 s per measurement
 *
 * Builds a database, starts the real server in production mode on a free
 * loopback port and measures pages, API, export, import, cold start and
 * chart data sizes. Every figure is reported as a ratio to its limit measured
 * or set in the same run (≤ 1.00 means the target is met). Writes
 * bench/results/latest.json.
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
import { generateDatabase } from './generate';

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
const IMPORT_ROWS = 100_000;
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
  const child = spawn(process.execPath, [path.join(projectRoot, 'dist/server/main.js')], {
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

async function load(url: string, connections: number): Promise<{ p50: number; p99: number; rps: number; errors: number }> {
  const result = await autocannon({ url, connections, duration: DURATION });
  const errors = result.errors + result.timeouts + result.non2xx;
  return { p50: result.latency.p50, p99: result.latency.p99, rps: result.requests.average, errors };
}

function chartBytes(html: string): number {
  let total = 0;
  for (const match of html.matchAll(/data-chart="([^"]*)"/g)) total += Buffer.byteLength(match[1] ?? '');
  return total;
}

async function main(): Promise<void> {
  const sqlite = spawnSync('sqlite3', ['--version'], { encoding: 'utf8' });
  if (sqlite.status !== 0) {
    log("The export limit is measured with the sqlite3 command-line shell, which is missing: install it with 'apt-get install sqlite3' (Debian's package) and run the benchmark again.");
    process.exit(2);
  }
  if (!fs.existsSync(path.join(projectRoot, 'dist/server/main.js'))) throw new Error('run npm run build first (npm run bench does)');

  const dbFile = path.join(workDir, 'bench.db');
  log(`Tally benchmark: ${FIGURES.toLocaleString('en-GB')} figures, ${DURATION}s per load measurement, database ${dbFile}`);
  const genStarted = Date.now();
  const generated = await generateDatabase(dbFile, { figures: FIGURES, onProgress: bar });
  if (process.stderr.isTTY) process.stderr.write('\n');
  const genSeconds = (Date.now() - genStarted) / 1000;
  log(`generated ${generated.figures.toLocaleString('en-GB')} figures and ${generated.sources} sources in ${genSeconds.toFixed(1)}s`);

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const { child, coldStartMs } = await startServer(dbFile, port);
  const pid = child.pid as number;
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  try {
    const compare = '/compare?indicator=civilian_deaths&indicator=civilian_injuries&location=UA14&location=UA63&from=2023-01-01&to=2024-12-31';
    const pages: [string, string][] = [
      ['/', '/'],
      ['indicator page', '/indicators/civilian_deaths'],
      ['compare page', compare],
      ['figures page 50', '/figures?indicator=civilian_deaths&page=50'],
    ];
    for (const [, url] of pages) {
      const res = await get(base + url);
      if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
    }

    log('measuring /healthz (the framework limit)…');
    const health10 = await load(`${base}/healthz`, 10);
    const health50 = await load(`${base}/healthz`, 50);
    rows.push({ what: '/healthz, 10 connections', p50: health10.p50, p99: health10.p99, rps: health10.rps, target: 'framework limit', ratio: 1 });
    rows.push({ what: '/healthz, 50 connections', p50: health50.p50, p99: health50.p99, rps: health50.rps, target: 'framework limit', ratio: 1 });
    const minRps = 0.3 * health10.rps;
    let errors = health10.errors + health50.errors;

    for (const [name, url] of pages) {
      log(`measuring ${name}…`);
      const at10 = await load(base + url, 10);
      const at50 = await load(base + url, 50);
      errors += at10.errors + at50.errors;
      const ratio = Math.max(at10.p50 / 30, at10.p99 / 150, minRps / Math.max(at10.rps, 0.001));
      rows.push({ what: `${name}, 10 connections`, ...at10, target: `p50 ≤ 30 ms, p99 ≤ 150 ms, ≥ ${Math.round(minRps)} req/s`, ratio });
      rows.push({ what: `${name}, 50 connections`, ...at50, target: '(reported)', ratio: NaN });
    }
    log('measuring /api/v1/figures?limit=1000…');
    const api10 = await load(`${base}/api/v1/figures?limit=1000`, 10);
    const api50 = await load(`${base}/api/v1/figures?limit=1000`, 50);
    errors += api10.errors + api50.errors;
    rows.push({ what: 'API limit=1000, 10 connections', ...api10, target: 'p50 ≤ 30 ms', ratio: api10.p50 / 30 });
    rows.push({ what: 'API limit=1000, 50 connections', ...api50, target: '(reported)', ratio: NaN });

    log('measuring chart data sizes…');
    for (const [name, url] of pages.slice(0, 3)) {
      const bytes = chartBytes((await get(base + url)).body);
      rows.push({ what: `chart JSON on ${name}`, value: `${(bytes / 1024).toFixed(1)} KB`, target: '≤ 100 KB', ratio: bytes / (100 * 1024) });
      details[`chartBytes ${url}`] = bytes;
    }

    log('measuring the full CSV export…');
    const exportFile = path.join(workDir, 'export.csv');
    const rssBefore = rssMb(pid);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, rssMb(pid));
    }, 20);
    const exportStarted = process.hrtime.bigint();
    const exported = await new Promise<{ bytes: number }>((resolve, reject) => {
      http
        .get(`${base}/export/figures.csv`, (res) => {
          let bytes = 0;
          const out = fs.createWriteStream(exportFile);
          res.on('data', (c: Buffer) => {
            bytes += c.length;
          });
          res.pipe(out);
          out.on('finish', () => resolve({ bytes }));
        })
        .on('error', reject);
    });
    const exportSeconds = Number(process.hrtime.bigint() - exportStarted) / 1e9;
    clearInterval(sampler);
    const exportRows = countLines(exportFile) - 1;

    const sqlStarted = process.hrtime.bigint();
    const sqlOut = path.join(workDir, 'sqlite3.csv');
    const sql = `${EXPORT_SELECT} WHERE f.status = 'published' ORDER BY f.id;`;
    const shell = spawnSync('sh', ['-c', `sqlite3 -csv -header "${dbFile}" "${sql.replace(/\s+/g, ' ').replace(/"/g, '\\"')}" > "${sqlOut}"`], { stdio: 'inherit' });
    if (shell.status !== 0) throw new Error('sqlite3 failed');
    const sqlSeconds = Number(process.hrtime.bigint() - sqlStarted) / 1e9;
    const sqlRows = countLines(sqlOut) - 1;
    if (sqlRows !== exportRows) throw new Error(`the export has ${exportRows} rows but sqlite3 wrote ${sqlRows}`);
    rows.push({
      what: `full CSV export (${exportRows.toLocaleString('en-GB')} rows, ${(exported.bytes / 1e6).toFixed(0)} MB)`,
      value: `${exportSeconds.toFixed(2)} s, ${Math.round(exportRows / exportSeconds).toLocaleString('en-GB')} rows/s; sqlite3 -csv ${sqlSeconds.toFixed(2)} s`,
      target: '≤ 2.0 × sqlite3 -csv',
      ratio: exportSeconds / sqlSeconds / 2,
    });
    rows.push({ what: 'server RSS growth while exporting', value: `${(rssPeak - rssBefore).toFixed(1)} MB (${rssBefore.toFixed(0)} → ${rssPeak.toFixed(0)} MB)`, target: '≤ 100 MB', ratio: (rssPeak - rssBefore) / 100 });
    rows.push({ what: 'cold start to first answer', value: `${(coldStartMs / 1000).toFixed(2)} s`, target: '≤ 2 s', ratio: coldStartMs / 2000 });
    details.errors = errors;
    details.export = { rows: exportRows, bytes: exported.bytes, seconds: exportSeconds, sqliteSeconds: sqlSeconds, rssBeforeMb: rssBefore, rssPeakMb: rssPeak };

    log(`measuring npm run import of ${IMPORT_ROWS.toLocaleString('en-GB')} rows…`);
    const importFile = path.join(workDir, 'import.csv');
    const lines = fs.readFileSync(exportFile, 'utf8').split('\r\n');
    const take = Math.min(IMPORT_ROWS, lines.length - 2);
    fs.writeFileSync(importFile, lines.slice(0, take + 1).join('\r\n') + '\r\n');
    const importDb = path.join(workDir, 'import.db');
    const target = openDb(importDb);
    migrate(target, migrationsDir);
    loadDataset(target, { ...readDataset(DEMO_DATASET_PATH), sources: [], figures: [] });
    target.close();
    const importStarted = process.hrtime.bigint();
    const run = spawnSync(process.execPath, [path.join(projectRoot, 'dist/scripts/import.js'), importFile, '--publish'], {
      env: { ...process.env, DATABASE_PATH: importDb },
      encoding: 'utf8',
    });
    const importSeconds = Number(process.hrtime.bigint() - importStarted) / 1e9;
    if (run.status !== 0) throw new Error(`the import failed: ${run.stderr}`);
    rows.push({ what: `npm run import, ${take.toLocaleString('en-GB')} rows`, value: `${importSeconds.toFixed(2)} s`, target: '≤ 10 s', ratio: importSeconds / 10 });
    details.import = { rows: take, seconds: importSeconds, output: run.stdout.trim() };
  } finally {
    child.kill('SIGTERM');
  }

  printTable(rows, generated.figures);
  const results = {
    at: new Date().toISOString(),
    figures: generated.figures,
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    durationSeconds: DURATION,
    generationSeconds: genSeconds,
    rows,
    details,
  };
  const resultsDir = path.join(projectRoot, 'bench', 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(path.join(resultsDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  fs.rmSync(workDir, { recursive: true, force: true });
  const missed = rows.filter((r) => r.ratio > 1);
  log(missed.length === 0 ? 'Every target met.' : `Targets missed: ${missed.map((r) => r.what).join('; ')}`);
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

function printTable(rows: Row[], figures: number): void {
  const fmt = (n: number | undefined, digits = 1): string => (n === undefined || Number.isNaN(n) ? '' : n.toFixed(digits));
  const header = ['what', 'p50 ms', 'p99 ms', 'req/s', 'measured', 'target', 'ratio'];
  const body = rows.map((r) => [r.what, fmt(r.p50), fmt(r.p99), r.rps === undefined ? '' : Math.round(r.rps).toString(), r.value ?? '', r.target, Number.isNaN(r.ratio) ? '' : r.ratio.toFixed(2)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  process.stdout.write(`\nTally benchmark, ${figures.toLocaleString('en-GB')} figures (ratio = measured / limit; ≤ 1.00 meets the target)\n\n`);
  process.stdout.write(`${line(header)}\n| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |\n`);
  for (const b of body) process.stdout.write(`${line(b)}\n`);
  process.stdout.write('\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`benchmark failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  fs.rmSync(workDir, { recursive: true, force: true });
  process.exit(1);
});
