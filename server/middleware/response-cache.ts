import type { RequestHandler, Response } from 'express';

export interface ResponseCacheOptions {
  /** The current data version: any publish, edit, retire or import moves it. */
  dataVersion: () => number;
  /** Upper bound on the bytes of cached bodies. */
  maxBytes: number;
}

interface Entry {
  body: Buffer;
  bytes: number;
  headers: Record<string, string>;
}

const KEPT_HEADERS = ['content-type', 'etag', 'last-modified', 'cache-control', 'sync-token', 'tally-contract-version', 'link'];

/**
 * Serves a public GET answer again, byte for byte, while the data it came from
 * is unchanged: the key is the data version and the URL, so a change to the
 * data can never be answered from the cache. Only anonymous readers are served
 * from it (staff pages carry their name, flash messages and form tokens), only
 * 200 answers without a form token are kept, and the least recently used go
 * first past maxBytes.
 */
export function responseCache(options: ResponseCacheOptions): RequestHandler {
  const entries = new Map<string, Entry>();
  let bytes = 0;
  let version = -1;

  const evict = (key: string): void => {
    const entry = entries.get(key);
    if (!entry) return;
    bytes -= entry.bytes;
    entries.delete(key);
  };

  return (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || res.locals.user || res.locals.flash) {
      next();
      return;
    }
    const current = options.dataVersion();
    if (current !== version) {
      entries.clear();
      bytes = 0;
      version = current;
    }
    const key = req.originalUrl;
    const hit = entries.get(key);
    if (hit) {
      entries.delete(key);
      entries.set(key, hit);
      res.set(hit.headers);
      res.send(hit.body);
      return;
    }
    const send = res.send.bind(res) as Response['send'];
    res.send = (body?: unknown) => {
      res.send = send;
      // A page with a form token or a cookie belongs to one session (the login page): never shared.
      const shareable =
        res.statusCode === 200 && typeof body === 'string' && !body.includes('name="_csrf"') && options.dataVersion() === version;
      const result = send(body);
      // Read the headers once send has set them all (Content-Type, ETag).
      if (shareable && !res.get('Set-Cookie')) {
        const headers: Record<string, string> = {};
        for (const name of KEPT_HEADERS) {
          const value = res.get(name);
          if (value) headers[name] = value;
        }
        const buffer = Buffer.from(body);
        if (buffer.length <= options.maxBytes / 4) {
          evict(key);
          entries.set(key, { body: buffer, bytes: buffer.length, headers });
          bytes += buffer.length;
          for (const oldest of entries.keys()) {
            if (bytes <= options.maxBytes) break;
            evict(oldest);
          }
        }
      }
      return result;
    };
    next();
  };
}
