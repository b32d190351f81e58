import fs from 'node:fs';
import path from 'node:path';
import cors from 'cors';
import express, { type Express, type Request, type RequestHandler } from 'express';
import pinoHttp from 'pino-http';
import type { Db } from '../db/connection';
import { createQueries } from '../db';
import type { Config } from './config';
import { viewHelpers } from './format';
import { languages, translator, type Language } from './i18n';
import { languageLocals, translatedNames } from './charts/prerender';
import type { Logger } from './logger';
import { errorHandler } from './middleware/error-handler';
import { loadUser, requireAdmin, requireStaff } from './middleware/auth';
import { csrfProtection } from './middleware/csrf';
import { notFound } from './middleware/not-found';
import { responseCache } from './middleware/response-cache';
import { filesUnder, staticFiles } from './middleware/static-files';
import { PageViews } from './charts/page-views';
import { securityHeaders } from './middleware/security';
import { formTooLarge, importUpload } from './middleware/upload';
import { SESSION_COOKIE, sessions } from './middleware/session';
import { PAGE_QUERY_PARAMS } from './validation/page-query';
import { publicDir, viewsDir } from './paths';
import { adminAccountRoutes } from './routes/admin/account';
import { adminAuditRoutes } from './routes/admin/audit';
import { catalogueReviewRoutes } from './routes/admin/catalogue-review';
import { adminCheckRoutes } from './routes/admin/checks';
import { adminTopicRoutes } from './routes/admin/topics';
import { adminDashboardRoutes } from './routes/admin/dashboard';
import { adminFigureListRoutes } from './routes/admin/figure-list';
import { adminFigureRoutes } from './routes/admin/figures';
import { adminImportRoutes } from './routes/admin/imports';
import { adminIndicatorRoutes } from './routes/admin/indicators';
import { adminLocationRoutes } from './routes/admin/locations';
import { adminSourceRoutes } from './routes/admin/sources';
import { adminUserRoutes } from './routes/admin/users';
import { apiRoutes } from './routes/api';
import { authRoutes, signInAgain } from './routes/auth';
import { compareRoutes } from './routes/compare';
import { dashboardRoutes } from './routes/dashboard';
import { embedRoutes } from './routes/embed';
import { exportRoutes } from './routes/exports';
import { figureRoutes } from './routes/figures';
import { healthRoutes } from './routes/health';
import { historyRoutes } from './routes/history';
import { indicatorRoutes } from './routes/indicators';
import { locationRoutes } from './routes/locations';
import { sourceRoutes } from './routes/sources';
import { topicRoutes } from './routes/topics';
import { vendorFiles } from './routes/vendor';

export interface AppDeps {
  db: Db;
  config: Config;
  logger: Logger;
  /**
   * The server (main.ts): the page-view worker also runs the change feed's backfills, when there is
   * one; app.get(BACKFILLS_ON_WORKER) says whether it does, so the server runs them itself otherwise.
   */
  backfills?: boolean;
}

/** The app setting that says the page-view worker runs the change feed's backfills. */
export const BACKFILLS_ON_WORKER = 'backfills on worker';

/** Request logs keep this much of a URL. */
export const LOGGED_URL_CHARS = 300;

function truncateUrl(url: string): string {
  return url.length <= LOGGED_URL_CHARS ? url : `${url.slice(0, LOGGED_URL_CHARS)}… (${url.length} characters)`;
}

/** Builds the Express app on an open, migrated database. It never listens. */
export function createApp({ db, config, logger, backfills = false }: AppDeps): Express {
  if (!config.sessionSecret) throw new Error('createApp needs config.sessionSecret (main.ts sets it from SESSION_SECRET or the database)');
  const app = express();
  const q = createQueries(db);
  // Chart pages are computed by a worker thread on its own connection when the database is a file;
  // an in-memory test database computes them inline.
  const workerFile = pageViewWorkerFile();
  const pageViews = new PageViews(q, {
    databasePath: config.databasePath !== ':memory:' && workerFile !== null ? config.databasePath : null,
    workerFile,
    onError: (err) => logger.error({ err }, 'a chart page could not be computed'),
    cacheTemplates: config.nodeEnv === 'production',
    runBackfills: backfills,
    onWarning: (message) => logger.warn(message),
  });
  app.set(BACKFILLS_ON_WORKER, pageViews.runsBackfills);
  // With the worker, WAL checkpoints run there (server/charts/page-view-worker.ts), not in the commit of
  // a staff publish on this thread, where copying the log back into the database held every reader.
  if (config.databasePath !== ':memory:' && workerFile !== null) db.pragma('wal_autocheckpoint = 0');

  // Express reads NODE_ENV itself and, unset, assumes development (stack
  // traces in its fallback handler): it gets the validated value instead.
  app.set('env', config.nodeEnv);
  app.set('views', viewsDir);
  app.set('view engine', 'ejs');
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');
  app.disable('x-powered-by');
  if (config.nodeEnv === 'production') app.enable('view cache');
  // English words for a page rendered before its language is known (res.locals.t replaces them on every other).
  Object.assign(app.locals, viewHelpers, { t: translator('en') });

  app.use(
    pinoHttp({
      logger,
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
      // One short JSON line per request: no headers, so no cookies in the logs,
      // and the URL cut short, so a client cannot fill the disk through it.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: truncateUrl(req.url) }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(securityHeaders());
  // Before anything that may fail, so every page (an error page included) knows where it is.
  app.use((req, res, next) => {
    res.locals.currentPath = req.path;
    next();
  });
  // The files of public/ and the vendor scripts, from memory (nothing else on disk is reachable).
  const production = config.nodeEnv === 'production';
  app.use(
    staticFiles(new Map([...filesUnder(publicDir), ...vendorFiles()]), {
      maxAge: (url) => (!production ? 0 : url.startsWith('/vendor/') ? 86_400 : 3_600),
      watch: config.nodeEnv === 'development',
      eager: production,
    }),
  );
  // Every page's language (?lang=, its cookie, Accept-Language), before the page cache that keys on it.
  app.use(languages());
  // Public data may be read from any origin, and only read.
  app.use(
    ['/api', '/export'],
    cors({ origin: '*', methods: ['GET', 'HEAD'], exposedHeaders: ['ETag', 'Last-Modified', 'Content-Disposition', 'Sync-Token', 'Tally-Contract-Version', 'Link'], maxAge: 86400 }),
  );
  app.use(['/api', '/export'], (req, res, next) => {
    res.set('Cross-Origin-Resource-Policy', 'cross-origin');
    // Data answers are validated by ETag only: If-Modified-Since has one-second
    // precision, so it would call a change made in the same second "not modified".
    delete req.headers['if-modified-since'];
    next();
  });

  app.use(healthRoutes(q));
  // Data for other services needs no session: answered before any session work.
  // API answers are kept per data version; the CSV export streams and is not kept.
  const dataVersion = (): number => q.exports.dataVersion().version;
  app.use('/api', responseCache({ dataVersion, maxBytes: 4 * 1024 * 1024, maxEntries: 1_000 }));
  app.use(exportRoutes(q));
  app.use(apiRoutes(q));

  // Public pages for anonymous readers, kept per data version. A request
  // without a session cookie is answered before any session work; one with a
  // cookie only once it is known to be anonymous. Query parameters no page
  // reads (utm_source, …) are dropped, so they neither break a link nor grow the cache.
  const pages = responseCache({
    dataVersion,
    viewVersion: (key) => pageViews.versionOf(key),
    // Only where a worker computes views: inline (tests, :memory:) a page is drawn again at once from its new view.
    refreshView: pageViews.offThread ? (key, version) => pageViews.refresh(key, version) : undefined,
    maxBytes: 16 * 1024 * 1024,
    maxEntries: 2_000,
    params: PAGE_QUERY_PARAMS,
    variant: (_req, res) => String(res.locals.lang),
  });
  const hasSession = (req: Request): boolean => req.headers.cookie?.includes(`${SESSION_COOKIE}=`) === true;
  app.use((req, res, next) => (hasSession(req) ? next() : pages(req, res, next)));

  // The names of indicators and places in other languages come with the migrations: read once per language.
  const namesIn = translatedNames(q);
  // After the anonymous page cache (a kept page needs none of it): the footer's "last updated" (when published data last changed), and names of indicators and places in the page's language.
  const pageLocals: RequestHandler = (_req, res, next) => {
    res.locals.lastUpdated = q.exports.dataVersion().changedAt;
    const nameOf = namesIn(res.locals.lang as Language);
    res.locals.nameOf = nameOf;
    // A page in another language writes its numbers, dates and charts in it (page views are built in English).
    Object.assign(res.locals, languageLocals(res.locals.lang as Language, nameOf));
    next();
  };

  app.use(pageLocals);

  // Staff: forms, sessions in SQLite, the signed-in user, and a CSRF token
  // check on every state-changing request (anonymous ones included).
  app.use(express.urlencoded({ extended: false, limit: '1mb', parameterLimit: 200 }), formTooLarge);
  app.use(sessions(db, config.sessionSecret));
  app.use(loadUser(q));
  // The one multipart form: only an admin's upload is read, and before the CSRF check that needs its token.
  app.post('/admin/import', requireStaff, requireAdmin, importUpload);
  app.use(csrfProtection(config.sessionSecret, signInAgain(config.sessionSecret)));
  app.use((req, res, next) => (hasSession(req) ? pages(req, res, next) : next()));

  app.use(dashboardRoutes(q, pageViews));
  app.use(indicatorRoutes(q, pageViews));
  app.use(compareRoutes(q, pageViews));
  app.use(authRoutes(q, config.sessionSecret));
  app.use(figureRoutes(q));
  app.use(historyRoutes(q));
  app.use(sourceRoutes(q, pageViews));
  app.use(locationRoutes(q, pageViews));
  app.use(topicRoutes(q, pageViews));
  app.use(embedRoutes(q, pageViews));

  // Everything under /admin needs a signed-in user; admin-only routers add requireAdmin.
  app.use('/admin', requireStaff);
  app.use(adminDashboardRoutes(q));
  app.use(adminAccountRoutes(q));
  // Before the figure routes: /admin/figures/bulk is not a figure id.
  app.use(adminFigureListRoutes(q));
  app.use(adminFigureRoutes(q));
  app.use(adminSourceRoutes(q));
  app.use(adminIndicatorRoutes(q));
  app.use(adminLocationRoutes(q));
  app.use(catalogueReviewRoutes(q));
  app.use(adminUserRoutes(q));
  app.use(adminAuditRoutes(q));
  app.use(adminCheckRoutes(q));
  app.use(adminTopicRoutes(q));
  app.use(adminImportRoutes(q));

  app.use(notFound);
  app.use(errorHandler(logger, config.nodeEnv === 'development'));
  return app;
}

/**
 * The page-view worker's file: the compiled one beside this module, or the
 * TypeScript source when the server runs under tsx (a worker inherits the
 * --import tsx of its process); null under a test runner that transforms
 * sources itself, which computes pages inline.
 */
function pageViewWorkerFile(): string | null {
  const compiled = path.join(__dirname, 'charts', 'page-view-worker.js');
  if (__filename.endsWith('.js') && fs.existsSync(compiled)) return compiled;
  const source = path.join(__dirname, 'charts', 'page-view-worker.ts');
  if (process.execArgv.some((a) => a.includes('tsx')) && fs.existsSync(source)) return source;
  return null;
}
