/**
 * npm run test:load — 60 s of mixed traffic at 50 connections on loopback
 * (public pages, exports, the API and a trickle of staff writes) against the
 * demo database grown to 100,000 figures. Passes with zero 5xx, zero dropped
 * connections, memory after the run within 50 MB of memory after warm-up, and
 * every acknowledged staff write present afterwards.
 *
 * LOAD_SECONDS, LOAD_CONNECTIONS and LOAD_FIGURES change the defaults.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { openDb } from '../../db/connection';
import { createQueries } from '../../db';
import { migrate } from '../../db/migrate';
import { seedIfEmpty } from '../../db/seed/load';
import { QUALIFIERS } from '../../db/types';
import { migrationsDir } from '../../server/paths';
import { sleep, startServer, StaffClient, stopServer } from './harness';

const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 50);
const FIGURES = Number(process.env.LOAD_FIGURES ?? 100_000);
// Long enough for the page caches to fill and the heap to reach its working size: a 10 s warm-up left
// 40–60 MB of ordinary heap growth to happen during the run (a 150 s run then grew 2 MB in all).
const WARMUP_SECONDS = 30;
const MEMORY_BUDGET_MB = 50;

let state = 12345;
function random(): number {
  state = (state * 1103515245 + 12345) % 2 ** 31;
  return state / 2 ** 31;
}
function pick<T>(items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** The demo dataset plus generated published figures, written through the app's own insert code. */
function growDatabase(databasePath: string): { figureIds: [number, number]; indicators: string[]; locations: string[]; sourceIds: number[] } {
  const db = openDb(databasePath);
  migrate(db, migrationsDir);
  seedIfEmpty(db);
  const q = createQueries(db);
  const indicators = q.indicators.list();
  const locations = q.locations.list();
  const sources = q.sources.listForPicker();
  const firstDay = Date.UTC(2022, 1, 24);
  let count = (db.prepare('SELECT count(*) AS n FROM figures').get() as { n: number }).n;
  while (count < FIGURES) {
    const batch = Math.min(5_000, FIGURES - count);
    q.transaction(() => {
      for (let i = 0; i < batch; i++) {
        const start = new Date(firstDay + Math.floor(random() * 1_000) * 86_400_000).toISOString().slice(0, 10);
        const indicator = pick(indicators);
        // A share in percent is at most 100 (migration 0008 refuses more).
        const value = Math.floor(random() * (indicator.unit === 'percent' ? 101 : 10_000));
        q.figures.create(
          {
            indicator_id: indicator.id,
            location_id: pick(locations).id,
            reference_period_start: start,
            reference_period_end: start,
            measure: indicator.aggregation === 'level' ? 'level' : 'period_count',
            attributed_to: null,
            disputed_by: null,
            value,
            value_low: null,
            value_high: null,
            qualifier: pick(QUALIFIERS),
            verification: 'reported',
            reported_by: pick(['UN OCHA', 'OHCHR', 'Ministry of Health', 'WHO']),
            claimed_by: null,
            source_id: pick(sources).id,
            source_quote: `load-test figure: ${value} people`,
            notes: null,
            status: 'published',
          },
          'create',
          'generated for the load test',
          null,
        );
      }
    });
    count += batch;
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { figureIds: [1, count], indicators: indicators.map((i) => i.code), locations: locations.map((l) => l.code), sourceIds: sources.map((x) => x.id) };
}

function rssMb(pid: number, stderr: () => string = () => ''): number {
  if (!fs.existsSync(`/proc/${pid}`)) throw new Error(`the server process ${pid} has exited: ${stderr().slice(-2000)}`);
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return Math.round((kb / 1024) * 10) / 10;
}

function trafficPaths(data: { figureIds: [number, number]; indicators: string[]; locations: string[]; sourceIds: number[] }): () => string {
  const id = (): number => 1 + Math.floor(random() * (data.figureIds[1] - 1));
  const year = (): number => 2022 + Math.floor(random() * 3);
  const makers: (() => string)[] = [
    () => '/',
    () => '/figures',
    () => `/figures?page=${1 + Math.floor(random() * 50)}`,
    () => `/figures?indicator=${pick(data.indicators)}&location=${pick(data.locations)}`,
    () => `/figures/${id()}`,
    () => `/figures/${id()}/history`,
    () => '/indicators',
    () => `/indicators/${pick(data.indicators)}`,
    () => `/compare?indicator=${pick(data.indicators)}&location=${pick(data.locations)}&from=${year()}-01-01`,
    () => '/sources',
    () => `/sources/${pick(data.sourceIds)}`,
    () => `/locations/${pick(data.locations)}`,
    () => '/api/v1/figures?limit=100',
    () => `/api/v1/figures?indicator=${pick(data.indicators)}&location=${pick(data.locations)}`,
    () => `/api/v1/figures/${id()}`,
    () => '/api/v1/indicators',
    () => '/api/v1/locations',
    () => `/export/figures.csv?indicator=${pick(data.indicators)}&location=${pick(data.locations)}`,
    () => {
      const y = year();
      return `/export/figures.csv?location=${pick(data.locations)}&from=${y}-06-01&to=${y}-06-30`;
    },
    () => '/healthz',
    () => '/css/tally.css',
    () => '/vendor/chart.umd.min.js',
  ];
  return () => pick(makers)();
}

/** A URL's kind: its path with numbers as N (/figures/N), and the page alone for pages whose query picks what they show. */
function urlKind(url: string): string {
  const [pathname = ''] = url.split('?');
  const kind = pathname.replace(/\d+/g, 'N').replace(/^\/(indicators|locations)\/[^/]+$/, '/$1/…');
  return url.includes('?') && !kind.startsWith('/api') ? `${kind}?…` : kind;
}

/**
 * The server's own answer times (pino-http's responseTime) for requests answered after `since`, by kind of URL:
 * which pages a reader waits for, where the client's overall percentiles do not say.
 */
function answerTimes(logFile: string, since: number): { kinds: { kind: string; count: number; p50: number; p99: number; max: number }[]; total: number; over250: number } {
  const byKind = new Map<string, number[]>();
  for (const line of fs.readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes('"responseTime"')) continue;
    const entry = JSON.parse(line) as { time?: string | number; responseTime?: number; req?: { url?: string } };
    // The server logs ISO times (server/logger.ts); a number is taken as milliseconds.
    const at = typeof entry.time === 'string' ? Date.parse(entry.time) : entry.time;
    if (at === undefined || !(at >= since) || entry.responseTime === undefined || !entry.req?.url) continue;
    const kind = urlKind(entry.req.url);
    const times = byKind.get(kind) ?? [];
    times.push(entry.responseTime);
    byKind.set(kind, times);
  }
  const all = [...byKind.values()].flat();
  const kinds = [...byKind].map(([kind, times]) => {
    const sorted = times.sort((a, b) => a - b);
    const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
    return { kind, count: sorted.length, p50: at(50), p99: at(99), max: sorted[sorted.length - 1] ?? NaN };
  });
  return { kinds: kinds.sort((a, b) => b.p99 - a.p99), total: all.length, over250: all.filter((t) => t > 250).length };
}

/** The first few URLs answered 4xx, so a failure says which. */
const clientErrors: string[] = [];

function run(base: string, seconds: number, nextPath: () => string): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: base,
        connections: CONNECTIONS,
        duration: seconds,
        timeout: 30,
        requests: [
          {
            method: 'GET',
            setupRequest: (req, context: { path?: string }) => {
              context.path = nextPath();
              return { ...req, path: context.path };
            },
            onResponse: (status: number, _body: string, context: { path?: string }) => {
              if (status >= 400 && status < 500 && clientErrors.length < 5) clientErrors.push(`${status} ${context.path ?? '?'}`);
            },
          },
        ],
      },
      (err, result) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(result)),
    );
    void instance;
  });
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-load-'));
  const databasePath = path.join(dir, 'tally.db');
  const growStarted = Date.now();
  const data = growDatabase(databasePath);
  process.stdout.write(`database grown to ${data.figureIds[1]} figures in ${((Date.now() - growStarted) / 1000).toFixed(1)} s\n`);

  const requestLog = path.join(dir, 'requests.log');
  const server = await startServer({ databasePath, requestLog });
  const pid = server.proc.pid;
  if (pid === undefined) throw new Error('no server pid');
  const nextPath = trafficPaths(data);
  const memoryStart = rssMb(pid, server.stderr);

  await run(server.base, WARMUP_SECONDS, nextPath);
  await sleep(2_000);
  const memoryWarm = rssMb(pid, server.stderr);

  // A trickle of staff writes alongside the readers: one figure every 500 ms.
  const staff = new StaffClient(server.base);
  await staff.login();
  const newPage = await (await staff.get('/admin/figures/new')).text();
  const option = (name: string): string => new RegExp(`name="${name}"[\\s\\S]*?<option value="(\\d+)"`).exec(newPage)?.[1] ?? '';
  const acked: { id: number; value: number }[] = [];
  const writeErrors: string[] = [];
  let writing = true;
  const writer = (async () => {
    let n = 0;
    while (writing) {
      n += 1;
      const value = 900_000 + n;
      const res = await staff.postForm('/admin/figures', {
        indicator_id: option('indicator_id'),
        location_id: option('location_id'),
        // Sources are radio buttons (the newest offered first), not a dropdown.
        source_id: /name="source_id" value="(\d+)"/.exec(newPage)?.[1] ?? '',
        period_kind: 'day',
        reference_period_start: '2024-06-01',
        reference_period_end: '2024-06-01',
        measure: 'period_count',
        value: String(value),
        qualifier: 'exact',
        verification: 'reported',
        reported_by: 'Load test staff',
        source_quote: `staff write ${value} under load`,
        // Every write states the same indicator, place and day: confirmed, as staff confirm a known overlap.
        confirm_duplicate: 'yes',
      }).catch((err: unknown) => {
        writeErrors.push(`staff write failed: ${err instanceof Error ? `${err.message} (${String(err.cause)})` : String(err)}`);
        return null;
      });
      if (!res) continue;
      if (res.status === 303) acked.push({ id: Number(/(\d+)$/.exec(res.headers.get('location') ?? '')?.[1]), value });
      else writeErrors.push(`staff write answered ${res.status}`);
      await sleep(500);
    }
  })();

  const measuredFrom = Date.now();
  const result = await run(server.base, SECONDS, nextPath);
  writing = false;
  await writer;
  await sleep(2_000);
  const memoryAfter = rssMb(pid, server.stderr);
  await stopServer(server);

  const answers = answerTimes(requestLog, measuredFrom);
  const db = new Database(databasePath, { readonly: true });
  const byId = db.prepare<[number], { value: number; source_quote: string }>('SELECT value, source_quote FROM figures WHERE id = ?');
  const missing = acked.filter((w) => byId.get(w.id)?.value !== w.value);
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });

  const served = result.requests.total;
  const fiveXx = result['5xx'];
  const growth = Math.round((memoryAfter - memoryWarm) * 10) / 10;
  process.stdout.write(
    [
      `load test: ${SECONDS} s at ${CONNECTIONS} connections against ${data.figureIds[1]} figures`,
      `  requests served: ${served} (${Math.round(result.requests.average)}/s average); latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`,
      `  status: 2xx ${result['2xx']}, 3xx ${result['3xx']}, 4xx ${result['4xx']}, 5xx ${fiveXx}; connection errors ${result.errors}, timeouts ${result.timeouts}, resets ${result.resets}`,
      `  staff writes: ${acked.length} acknowledged, ${acked.length - missing.length} found afterwards, ${writeErrors.length} refused`,
      `  memory (RSS): ${memoryStart} MB at start, ${memoryWarm} MB after warm-up, ${memoryAfter} MB after the run (${growth >= 0 ? '+' : ''}${growth} MB; budget ${MEMORY_BUDGET_MB} MB)`,
      // Reported, not failed on: speed targets live in the benchmark (issue 11 asks for none over 250 ms while staff publish).
      `  answered in over 250 ms (server's own times, while staff write): ${answers.over250} of ${answers.total} (${((100 * answers.over250) / Math.max(1, answers.total)).toFixed(1)} %)`,
      '  slowest kinds of URL (server ms):',
      ...answers.kinds.slice(0, 10).map((k) => `    ${k.kind.padEnd(36)} ${String(k.count).padStart(6)} answers  p50 ${k.p50.toFixed(0).padStart(5)}  p99 ${k.p99.toFixed(0).padStart(5)}  max ${k.max.toFixed(0).padStart(5)}`),
      '',
    ].join('\n'),
  );

  const failures: string[] = [];
  if (fiveXx > 0) failures.push(`${fiveXx} answers were 5xx`);
  if (result.errors > 0 || result.timeouts > 0 || result.resets > 0) failures.push(`dropped connections: ${result.errors} errors, ${result.timeouts} timeouts, ${result.resets} resets`);
  if (result['4xx'] > 0) failures.push(`${result['4xx']} answers were 4xx (every generated URL is valid), e.g. ${clientErrors.join('; ')}`);
  if (growth > MEMORY_BUDGET_MB) failures.push(`memory grew ${growth} MB after warm-up`);
  if (acked.length === 0) failures.push('no staff write was acknowledged');
  if (missing.length > 0) failures.push(`${missing.length} acknowledged staff writes are missing`);
  if (writeErrors.length > 0) failures.push(writeErrors.slice(0, 5).join('; '));
  if (failures.length > 0) {
    process.stderr.write(`FAILED:\n  ${failures.join('\n  ')}\n`);
    process.exit(1);
  }
  process.stdout.write('load test passed\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`load test failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
