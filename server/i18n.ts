import fs from 'node:fs';
import path from 'node:path';
import i18next, { type TFunction } from 'i18next';
import type { Request, RequestHandler, Response } from 'express';
import { localesDir } from './paths';
import { PAGE_QUERY_PARAMS } from './validation/page-query';

export const LANGUAGES = ['en', 'uk'] as const;
export type Language = (typeof LANGUAGES)[number];


/** One i18next instance for the process; its resources are the JSON files in server/locales. */
const instance = i18next.createInstance();
void instance.init({
  initAsync: false,
  lng: 'en',
  fallbackLng: 'en',
  supportedLngs: [...LANGUAGES],
  interpolation: { escapeValue: false }, // EJS escapes every <%= %>
  showSupportNotice: false,
  resources: Object.fromEntries(
    LANGUAGES.map((lng) => [lng, { translation: JSON.parse(fs.readFileSync(path.join(localesDir, `${lng}.json`), 'utf8')) as Record<string, unknown> }]),
  ),
});

/** Messages kept per language before the memo starts again (some carry a reader's words, such as parameters not understood). */
const MEMO_LIMIT = 20_000;

/**
 * i18next's t, remembering each message it made: a chart page asks for the
 * same few dozen messages thousands of times (a label per table cell, a
 * "figures by …" per document), and i18next's own lookup, plural rules and
 * interpolation took most of a page's render. The resources never change
 * while the process runs, so a message is a function of its key and options.
 */
function remembering(fixed: TFunction): TFunction {
  const call = fixed as unknown as (...args: unknown[]) => unknown;
  const memo = new Map<string, string>();
  const t = (key: unknown, options?: unknown, ...rest: unknown[]): unknown => {
    const plain = typeof key === 'string' && rest.length === 0 && (options === undefined || (typeof options === 'object' && options !== null && !Array.isArray(options)));
    if (!plain) return call(key, options, ...rest);
    const memoKey = options === undefined ? key : `${key}\u0000${JSON.stringify(options)}`;
    const kept = memo.get(memoKey);
    if (kept !== undefined) return kept;
    const message = call(key, options);
    if (typeof message !== 'string') return message;
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(memoKey, message);
    return message;
  };
  return Object.assign(t, fixed);
}

const translators = new Map<Language, TFunction>(LANGUAGES.map((lang) => [lang, remembering(instance.getFixedT(lang))]));

export function translator(lang: Language): TFunction {
  return translators.get(lang) ?? (translators.get('en') as TFunction);
}

/** A response's page language (English before it is known). */
export function pageLanguage(res: Response): Language {
  return isLanguage(res.locals.lang) ? res.locals.lang : 'en';
}

/** The words of a response's page language (English before the language is known). */
export function pageWords(res: Response): TFunction {
  return translator(isLanguage(res.locals.lang) ? res.locals.lang : 'en');
}

/** An indicator's or place's name in the page's language (translated_names), the English one when there is none. */
export function nameIn(res: Response, entity: 'indicator' | 'location', code: string, english: string): string {
  const nameOf = res.locals.nameOf as ((e: string, c: string, n: string) => string) | undefined;
  return nameOf ? nameOf(entity, code, english) : english;
}

function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** The first supported language of an Accept-Language header, by its q weights; English when none. */
export function fromAcceptLanguage(header: string | undefined): Language {
  if (!header) return 'en';
  const ranked = header
    .split(',')
    .slice(0, 20)
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { lang: tag.trim().toLowerCase().split('-')[0], q: q === undefined ? 1 : Number(q), i };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return ranked.map((x) => x.lang).find(isLanguage) ?? 'en';
}

const COOKIE = 'tally_lang';

function cookieLanguage(req: Request): Language | null {
  const match = /(?:^|;\s*)tally_lang=([a-z]{2})/.exec(req.headers.cookie ?? '');
  return match && isLanguage(match[1]) ? match[1] : null;
}

/** The page's address with ?lang= set: the switcher keeps what the page reads, and drops tracking parameters (the page cache keeps it). */
export function withLanguage(url: string, lang: Language): string {
  const at = url.indexOf('?');
  const params = new URLSearchParams();
  for (const [name, value] of new URLSearchParams(at < 0 ? '' : url.slice(at + 1))) if (PAGE_QUERY_PARAMS.has(name) && name !== 'lang') params.append(name, value);
  params.set('lang', lang);
  return `${at < 0 ? url : url.slice(0, at)}?${params.toString()}`;
}

/**
 * Chooses the language of a page: ?lang= (remembered in a cookie), then the
 * cookie, then Accept-Language. Pages say it in res.locals (lang, t, the
 * switcher's links) and in Content-Language; the page cache keys on it.
 */
export function languages(): RequestHandler {
  return (req, res, next) => {
    const asked = new URLSearchParams(req.url.split('?')[1] ?? '').get('lang');
    let lang: Language;
    if (isLanguage(asked)) {
      lang = asked;
      if (cookieLanguage(req) !== asked) res.cookie(COOKIE, asked, { sameSite: 'lax', httpOnly: true, maxAge: 365 * 86_400_000, path: '/' });
    } else lang = cookieLanguage(req) ?? fromAcceptLanguage(req.headers['accept-language']);
    res.locals.lang = lang;
    res.locals.t = translator(lang);
    res.locals.languageHrefs = Object.fromEntries(LANGUAGES.map((l) => [l, withLanguage(req.originalUrl, l)]));
    res.set('Content-Language', lang);
    res.vary('Accept-Language');
    res.vary('Cookie');
    next();
  };
}
