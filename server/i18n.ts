import fs from 'node:fs';
import path from 'node:path';
import i18next, { type InitOptions, type TFunction } from 'i18next';
import type { Request, RequestHandler, Response } from 'express';
import { localesDir } from './paths';
import { PAGE_QUERY_PARAMS } from './validation/page-query';

export const LANGUAGES = ['en', 'uk'] as const;
export type Language = (typeof LANGUAGES)[number];


/** How Tally sets up i18next (its resources are the JSON files in locales/); the quick translator's test builds a plain i18next from it. */
export function i18nextOptions(): InitOptions {
  return {
    initAsync: false,
    lng: 'en',
    fallbackLng: 'en',
    supportedLngs: [...LANGUAGES],
    interpolation: { escapeValue: false }, // EJS escapes every <%= %>
    showSupportNotice: false,
    resources: Object.fromEntries(
      LANGUAGES.map((lng) => [lng, { translation: JSON.parse(fs.readFileSync(path.join(localesDir, `${lng}.json`), 'utf8')) as Record<string, unknown> }]),
    ),
  };
}

/** One i18next instance for the process. */
const instance = i18next.createInstance();
void instance.init(i18nextOptions());

/** Messages kept per language (keys come from the templates, but a key may be built from data). */
const MEMO_LIMIT = 20_000;

/** Options i18next reads itself (plurals, context, fallbacks, …): a message asked with any of them is made by i18next. */
const I18NEXT_OPTIONS = new Set(['count', 'context', 'defaultValue', 'returnObjects', 'returnDetails', 'joinArrays', 'lng', 'lngs', 'fallbackLng', 'ns', 'keyPrefix', 'postProcess', 'interpolation', 'skipInterpolation', 'ordinal', 'replace']);

/**
 * i18next's t with a quick path for what a chart page asks thousands of times:
 * a message looked up once per key (in the language, else English, as i18next
 * falls back), and its {{name}} values put in by one replace. Every other call
 * (plurals and context, a missing value, nesting, a key i18next does not know)
 * is i18next's own. i18next's lookup, options handling and interpolation took
 * most of a chart page's render (a label per table cell, a tooltip per point);
 * test/server/i18n-quick.test.ts holds this to i18next over every message.
 */
function quick(lang: Language): TFunction {
  const fixed = instance.getFixedT(lang);
  const call = fixed as unknown as (...args: unknown[]) => unknown;
  const stored = new Map<string, string | null>();
  const message = (key: string): string | null => {
    let found = stored.get(key);
    if (found === undefined) {
      const own: unknown = instance.getResource(lang, 'translation', key);
      const value: unknown = typeof own === 'string' || lang === 'en' ? own : instance.getResource('en', 'translation', key);
      found = typeof value === 'string' && !key.includes(':') && !value.includes('$t(') ? value : null;
      if (stored.size < MEMO_LIMIT) stored.set(key, found);
    }
    return found;
  };
  const t = (key: unknown, options?: unknown, ...rest: unknown[]): unknown => {
    if (typeof key !== 'string' || rest.length > 0) return call(key, options, ...rest);
    if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) return call(key, options);
    const values = options as Record<string, unknown> | undefined;
    if (values && Object.keys(values).some((name) => I18NEXT_OPTIONS.has(name))) return call(key, options);
    const text = message(key);
    if (text === null) return call(key, options);
    if (!text.includes('{{')) return text;
    let missing = false;
    const out = text.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
      const value = values?.[name];
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      // Missing, null or an object: i18next's own rules.
      missing = true;
      return whole;
    });
    return missing ? call(key, options) : out;
  };
  return Object.assign(t, fixed);
}

const translators = new Map<Language, TFunction>(LANGUAGES.map((lang) => [lang, quick(lang)]));

export function translator(lang: Language): TFunction {
  return translators.get(lang) ?? (translators.get('en') as TFunction);
}

/** A response's page language (English before it is known). */
export function pageLanguage(res: Response): Language {
  return isLanguage(res.locals.lang) ? res.locals.lang : 'en';
}

/** The words of a response's page language (English before the language is known). */
export function pageWords(res: Response): TFunction {
  return translator(pageLanguage(res));
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
