import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { RequestHandler } from 'express';
import { codingFor, type Coding } from './response-cache';

export interface StaticFilesOptions {
  /** Cache-Control max-age, in seconds, per address prefix (the longest that matches); 0 when none does. */
  maxAge: (urlPath: string) => number;
  /** Read a file again when it changed on disk (development: an edited stylesheet shows at the next load). */
  watch: boolean;
  /**
   * Compress every file at start, on the thread pool (production: the first
   * reader on a phone gets Chart.js in brotli too); otherwise each coding is
   * made when a reader first asks for it.
   */
  eager?: boolean;
}

interface Asset {
  file: string;
  type: string;
  body: Buffer;
  /** Its ETag per form sent: a strong validator differs between codings of the same file. */
  etags: Record<Coding | 'identity', string>;
  mtimeMs: number;
  coded: Partial<Record<Coding, Buffer>>;
  coding: Partial<Record<Coding, true>>;
  /** False for files compressed already (PNG, WOFF2): they always go as they are. */
  compressible: boolean;
}

/** Compressed once per file, on the thread pool: brotli at its best quality, as a build step would. */
const COMPRESS: Record<Coding, (body: Buffer, done: (err: Error | null, result: Buffer) => void) => void> = {
  br: (body, done) => zlib.brotliCompress(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } }, done),
  gzip: (body, done) => zlib.gzip(body, { level: 9 }, done),
};

/** The kinds of file public/ may hold; another kind stops the server at start, naming the file. */
const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

function load(file: string): Asset {
  const body = fs.readFileSync(file);
  const type = TYPES[path.extname(file)];
  if (!type) throw new Error(`${file}: no content type is known for its extension (server/middleware/static-files.ts lists them)`);
  const hash = crypto.createHash('sha256').update(body).digest('base64url').slice(0, 27);
  const etags = { identity: `"${hash}"`, gzip: `"${hash}-gz"`, br: `"${hash}-br"` };
  return { file, type, body, etags, mtimeMs: fs.statSync(file).mtimeMs, coded: {}, coding: {}, compressible: !/^(image\/png|font\/)/.test(type) };
}

/** Every file under `dir`, by its address below `prefix` ("/css/tally.css"); dot files are left out. */
export function filesUnder(dir: string, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    const url = `${prefix}/${entry.name}`;
    if (entry.isDirectory()) for (const [u, f] of filesUnder(full, url)) out.set(u, f);
    else if (entry.isFile()) out.set(url, full);
  }
  return out;
}

/**
 * The stylesheet, the page scripts and the vendor scripts, read into memory
 * at start and answered from it: no file-system call on the request path, so
 * a busy server answers them at once instead of after several turns of its
 * event loop. Each is sent in brotli or gzip as the reader accepts (made once,
 * on the thread pool; sent as it is until then), with a strong ETag for a
 * 304. Only the addresses given are served: nothing else on disk is reachable.
 */
export function staticFiles(files: ReadonlyMap<string, string>, options: StaticFilesOptions): RequestHandler {
  const assets = new Map<string, Asset>();
  /** Starts making `coding` of a file, once; until it is made, the file goes as it is. */
  const compress = (asset: Asset, coding: Coding): void => {
    if (asset.coding[coding]) return;
    asset.coding[coding] = true;
    COMPRESS[coding](asset.body, (err, result) => {
      if (!err) asset.coded[coding] = result;
    });
  };
  for (const [url, file] of files) {
    const asset = load(file);
    assets.set(url, asset);
    if (options.eager && asset.compressible) for (const coding of ['br', 'gzip'] as const) compress(asset, coding);
  }

  const current = (url: string, asset: Asset): Asset => {
    if (!options.watch || fs.statSync(asset.file).mtimeMs === asset.mtimeMs) return asset;
    const fresh = load(asset.file);
    assets.set(url, fresh);
    return fresh;
  };

  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      next();
      return;
    }
    const known = assets.get(req.path);
    if (!known) {
      next();
      return;
    }
    const asset = current(req.path, known);
    const coding = asset.compressible ? codingFor(req) : null;
    const coded = coding ? asset.coded[coding] : undefined;
    if (coding && !coded) compress(asset, coding);
    const sent: Coding | 'identity' = coded && coding ? coding : 'identity';
    res.set({
      'Content-Type': asset.type,
      'Cache-Control': `public, max-age=${options.maxAge(req.path)}`,
      ETag: asset.etags[sent],
      Vary: 'Accept-Encoding',
    });
    // Any form the reader holds is this file as it is now: no need to send it again.
    const held = req.headers['if-none-match'];
    if (held && Object.values(asset.etags).some((etag) => held.includes(etag))) {
      res.status(304).end();
      return;
    }
    const body = coded ?? asset.body;
    if (sent !== 'identity') res.set('Content-Encoding', sent);
    res.set('Content-Length', String(body.length));
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
