import querystring from 'node:querystring';
import zlib from 'node:zlib';
import type { Request, RequestHandler, Response } from 'express';
import Negotiator from 'negotiator';

export interface ResponseCacheOptions {
  /** The current data version: any publish, edit, retire or import moves it. */
  dataVersion: () => number;
  /**
   * For pages drawn from a computed view (server/charts/page-views.ts; the
   * route sets res.locals.pageView): the version of the newest complete view
   * under a key. A page drawn from the previous view after a publish is kept
   * and served again until its own new view is complete, then never again;
   * other pages stay.
   */
  viewVersion?: (key: string) => number | undefined;
  /**
   * Asks for a newer view of `key` than `version` when the data has moved past it
   * (PageViews.refresh). A page drawn from a view is not dropped when the data
   * version moves: it is served as it is (the previous version, whole) while its
   * new view is computed, and drawn once more when that view is complete.
   */
  refreshView?: (key: string, dataVersion: number) => void;
  /** Upper bound on the bytes kept: bodies, keys and headers together. */
  maxBytes: number;
  /** Upper bound on the number of answers kept. */
  maxEntries: number;
  /**
   * The query parameters the routes behind this cache read. When given, any
   * other parameter (utm_source, fbclid, a cache-buster) is dropped from the
   * request before the routes see it, and so from the key: a shared link with
   * tracking parameters is the same page, and cannot grow the cache. When not
   * given (the API), every parameter is part of the key and the routes refuse
   * unknown ones with a 400, which is never kept.
   */
  params?: ReadonlySet<string>;
  /**
   * What else a page depends on besides its address (its language, chosen
   * from a header or cookie): part of the key, so an English page is never
   * served to a reader who asked for Ukrainian.
   */
  variant?: (req: Request, res: Response) => string;
}

export interface CacheStats {
  entries: number;
  bytes: number;
}

interface Entry {
  body: Buffer;
  bytes: number;
  headers: Record<string, string>;
  /** The computed view the page was drawn from, if any. */
  view: { key: string; version: number } | null;
  /** The body compressed, once per coding (off the event loop, on the thread pool) after it was kept. */
  coded: Partial<Record<Coding, Buffer>>;
  /** While the body is being compressed: readers that accept the coding wait for it (a few ms) rather than take hundreds of KB plain. */
  coding: Partial<Record<Coding, Promise<Buffer | null>>>;
}

export type Coding = 'br' | 'gzip';

/**
 * How a kept page is compressed. Brotli at quality 5 makes a chart page about
 * 30 % smaller than gzip in the same few milliseconds (quality 11 would take a
 * second); a 1 MB window holds any page whole. Every kept page is gzipped at
 * once; brotli is made for a page a brotli reader asks for again, so a page
 * read once (a one-off comparison) costs no second compression.
 */
const COMPRESS: Record<Coding, (body: Buffer, done: (err: Error | null, result: Buffer) => void) => void> = {
  br: (body, done) =>
    zlib.brotliCompress(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5, [zlib.constants.BROTLI_PARAM_LGWIN]: 20, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } }, done),
  gzip: (body, done) => zlib.gzip(body, done),
};

const CODINGS = ['br', 'gzip', 'identity'] as const;

/**
 * The coding a reader gets: the client's weights first; among codings it
 * weighs alike, brotli before gzip (browsers list "gzip, deflate, br" at
 * equal weight). Null: the page goes as it is.
 */
export function codingFor(req: Request): Coding | null {
  const chosen = new Negotiator(req).encoding(CODINGS, { preferred: CODINGS });
  return chosen === 'br' || chosen === 'gzip' ? chosen : null;
}

const KEPT_HEADERS = ['content-type', 'etag', 'last-modified', 'cache-control', 'sync-token', 'tally-contract-version', 'link'];
/** What a Map entry and its objects cost beyond the bytes counted: a rough, deliberately high figure. */
const ENTRY_OVERHEAD = 256;

/** Parameters that trackers (and cache-busters, "_") add to shared links: dropped without a word. */
const TRACKING = /^(utm_.*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|_gl|_|ref|ref_src)$/i;

/** Names of parameters outside the allowed set that are not tracking parameters: a page may say it did not understand them. */
export function unknownParams(rawQuery: string, allowed: ReadonlySet<string>): string[] {
  return Object.keys(querystring.parse(rawQuery)).filter((name) => !allowed.has(name) && !TRACKING.test(name));
}

/** The query string with only the allowed names (all when none are given), names sorted, each name's values in their order. */
function canonicalQuery(rawQuery: string, allowed: ReadonlySet<string> | undefined): string {
  const parsed = querystring.parse(rawQuery);
  const names = Object.keys(parsed)
    .filter((name) => !allowed || allowed.has(name))
    .sort();
  return names
    .map((name) => {
      const value = parsed[name];
      const values = Array.isArray(value) ? value : [value ?? ''];
      return values.map((v) => `${querystring.escape(name)}=${querystring.escape(v)}`).join('&');
    })
    .join('&');
}

/**
 * Serves a public GET answer again, byte for byte, while the data it came from
 * is unchanged: the key is the data version, the path and the known query
 * parameters in a canonical order, so a change to the data can never be
 * answered from the cache. Only anonymous readers are served from it (staff
 * pages carry their name, flash messages and form tokens), only 200 answers
 * without a form token or cookie are kept, and the least recently used go
 * first past maxEntries or maxBytes (keys and headers counted).
 */
export function responseCache(options: ResponseCacheOptions): RequestHandler & { stats: () => CacheStats } {
  const entries = new Map<string, Entry>();
  let bytes = 0;
  let version = -1;


  const evict = (key: string): void => {
    const entry = entries.get(key);
    if (!entry) return;
    bytes -= entry.bytes;
    entries.delete(key);
  };

  /** Drops the least recently used answers until the cache is within its bounds. */
  const trim = (): void => {
    for (const oldest of entries.keys()) {
      if (bytes <= options.maxBytes && entries.size <= options.maxEntries) break;
      evict(oldest);
    }
  };

  /** Compresses a kept body on the thread pool; readers that asked meanwhile get it either way, the entry keeps it if still cached. */
  const encode = (key: string, entry: Entry, coding: Coding): void => {
    entry.coding[coding] = new Promise((resolve) => {
      COMPRESS[coding](entry.body, (err, coded) => {
        delete entry.coding[coding];
        resolve(err ? null : coded);
        if (err || entries.get(key) !== entry) return;
        entry.coded[coding] = coded;
        entry.bytes += coded.length;
        bytes += coded.length;
        trim();
      });
    });
  };

  const keyOf = (req: Request, res: Response): string => {
    const at = req.url.indexOf('?');
    const path = at < 0 ? req.url : req.url.slice(0, at);
    const query = canonicalQuery(at < 0 ? '' : req.url.slice(at + 1), options.params);
    // The routes read req.query from req.url: they see exactly what the key holds.
    if (options.params) req.url = query ? `${path}?${query}` : path;
    return `${options.variant ? `${options.variant(req, res)}|` : ''}${req.baseUrl}${path}?${query}`;
  };

  const handler: RequestHandler = (req, res, next) => {
    if (options.params && (req.method === 'GET' || req.method === 'HEAD')) {
      const at = req.url.indexOf('?');
      const unknown = at < 0 ? [] : unknownParams(req.url.slice(at + 1), options.params);
      if (unknown.length > 0) {
        // The page says which it did not understand: neither served from nor kept in the cache, so they cannot grow it.
        res.locals.ignoredParams = unknown.slice(0, 10).map((n) => n.slice(0, 40));
        if (!res.locals.user) keyOf(req, res);
        next();
        return;
      }
    }
    if ((req.method !== 'GET' && req.method !== 'HEAD') || res.locals.user || res.locals.flash) {
      next();
      return;
    }
    const current = options.dataVersion();
    if (current !== version) {
      // Pages drawn from a view stay (see refreshView); every other page is of the old data.
      for (const [key, entry] of entries) if (!entry.view || !options.refreshView) evict(key);
      version = current;
    }
    const key = keyOf(req, res);
    let hit = entries.get(key);
    // A page drawn from a view that a newer one has replaced is drawn again.
    if (hit?.view && options.viewVersion && options.viewVersion(hit.view.key) !== hit.view.version) {
      evict(key);
      hit = undefined;
    }
    if (hit) {
      if (hit.view && hit.view.version < current) options.refreshView?.(hit.view.key, current);
      entries.delete(key);
      entries.set(key, hit);
      res.set(hit.headers);
      res.vary('Accept-Encoding');
      // A chart page is hundreds of KB of HTML (every point in a table as well): browsers get it compressed.
      const body = hit.body;
      const sendCoded = (coding: Coding, coded: Buffer | null | undefined): void => {
        if (coded) res.set('Content-Encoding', coding);
        res.send(coded ?? body);
      };
      let coding = codingFor(req);
      if (coding === 'br' && !hit.coded.br) {
        // Brotli for the readers after this one; this one takes gzip meanwhile when it can.
        if (!hit.coding.br) encode(key, hit, 'br');
        if (req.acceptsEncodings('gzip', 'identity') === 'gzip') coding = 'gzip';
      }
      const pending = coding ? hit.coding[coding] : undefined;
      if (!coding) res.send(body);
      else if (pending && !hit.coded[coding]) void pending.then((coded) => sendCoded(coding, coded));
      else sendCoded(coding, hit.coded[coding]);
      return;
    }
    const send = res.send.bind(res) as Response['send'];
    res.send = (body?: unknown) => {
      res.send = send;
      // A page with a form token or a cookie belongs to one visitor (the login page): never shared.
      const shareable =
        res.statusCode === 200 &&
        typeof body === 'string' &&
        !body.includes('name="_csrf"') &&
        options.dataVersion() === version;
      res.vary('Accept-Encoding');
      const result = send(body);
      // Read the headers once send has set them all (Content-Type, ETag).
      if (shareable && !res.get('Set-Cookie')) {
        const headers: Record<string, string> = {};
        let headerBytes = 0;
        for (const name of KEPT_HEADERS) {
          const value = res.get(name);
          if (value) {
            headers[name] = value;
            headerBytes += name.length + Buffer.byteLength(value);
          }
        }
        const buffer = Buffer.from(body);
        const size = buffer.length + Buffer.byteLength(key) * 2 + headerBytes + ENTRY_OVERHEAD;
        if (size <= options.maxBytes / 4) {
          evict(key);
          const view = (res.locals.pageView as Entry['view'] | undefined) ?? null;
          const entry: Entry = { body: buffer, bytes: size, headers, view, coded: {}, coding: {} };
          entries.set(key, entry);
          bytes += size;
          encode(key, entry, 'gzip');
          trim();
        }
      }
      return result;
    };
    next();
  };
  return Object.assign(handler, { stats: (): CacheStats => ({ entries: entries.size, bytes }) });
}
