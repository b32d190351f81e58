import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Queries } from '../../db';
import type { Language } from '../i18n';
import { PAGE_BUILDERS, type PageArgs, type PageName, type PageView } from './pages';
import { drawCharts, forgetDrawings, translatedNames } from './prerender';
import { refreshRollups } from './rollups';

let building = 0;

/**
 * Views that keep their charts' HTML, most recently used first (see
 * forgetOldDrawings). 16 left most place pages of the load test drawn on the
 * event loop again after each publish (a stale view without its drawings);
 * 48 holds every place, indicator and the dashboard for about 15 MB more.
 */
const VIEWS_WITH_DRAWINGS = 48;

/** Pages nobody has a view of, posted to the worker at once: it computes them back to back (see PageViews.pump). */
const MAX_IN_FLIGHT = 16;

/** Attempts at a view whose chart rollups are at the data's own change-feed position before one is built anyway. */
const CONSISTENT_ATTEMPTS = 3;

/**
 * Computes one page's view: brings the chart rollups up to the change feed
 * first (server/charts/rollups.ts), then reads the page inside one read
 * transaction, so the view is of one data version. When writes keep landing
 * between the two, the view built at the last attempt is marked one version
 * old, so it is computed again.
 */
export function computePageView<N extends PageName>(q: Queries, name: N, args: PageArgs<N>): { version: number; value: PageView<N> } {
  const build = PAGE_BUILDERS[name] as (queries: Queries, a: unknown) => PageView<N>;
  building += 1;
  try {
    for (let attempt = 1; ; attempt++) {
      refreshRollups(q);
      const result = q.transaction(() => {
        const { rollups, feed } = q.rollups.positions();
        if (rollups !== feed && attempt < CONSISTENT_ATTEMPTS) return null;
        const version = q.exports.dataVersion().version;
        return { version: rollups === feed ? version : version - 1, value: build(q, args) };
      });
      if (result) return result;
    }
  } finally {
    building -= 1;
  }
}

/**
 * True while a page view is computed on this thread (inline mode): the
 * query-plan test tells the statements a request runs from those a view
 * computation runs, which production runs on the worker thread.
 */
export function computingPageView(): boolean {
  return building > 0;
}

/** A page's view and whether it was computed from an earlier data version than the current one. */
export interface Served<T> {
  value: T;
  /** True while a newer version is being computed: the page shows the last complete one. */
  stale: boolean;
  /** Which view this is: the response cache keeps a page drawn from it only while it is the newest. */
  view: { key: string; version: number };
}

interface Entry {
  version: number;
  value: unknown;
  /** What computes it again. */
  name: PageName;
  args: unknown;
  /** Until forgetOldDrawings lets go of them: its charts may carry their HTML. */
  drawn?: boolean;
}

interface Job {
  key: string;
  name: PageName;
  args: unknown;
  waiters: { resolve: (entry: Entry) => void; reject: (err: Error) => void }[];
}

export interface PageViewsOptions {
  /** The database file the worker opens; null computes on the caller's thread (tests, :memory:). */
  databasePath: string | null;
  /** The worker's module (server/charts/page-view-worker, compiled or under tsx). */
  workerFile?: string | null;
  /** Views kept (96 unless told), views asked for once first out (see PageViews.evict). */
  maxEntries?: number;
  /** The worker keeps compiled templates (production); without, a template edit shows at the next view. */
  cacheTemplates?: boolean;
  /** The worker also runs the change feed's backfills (server/workflow/feed-backfill.ts) between views. */
  runBackfills?: boolean;
  /** What the worker reports that is not a view (a backfill step that failed and is tried again). */
  onWarning?: (message: string) => void;
  onError?: (err: Error) => void;
}

/**
 * The views of chart pages, computed away from the request path and kept per
 * page. A page whose data has not changed is answered from its entry. After a
 * publish, the page is answered at once from its last complete view while a
 * worker thread (its own connection, one read transaction, so never a half
 * applied change) computes the new one; readers see the new data as soon as
 * it is complete, never a half-built one and never a wait on the event loop.
 * Only a page never computed before waits, for the worker, with the event
 * loop free for every other request.
 *
 * Without a database file (an in-memory test database) the view is computed
 * on the caller's thread when the data version moved, as before.
 */
export class PageViews {
  private readonly entries = new Map<string, Entry>();
  /** Keys of kept views asked for more than once (see evict). */
  private readonly askedAgain = new Set<string>();
  /** Pages nobody has a view of yet, first come first served: their readers wait. */
  private readonly urgent: Job[] = [];
  /** Newer views of pages answered from a previous one. */
  private readonly background: Job[] = [];
  private readonly jobs = new Map<string, Job>();
  /** Jobs posted to the worker and not yet answered, in the order it answers them (one after another). */
  private readonly inFlight: Job[] = [];
  private worker: Worker | null = null;
  private readonly maxEntries: number;
  private readonly nameOf: (lang: Language) => (entity: 'indicator' | 'location', code: string, english: string) => string;
  /** The languages each page was asked in: the worker draws its charts in those (server/charts/prerender.ts). */
  private readonly languages = new Map<string, Set<Language>>();

  constructor(
    private readonly q: Queries,
    private readonly options: PageViewsOptions,
  ) {
    this.maxEntries = options.maxEntries ?? 96;
    this.nameOf = translatedNames(q);
    // The worker brings the chart rollups up to date as it starts, before the first reader asks.
    if (options.databasePath !== null) this.ensureWorker();
  }

  /** True when the worker runs the change feed's backfills (the server then runs none itself). */
  get runsBackfills(): boolean {
    return this.offThread && (this.options.runBackfills ?? false);
  }

  /** The view of page `name` with `args`, keyed by `key` (the page's normalised query), for a page in `lang`. */
  async get<N extends PageName>(name: N, key: string, args: PageArgs<N>, lang: Language = 'en'): Promise<Served<PageView<N>>> {
    const fullKey = `${name}\u0000${key}`;
    this.askedIn(fullKey, lang);
    const version = this.q.exports.dataVersion().version;
    const hit = this.entries.get(fullKey);
    if (hit && hit.version >= version) return { value: this.touch(fullKey, hit).value as PageView<N>, stale: false, view: { key: fullKey, version: hit.version } };
    if (this.options.databasePath === null) {
      const entry = { ...computePageView(this.q, name, args), name, args };
      // As the worker does: pages read in tests are drawn the way production draws them.
      drawCharts(entry.value, [...(this.languages.get(fullKey) ?? ['en'])], this.nameOf, this.options.cacheTemplates ?? true);
      this.store(fullKey, entry);
      return { value: entry.value, stale: false, view: { key: fullKey, version: entry.version } };
    }
    if (hit) {
      this.schedule(fullKey, name, args, false).catch((err: unknown) => this.options.onError?.(err as Error));
      return { value: this.touch(fullKey, hit).value as PageView<N>, stale: true, view: { key: fullKey, version: hit.version } };
    }
    let entry: Entry;
    try {
      entry = await this.schedule(fullKey, name, args, true);
    } catch (err) {
      // The worker failed (it is started again for the next page): this page is computed here, as without one.
      this.options.onError?.(err as Error);
      entry = { ...computePageView(this.q, name, args), name, args };
      this.store(fullKey, entry);
    }
    return { value: entry.value as PageView<N>, stale: entry.version < this.q.exports.dataVersion().version, view: { key: fullKey, version: entry.version } };
  }


  /** True when views are computed by the worker thread, false when on the caller's (tests, :memory:). */
  get offThread(): boolean {
    return this.options.databasePath !== null;
  }

  /**
   * Queues a newer view of a kept page when the data has moved past it (the
   * response cache serves the page drawn from the previous view meanwhile).
   */
  refresh(key: string, dataVersion: number): void {
    const entry = this.entries.get(key);
    if (!entry || entry.version >= dataVersion || !this.offThread) return;
    this.schedule(key, entry.name, entry.args, false).catch((err: unknown) => this.options.onError?.(err as Error));
  }

  /** The data version of the newest complete view kept under a key (from Served.view). */
  versionOf(key: string): number | undefined {
    return this.entries.get(key)?.version;
  }

  /** Stops the worker (at shutdown). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private askedIn(key: string, lang: Language): void {
    const langs = this.languages.get(key);
    if (langs) {
      langs.add(lang);
      return;
    }
    this.languages.set(key, new Set<Language>(['en', lang]));
    // Pages asked for but never kept (a failed computation) do not pile up.
    if (this.languages.size > this.maxEntries * 4) {
      for (const k of this.languages.keys()) if (!this.entries.has(k) && !this.jobs.has(k)) this.languages.delete(k);
    }
  }

  /** A view asked for again: it is kept ahead of views asked for once (see evict). */
  private touch(key: string, entry: Entry): Entry {
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.askedAgain.add(key);
    this.forgetOldDrawings();
    return entry;
  }

  /**
   * Keeps at most maxEntries views, segmented: a view asked for once goes out
   * first, least recently used first, so a stream of one-off pages (every
   * /compare combination a crawler tries) cannot push out the pages readers
   * come back to (the dashboard, places, indicators). Views asked for again
   * keep at most three quarters of the room; past that, the least recently
   * used of them counts as asked once again.
   */
  private evict(): void {
    const room = Math.max(1, Math.floor((this.maxEntries * 3) / 4));
    for (const key of this.entries.keys()) {
      if (this.askedAgain.size <= room) break;
      this.askedAgain.delete(key);
    }
    while (this.entries.size > this.maxEntries) {
      let out: string | undefined;
      for (const key of this.entries.keys()) {
        if (!this.askedAgain.has(key)) {
          out = key;
          break;
        }
      }
      out ??= this.entries.keys().next().value;
      if (out === undefined) break;
      this.entries.delete(out);
      this.askedAgain.delete(out);
      if (!this.jobs.has(out)) this.languages.delete(out);
    }
  }

  /**
   * Only the most recently used views keep their charts' HTML (server/charts/prerender.ts): the
   * response cache keeps the pages drawn from them, so older views' drawings would only be held
   * twice. A page drawn again from an older view is drawn on the request path.
   */
  private forgetOldDrawings(): void {
    let older = this.entries.size - VIEWS_WITH_DRAWINGS;
    for (const entry of this.entries.values()) {
      if (older-- <= 0) break;
      if (entry.drawn === false) continue;
      forgetDrawings(entry.value);
      entry.drawn = false;
    }
  }

  private store(key: string, entry: Entry): void {
    const current = this.entries.get(key);
    if (current && current.version > entry.version) return;
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.forgetOldDrawings();
    this.evict();
  }

  /** Queues a computation (once per page); pages nobody has a view of go first, in the order asked. */
  private schedule(key: string, name: PageName, args: unknown, urgent: boolean): Promise<Entry> {
    return new Promise((resolve, reject) => {
      let job = this.jobs.get(key);
      if (!job) {
        job = { key, name, args, waiters: [] };
        this.jobs.set(key, job);
        (urgent ? this.urgent : this.background).push(job);
      } else if (urgent && !this.inFlight.includes(job)) {
        const at = this.background.indexOf(job);
        if (at >= 0) {
          this.background.splice(at, 1);
          this.urgent.push(job);
        }
      }
      job.waiters.push({ resolve, reject });
      this.pump();
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const file = this.options.workerFile ?? path.join(__dirname, 'page-view-worker.js');
    const workerData = { databasePath: this.options.databasePath, cacheTemplates: this.options.cacheTemplates ?? true, runBackfills: this.options.runBackfills ?? false };
    // Under tsx the TypeScript source is loaded through tsx's CommonJS hook.
    const worker = file.endsWith('.ts')
      ? new Worker(`require('tsx/cjs'); require(${JSON.stringify(file)});`, { eval: true, workerData })
      : new Worker(file, { workerData });
    worker.unref();
    worker.on('message', (message: { version: number; value?: unknown; error?: string } | { warning: string }) => {
      if ('warning' in message) this.options.onWarning?.(message.warning);
      else this.finish(message);
    });
    worker.on('error', (err) => {
      this.worker = null;
      // Every job posted to it is lost with it: each is failed (and computed on this thread by its reader).
      const lost = this.inFlight.length;
      for (let i = 0; i < lost; i++) this.finish({ version: 0, error: err.message });
    });
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = null;
    });
    this.worker = worker;
    return worker;
  }

  /**
   * Posts jobs to the worker: pages nobody has a view of are posted as they
   * come (up to MAX_IN_FLIGHT), so the worker goes from one to the next without
   * waiting for this thread to take each answer; a newer view of a kept page
   * only when nothing else is posted, so it never delays a reader who waits.
   */
  private pump(): void {
    while (this.inFlight.length < MAX_IN_FLIGHT) {
      const job = this.urgent.shift() ?? (this.inFlight.length === 0 ? this.background.shift() : undefined);
      if (!job) return;
      this.inFlight.push(job);
      this.ensureWorker().postMessage({ name: job.name, args: job.args, langs: [...(this.languages.get(job.key) ?? ['en'])] });
    }
  }

  private finish(message: { version: number; value?: unknown; error?: string }): void {
    const job = this.inFlight.shift();
    if (job) {
      this.jobs.delete(job.key);
      if (message.error !== undefined) {
        const err = new Error(`computing the ${job.name} page failed: ${message.error}`);
        for (const w of job.waiters) w.reject(err);
      } else {
        const entry = { version: message.version, value: message.value, name: job.name, args: job.args };
        this.store(job.key, entry);
        for (const w of job.waiters) w.resolve(entry);
      }
    }
    this.pump();
  }
}
