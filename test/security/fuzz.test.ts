import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import request from 'supertest';
import type { Express } from 'express';
import { FIGURE_FIELDS } from '../../db/queries/figure-edits';
import { projectRoot } from '../../server/paths';
import { createTestApp, type TestApp } from '../helpers/app';
import { staff, type Staff } from '../helpers/staff';

/**
 * Hostile input against every route the router holds: every route parameter,
 * query parameter and form field gets generated values. No answer may be a
 * 5xx, a refused request may write nothing, and no value sent may come back
 * unescaped in a page. Fixed seed; FUZZ_RUNS (runs per route) makes it longer.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20240707);
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);

interface RouteInfo {
  method: 'get' | 'post';
  path: string;
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every method + path in the app's router (Express 5: app.router.stack, nested routers inside). */
function routesOf(app: Express): RouteInfo[] {
  const out: RouteInfo[] = [];
  const walk = (stack: Layer[]): void => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) {
          if (method === 'get' || method === 'post') out.push({ method, path: layer.route.path });
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  const seen = new Set<string>();
  return out.filter((r) => {
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Query parameters read anywhere in server/ (req.query.X, query.X), plus a few that nothing reads. */
function queryParamNames(): string[] {
  const names = new Set(['hxl', 'bom', 'limit', 'cursor', 'page', 'next', 'by', 'include_children', 'unknown_param', '__proto__', 'constructor', 'toString']);
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) {
        for (const m of fs.readFileSync(full, 'utf8').matchAll(/\bquery\.([a-z_]+)/g)) if (m[1]) names.add(m[1]);
      }
    }
  };
  walk(path.join(projectRoot, 'server'));
  return [...names].sort();
}

/** Form fields: every literal name="…" in the views, the figure form's fields and the other admin forms'. */
function formFieldNames(): string[] {
  const names = new Set<string>([
    ...FIGURE_FIELDS,
    'period_kind', 'revision', 'revision_id', 'reason', 'retired_reason', 'publish', 'next',
    'new_source_title', 'new_source_publisher', 'new_source_url', 'new_source_published_on',
    'title', 'publisher', 'url', 'published_on', 'accessed_on',
    'code', 'name', 'unit', 'aggregation', 'hxl_hashtag', 'description', 'admin_level', 'parent_id',
    'username', 'password', 'role', '__proto__', 'constructor', 'hasOwnProperty',
  ]);
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else for (const m of fs.readFileSync(full, 'utf8').matchAll(/name="([a-z_]+)"/g)) if (m[1]) names.add(m[1]);
    }
  };
  walk(path.join(projectRoot, 'views'));
  names.delete('_csrf');
  names.delete('viewport');
  return [...names].sort();
}

const FRAGMENTS = [
  '', ' ', '\u0000', 'a\u0000b', '%00', '\u202e\u0000', '\ud83d\ude00', '\uffff', '\u0085', '\r\n', 'Ä̈̈', '１２３',
  '../../package.json', '..%2f..%2fpackage.json', '..\\..\\package.json', '/etc/passwd', '....//....//etc/passwd', '%2e%2e%2f',
  "' OR '1'='1", '1; DROP TABLE figures; --', '1 UNION SELECT password_hash FROM users', '") OR 1=1 --', '%', '_', '*',
  '-1', '0', '1.5', '1e308', '-0', 'NaN', 'Infinity', '0x1F', '99999999999999999999999', '9007199254740993', '2147483648',
  '2024-02-30', '0000-00-00', '9999-12-31', '2024-13-01', 'true', 'null', 'undefined', '[]', '{}', '__proto__', 'constructor',
  'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__',
];

/** Names every plain object inherits: a lookup by one of them must find nothing, never a function. */
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__', '__lookupSetter__'];
/** Percent-escapes that decodeURIComponent throws on: truncated, not hex, overlong, a lone surrogate, a stray byte. */
const MALFORMED_ESCAPES = ['%E0%A4%A', '%', '%zz', '%C0%80', '%ED%A0%80', '%FF', 'a%2', '%%32%65'];

/** HTML fragments carry a random marker so a reflected copy cannot be mistaken for the page's own markup. */
const htmlFragment = fc
  .tuple(
    fc.constantFrom('<script>alert(#)</script>', '"><img src=x onerror=alert(#)>', "'><svg onload=alert(#)>", '</textarea><b>#</b>', '<a href="javascript:alert(#)">x</a>', '{{#}}<%= # %>'),
    fc.integer({ min: 100000, max: 999999 }),
  )
  .map(([t, n]) => t.replaceAll('#', String(n)));

const hostile: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...FRAGMENTS) },
  { weight: 3, arbitrary: htmlFragment },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n })).map(String) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('a', '€', '\u0000', '<b>', '9'), fc.integer({ min: 1000, max: 60000 })).map(([s, n]) => s.repeat(n)) },
);

/** A scalar, or an array where a scalar is expected (?a=1&a=2). */
const hostileValue: fc.Arbitrary<string | string[]> = fc.oneof({ weight: 4, arbitrary: hostile }, { weight: 1, arbitrary: fc.array(hostile, { minLength: 2, maxLength: 3 }) });

const COUNTED = ['figures', 'figure_revisions', 'figure_pending_changes', 'sources', 'users', 'audit_log', 'indicators', 'locations'] as const;

function counts(t: TestApp): Record<string, number> {
  return Object.fromEntries(COUNTED.map((table) => [table, (t.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n]));
}

function encodePairs(pairs: [string, string | string[]][]): string {
  const parts: string[] = [];
  for (const [name, value] of pairs) {
    for (const v of Array.isArray(value) ? value : [value]) parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(v)}`);
  }
  return parts.join('&');
}

/** Values long enough and odd enough that finding one verbatim in a page means it was not escaped. */
function dangerous(values: (string | string[])[]): string[] {
  return values.flat().filter((v) => v.length >= 8 && /<[a-z/!]|"[^"]*>|'>/i.test(v));
}

const routes = routesOf(createTestApp().app);
const QUERY_NAMES = queryParamNames();
const FIELD_NAMES = formFieldNames();
let casesRun = 0;

afterAll(() => {
  process.stdout.write(`fuzz: ${routes.length} routes, ${casesRun} generated requests (seed ${SEED}, ${RUNS} runs per route)\n`);
});

test('the router has the routes the fuzzer expects to cover', () => {
  expect(routes.length).toBeGreaterThan(60);
  expect(routes).toContainEqual({ method: 'post', path: '/admin/figures/:id' });
  expect(QUERY_NAMES).toEqual(expect.arrayContaining(['indicator', 'location', 'updated_since', 'cursor']));
  expect(FIELD_NAMES).toEqual(expect.arrayContaining(['source_quote', 'username', 'revision']));
});

/** What an error page must never show: a stack frame, a path on this machine, template source. */
function leaks(text: string): string | null {
  for (const re of [/\bat \S+ \(\S+:\d+:\d+\)/, /\/work\/|\/home\/|node_modules\//, /\.ejs:\d+/, /ReferenceError|TypeError|SyntaxError/, /<%/]) {
    const m = re.exec(text);
    if (m) return m[0];
  }
  return null;
}

describe('prototype names and malformed %-escapes in every route parameter', () => {
  const withParams = routes.filter((r) => r.path.includes(':'));

  test.each(withParams.map((r) => [`${r.method.toUpperCase()} ${r.path}`, r] as const))('%s: 4xx, never 5xx, no stack or path', async (_name, route) => {
    const t = createTestApp();
    const admin = await staff(t, 'sweep-admin', 'admin');
    const paramNames = [...route.path.matchAll(/:([a-zA-Z_]+)/g)].map((m) => m[1] ?? '');
    const failures: string[] = [];
    for (const [i] of paramNames.entries()) {
      // The other parameters get a plausible value, so the hostile one is the only thing wrong.
      const values = [...PROTOTYPE_NAMES.map(encodeURIComponent), ...MALFORMED_ESCAPES];
      for (const value of values) {
        let url = route.path;
        paramNames.forEach((name, j) => {
          url = url.replace(`:${name}`, j === i ? value : '1');
        });
        for (const signedIn of [false, true]) {
          const client = signedIn ? admin.agent : request(t.app);
          const res =
            route.method === 'get'
              ? await client.get(url)
              : await client.post(url).set('Content-Type', 'application/x-www-form-urlencoded').send(encodePairs([['_csrf', admin.csrf]]));
          const leak = leaks(res.text);
          if (res.status >= 500 || leak) failures.push(`${route.method.toUpperCase()} ${url} (${signedIn ? 'admin' : 'anonymous'}) → ${res.status}${leak ? ` showing ${JSON.stringify(leak)}` : ''}`);
          else if (res.status === 200 && PROTOTYPE_NAMES.includes(decodeURIComponent(value))) failures.push(`${url} → 200`);
        }
      }
    }
    expect(failures).toEqual([]);
    t.db.close();
  }, 120_000);

  test('malformed %-escapes and prototype names in query strings and form field names are no 5xx', async () => {
    const t = createTestApp();
    const admin = await staff(t, 'sweep-admin', 'admin');
    const failures: string[] = [];
    const queries = [
      ...MALFORMED_ESCAPES.map((bad) => `indicator=${bad}&${bad}=1`),
      ...PROTOTYPE_NAMES.map((name) => `${encodeURIComponent(name)}=1&indicator=${encodeURIComponent(name)}`),
    ];
    for (const route of routes.filter((r) => r.method === 'get' && !r.path.includes(':'))) {
      for (const qs of queries) {
        for (const client of [request(t.app), admin.agent]) {
          const res = await client.get(`${route.path}?${qs}`);
          const leak = leaks(res.text);
          if (res.status >= 500 || leak) failures.push(`GET ${route.path}?${qs} → ${res.status}${leak ? ` showing ${JSON.stringify(leak)}` : ''}`);
        }
      }
    }
    for (const route of routes.filter((r) => r.method === 'post' && !r.path.includes(':') && r.path !== '/admin/import')) {
      for (const name of [...PROTOTYPE_NAMES, ...MALFORMED_ESCAPES]) {
        const body = `_csrf=${encodeURIComponent(admin.csrf)}&${name}=1&title=${name}`;
        const res = await admin.agent.post(route.path).set('Content-Type', 'application/x-www-form-urlencoded').send(body);
        const leak = leaks(res.text);
        if (res.status >= 500 || leak) failures.push(`POST ${route.path} with field ${name} → ${res.status}${leak ? ` showing ${JSON.stringify(leak)}` : ''}`);
      }
    }
    expect(failures).toEqual([]);
    t.db.close();
  }, 120_000);
});

describe.each(routes.map((r) => [`${r.method.toUpperCase()} ${r.path}`, r] as const))('%s', (_name, route) => {
  test('hostile parameters, query strings and form fields: no 5xx, no write when refused, nothing reflected unescaped', async () => {
    const t = createTestApp();
    let admin: Staff = await staff(t, 'fuzz-admin', 'admin');
    let logins = 1;
    const paramNames = [...route.path.matchAll(/:([a-zA-Z_]+)/g)].map((m) => m[1] ?? '');

    const input = fc.record({
      params: fc.tuple(...paramNames.map(() => fc.oneof({ weight: 3, arbitrary: hostile }, { weight: 1, arbitrary: fc.constantFrom('1', '2', '18', 'UA14', 'civilian_deaths', 'chart.umd.min.js') }))),
      query: fc.array(fc.tuple(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...QUERY_NAMES) }, { weight: 1, arbitrary: hostile }), hostileValue), { maxLength: 4 }),
      form: fc.array(fc.tuple(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...FIELD_NAMES) }, { weight: 1, arbitrary: hostile }), hostileValue), { maxLength: 8 }),
      csrf: fc.oneof({ weight: 6, arbitrary: fc.constant<string | null>(null) }, { weight: 1, arbitrary: hostile }),
      signedIn: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    });

    await fc.assert(
      fc.asyncProperty(input, async ({ params, query, form, csrf, signedIn }) => {
        casesRun += 1;
        // A fuzzed POST may sign the fuzzer out or disable its account: start again as a new admin.
        // (A GET changes no session or account, so GET routes skip the check.)
        if (signedIn && route.method === 'post' && (await admin.agent.get('/admin')).status !== 200) {
          logins += 1;
          admin = await staff(t, `fuzz-admin-${logins}`, 'admin');
        }
        let url = route.path;
        paramNames.forEach((name, i) => {
          url = url.replace(`:${name}`, encodeURIComponent(params[i] ?? ''));
        });
        const qs = encodePairs(query);
        if (qs) url += `?${qs}`;

        const before = counts(t);
        const client = signedIn ? admin.agent : request(t.app);
        let res: request.Response;
        if (route.method === 'get') {
          res = await client.get(url);
        } else if (route.path === '/admin/import') {
          const req = client.post(url).field('_csrf', csrf ?? admin.csrf);
          for (const [name, value] of form) for (const v of Array.isArray(value) ? value : [value]) void req.field(name === 'file' ? 'file_' : name, v);
          res = await req.attach('file', Buffer.from(form.map(([n, v]) => `${n},${String(v)}`).join('\n')), 'fuzz.csv');
        } else {
          const body = encodePairs([['_csrf', csrf ?? admin.csrf], ...form]);
          res = await client.post(url).set('Content-Type', 'application/x-www-form-urlencoded').send(body);
        }

        if (res.status >= 500) throw new Error(`${route.method.toUpperCase()} ${url.slice(0, 300)} answered ${res.status}: ${res.text.slice(0, 300)}`);

        if (res.status >= 400) {
          const after = counts(t);
          // A refused sign-in is recorded in the audit log on purpose; nothing else may change.
          if (route.path === '/login') {
            delete after.audit_log;
            delete (before as Record<string, number | undefined>).audit_log;
          }
          expect(after).toEqual(before);
        }

        if (String(res.headers['content-type']).startsWith('text/html')) {
          const sent = [...params, ...query.flat(), ...form.flat(), csrf ?? ''];
          for (const value of dangerous(sent)) {
            if (res.text.includes(value)) throw new Error(`${route.method.toUpperCase()} ${url.slice(0, 200)} reflected ${JSON.stringify(value.slice(0, 80))} unescaped`);
          }
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );

    // The app still answers: nothing thrown outside a request killed it.
    await request(t.app).get('/healthz').expect(200);
    t.db.close();
  }, 120_000);
});
