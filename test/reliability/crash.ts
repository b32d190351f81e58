/**
 * npm run test:crash — kill the real server with SIGKILL while staff writes
 * are in flight, restart it on the same file, and check that SQLite kept
 * every acknowledged write, with its revision, and no half-applied import.
 *
 * CRASH_KILLS (default 24) sets how many kills; CRASH_SEED makes the kill
 * moments repeatable.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { revisionQueries } from '../../db/queries/revisions';
import { csvCell, sleep, startServer, StaffClient, stopServer, type ServerProcess } from './harness';

const KILLS = Number(process.env.CRASH_KILLS ?? 24);
let seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
const IMPORT_ROWS = 6;

/** mulberry32: a small seeded generator, so a failing run can be repeated with CRASH_SEED. */
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

interface Ack {
  kind: 'create' | 'edit';
  figureId: number;
  value: number;
}

interface ImportAttempt {
  tag: string;
  batchId: number | null;
  acknowledged: boolean;
}

const acks: Ack[] = [];
const attemptedValues = new Map<number, number[]>();
const imports: ImportAttempt[] = [];
let seq = 0;
let attempted = 0;

function figureForm(refs: { indicator: number; location: number; source: number }, value: number): Record<string, string> {
  return {
    indicator_id: String(refs.indicator),
    location_id: String(refs.location),
    period_kind: 'range',
    reference_period_start: '2024-03-01',
    reference_period_end: '2024-03-31',
    // Required since the figure core (every figure states its measure).
    measure: 'period_count',
    value: String(value),
    value_low: '',
    value_high: '',
    qualifier: 'exact',
    verification: 'reported',
    reported_by: 'Crash test',
    claimed_by: '',
    source_id: String(refs.source),
    source_quote: `crash test write ${value}`,
    notes: '',
    // Every write states the same indicator, place and period: confirmed, as staff confirm a known overlap.
    confirm_duplicate: 'yes',
  };
}

function noteAttempt(figureId: number, value: number): void {
  const list = attemptedValues.get(figureId) ?? [];
  list.push(value);
  attemptedValues.set(figureId, list);
}

/** Creates a draft, then edits it twice; repeats until the server dies. */
async function figureWriter(client: StaffClient, refs: { indicator: number; location: number; source: number }): Promise<void> {
  for (;;) {
    const value = ++seq;
    attempted += 1;
    const created = await client.postForm('/admin/figures', figureForm(refs, value));
    if (created.status !== 303) throw new Error(`create answered ${created.status}`);
    const figureId = Number(/\/admin\/figures\/(\d+)$/.exec(created.headers.get('location') ?? '')?.[1]);
    acks.push({ kind: 'create', figureId, value });
    noteAttempt(figureId, value);
    for (let i = 0; i < 2; i++) {
      const edit = await client.get(`/admin/figures/${figureId}/edit`);
      const revision = /name="revision" value="(\d+)"/.exec(await edit.text())?.[1];
      if (!revision) throw new Error(`no revision on the edit page of figure ${figureId}`);
      const next = ++seq;
      attempted += 1;
      noteAttempt(figureId, next);
      const saved = await client.postForm(`/admin/figures/${figureId}`, { ...figureForm(refs, next), revision });
      if (saved.status !== 303) throw new Error(`edit answered ${saved.status}`);
      acks.push({ kind: 'edit', figureId, value: next });
    }
  }
}

/** Uploads and commits small imports, each tagged so the check can count its rows. */
async function importWriter(client: StaffClient, template: { header: string[]; row: Record<string, string> }): Promise<void> {
  for (;;) {
    const n = imports.length + 1;
    const tag = `crash import ${n} `;
    const attempt: ImportAttempt = { tag, batchId: null, acknowledged: false };
    imports.push(attempt);
    const lines = [template.header.join(',')];
    for (let i = 0; i < IMPORT_ROWS; i++) {
      const day = new Date(Date.UTC(2001, 0, 1) + (n * IMPORT_ROWS + i) * 86_400_000).toISOString().slice(0, 10);
      const row: Record<string, string> = { ...template.row, figure_id: '', reference_period_start: day, reference_period_end: day, value: String(i + 1), value_low: '', value_high: '', source_quote: `${tag}row ${i}` };
      lines.push(template.header.map((c) => csvCell(row[c] ?? '')).join(','));
    }
    attempted += 1;
    const upload = await client.postFile('/admin/import', `crash-${n}.csv`, lines.join('\n') + '\n');
    if (upload.status !== 303) throw new Error(`import upload answered ${upload.status}`);
    attempt.batchId = Number(/\/admin\/import\/(\d+)$/.exec(upload.headers.get('location') ?? '')?.[1]);
    const commit = await client.postForm(`/admin/import/${attempt.batchId}/commit`, {});
    if (commit.status !== 303) throw new Error(`import commit answered ${commit.status}`);
    const page = await client.get(`/admin/import/${attempt.batchId}`);
    const html = await page.text();
    if (html.includes('Nothing was imported')) throw new Error(`import ${attempt.batchId} was refused: ${html.slice(0, 500)}`);
    attempt.acknowledged = true;
  }
}

async function main(): Promise<void> {
  const startSeed = seed;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-crash-'));
  const databasePath = path.join(dir, 'tally.db');
  const started = Date.now();

  // First start: migrate, seed, create the admin; read the ids the forms need.
  let server: ServerProcess = await startServer({ databasePath });
  const client = new StaffClient(server.base);
  await client.login();
  const exported = await (await fetch(`${server.base}/export/figures.csv`)).text();
  const records = parse<Record<string, string>>(exported, { columns: true, skip_empty_lines: true });
  const header = exported.split('\n')[0]?.trim().split(',') ?? [];
  const templateRow = records[0];
  if (!templateRow) throw new Error('the demo export is empty');
  const setup = new Database(databasePath, { readonly: true });
  const refs = {
    indicator: (setup.prepare("SELECT id FROM indicators WHERE code = 'civilian_deaths'").get() as { id: number }).id,
    location: (setup.prepare("SELECT id FROM locations WHERE code = 'UA14'").get() as { id: number }).id,
    source: (setup.prepare('SELECT min(id) AS id FROM sources').get() as { id: number }).id,
  };
  setup.close();

  let kills = 0;
  let walLeft = 0;
  let relogins = 0;
  for (let round = 0; round < KILLS; round++) {
    if (round > 0) {
      server = await startServer({ databasePath });
      client.base = server.base;
      // The session lives in SQLite: it normally survives the crash.
      if (!(await client.refreshToken())) {
        relogins += 1;
        await client.login();
      }
    }
    const writers = [figureWriter(client, refs), figureWriter(client, refs), importWriter(client, { header, row: templateRow })].map((w) =>
      w.then(
        () => undefined,
        (err: unknown) => err,
      ),
    );
    await sleep(100 + Math.floor(random() * 900));
    server.proc.kill('SIGKILL');
    await server.exited;
    kills += 1;
    const errors = await Promise.all(writers);
    for (const err of errors) {
      // A write cut by the kill fails with a network error; anything else is a real failure.
      if (err instanceof Error && !/fetch failed|ECONNRESET|ECONNREFUSED|socket|terminated|other side closed/i.test(`${err.message} ${String(err.cause)}`)) {
        throw new Error(`a write failed before the kill: ${err.message}\n${server.stderr()}`);
      }
    }
    const wal = `${databasePath}-wal`;
    if (fs.existsSync(wal) && fs.statSync(wal).size > 0) walLeft += 1;
  }

  // Recovery with no manual step: the server starts on the crashed file as is.
  server = await startServer({ databasePath });
  const health = (await (await fetch(`${server.base}/healthz`)).json()) as { status: string };
  await stopServer(server);
  if (health.status !== 'ok') throw new Error('the restarted server is not healthy');

  const db = new Database(databasePath, { readonly: true });
  const failures: string[] = [];
  const integrity = db.pragma('integrity_check', { simple: true });
  if (integrity !== 'ok') failures.push(`integrity_check: ${String(integrity)}`);
  const fkProblems = db.pragma('foreign_key_check') as unknown[];
  if (fkProblems.length > 0) failures.push(`foreign_key_check: ${fkProblems.length} problem(s)`);

  // Revisions keep patches (decision 0015): read them back whole, as the history page does.
  const revisions = revisionQueries(db);
  const revisionValues = {
    all: (figureId: number, action: string): { value: unknown }[] =>
      revisions.list(figureId).filter((r) => r.action === action).map((r) => ({ value: r.snapshot.value })),
  };
  const currentValue = db.prepare<[number], { value: number }>('SELECT value FROM figures WHERE id = ?');
  let found = 0;
  for (const ack of acks) {
    const values = revisionValues.all(ack.figureId, ack.kind).map((r) => r.value);
    const current = currentValue.get(ack.figureId);
    if (current && values.includes(ack.value)) found += 1;
    else failures.push(`acknowledged ${ack.kind} of figure ${ack.figureId} (value ${ack.value}) is missing`);
  }
  // The figure holds its last acknowledged value or a later attempt whose answer the kill cut off.
  const lastAcked = new Map<number, number>();
  for (const ack of acks) lastAcked.set(ack.figureId, ack.value);
  for (const [figureId, value] of lastAcked) {
    const current = currentValue.get(figureId)?.value;
    const allowed = (attemptedValues.get(figureId) ?? []).filter((v) => v >= value);
    if (current === undefined || !allowed.includes(current)) failures.push(`figure ${figureId} holds ${current}, expected ${value} or a later attempt`);
  }

  const importRows = db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM figures WHERE source_quote LIKE ? || '%'");
  const batchState = db.prepare<[number], { state: string }>('SELECT state FROM import_batches WHERE id = ?');
  let importsAcked = 0;
  let importsFound = 0;
  let importsCommittedUnacked = 0;
  for (const attempt of imports) {
    const rows = importRows.get(attempt.tag)?.n ?? 0;
    const state = attempt.batchId ? batchState.get(attempt.batchId)?.state : undefined;
    if (rows !== 0 && rows !== IMPORT_ROWS) failures.push(`import "${attempt.tag.trim()}" is half applied: ${rows} of ${IMPORT_ROWS} rows`);
    if ((state === 'committed') !== (rows === IMPORT_ROWS)) failures.push(`import "${attempt.tag.trim()}" is ${state ?? 'not staged'} but has ${rows} rows`);
    if (attempt.acknowledged) {
      importsAcked += 1;
      if (rows === IMPORT_ROWS && state === 'committed') importsFound += 1;
    } else if (rows === IMPORT_ROWS) importsCommittedUnacked += 1;
  }
  db.close();

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    [
      `crash test (seed ${startSeed}), ${seconds} s:`,
      `  kills (SIGKILL) survived: ${kills}; restarts on a file left with a WAL: ${walLeft}; sessions lost: ${relogins}`,
      `  write requests attempted: ${attempted}`,
      `  figure writes acknowledged: ${acks.length} (${acks.filter((a) => a.kind === 'create').length} creates, ${acks.filter((a) => a.kind === 'edit').length} edits); found with their revision: ${found}`,
      `  imports: ${imports.length} attempted, ${importsAcked} acknowledged, ${importsFound} found whole; ${importsCommittedUnacked} committed before the answer was cut; none half applied: ${failures.some((f) => f.includes('half')) ? 'NO' : 'yes'}`,
      `  integrity_check: ${String(integrity)}`,
      '',
    ].join('\n'),
  );
  fs.rmSync(dir, { recursive: true, force: true });
  if (kills < 20 || acks.length === 0 || importsAcked === 0) failures.push(`too little was exercised: ${kills} kills, ${acks.length} writes, ${importsAcked} imports acknowledged`);
  if (failures.length > 0) {
    process.stderr.write(`FAILED:\n  ${failures.slice(0, 30).join('\n  ')}\n`);
    process.exit(1);
  }
  process.stdout.write('crash test passed\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`crash test failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
