import express, { type Express } from 'express';
import request from 'supertest';
import { createTestApp } from '../helpers/app';
import { createUser, loginAs, PASSWORD, staff, tokenIn } from '../helpers/staff';

interface RouteInfo {
  method: string;
  path: string;
}
interface LayerLike {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: LayerLike[] };
}

/** Every route the app's router knows, walking into mounted routers. */
function routesOf(app: Express): RouteInfo[] {
  const out: RouteInfo[] = [];
  const walk = (stack: LayerLike[]): void => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') out.push({ method: method.toUpperCase(), path: layer.route.path });
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: LayerLike[] } }).router.stack);
  return out;
}

/** A concrete URL for a route pattern: every parameter becomes 1 (figure 1 exists in the demo data). */
const urlFor = (path: string): string => path.replace(/:[A-Za-z_]+/g, '1');

/** Routes an editor may use; every other /admin route must answer an editor with 403 (deny by default). */
const EDITOR_ROUTES = [
  /^\/admin$/, /^\/admin\/figures(\/|$)/, /^\/admin\/sources(\/|$)/, /^\/admin\/account(\/|$)/, /^\/admin\/session$/, /^\/admin\/checks$/,
  // An editor withdraws a change they proposed (the workflow refuses anyone else's); publish and send back are an admin's.
  /^\/admin\/changes\/:id\/withdraw$/,
];
const ADMIN_ONLY_FIGURE_ACTIONS = new Set(['POST /admin/figures/:id/publish', 'POST /admin/figures/:id/retire']);

function editorMayUse(route: RouteInfo): boolean {
  if (ADMIN_ONLY_FIGURE_ACTIONS.has(`${route.method} ${route.path}`)) return false;
  return EDITOR_ROUTES.some((re) => re.test(route.path));
}

/** What an anonymous visitor gets from each /admin route; the list of routes that let them through. */
async function anonymousLeaks(app: Express): Promise<string[]> {
  const leaks: string[] = [];
  const agent = request.agent(app);
  const loginPage = await agent.get('/login');
  const token = loginPage.status === 200 ? tokenIn(loginPage.text) : '';
  for (const route of routesOf(app).filter((r) => r.path.startsWith('/admin'))) {
    const url = urlFor(route.path);
    if (route.method === 'GET') {
      const res = await request(app).get(url);
      if (res.status !== 302 || !String(res.headers.location).startsWith('/login')) leaks.push(`GET ${url} → ${res.status}`);
    } else {
      // With no token, and even with a valid anonymous token, nothing may happen.
      for (const body of [{}, { _csrf: token }]) {
        const res = await agent.post(url).type('form').send(body);
        // Refused, or answered with the sign-in page (a form sent after its session ended), nothing done.
        const refused =
          res.status === 403 || (res.status === 302 && String(res.headers.location).startsWith('/login')) || (res.status === 401 && res.text.includes('<h1>Staff sign in</h1>'));
        if (!refused) leaks.push(`${route.method} ${url} → ${res.status}`);
      }
    }
  }
  return leaks;
}

describe('the /admin sweep (routes taken from the router)', () => {
  test('finds the staff routes', () => {
    const { app } = createTestApp();
    const admin = routesOf(app).filter((r) => r.path.startsWith('/admin'));
    expect(admin.length).toBeGreaterThan(25);
    expect(admin).toEqual(expect.arrayContaining([{ method: 'GET', path: '/admin' }, { method: 'POST', path: '/admin/figures/:id/publish' }, { method: 'GET', path: '/admin/audit' }]));
  });

  test('anonymous GET redirects to login, anonymous POST is refused, on every /admin route', async () => {
    const { app } = createTestApp();
    expect(await anonymousLeaks(app)).toEqual([]);
  });

  test('an editor gets 403 on every admin-only route', async () => {
    const t = createTestApp();
    const editor = await staff(t, 'erin', 'editor');
    const wrong: string[] = [];
    for (const route of routesOf(t.app).filter((r) => r.path.startsWith('/admin') && !editorMayUse(r))) {
      const url = urlFor(route.path);
      const res = route.method === 'GET' ? await editor.agent.get(url) : await editor.agent.post(url).type('form').send({ _csrf: editor.csrf });
      if (res.status !== 403) wrong.push(`${route.method} ${url} → ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  test('the sweep catches a route added without protection', async () => {
    const t = createTestApp();
    // The same app with one careless route registered ahead of the protection.
    const careless = express();
    careless.get('/admin/careless', (_req, res) => res.send('open'));
    careless.post('/admin/careless', (_req, res) => res.send('done'));
    careless.use(t.app);
    expect(await anonymousLeaks(careless)).toEqual(['GET /admin/careless → 200', 'POST /admin/careless → 200', 'POST /admin/careless → 200']);
  });
});

describe('CSRF', () => {
  test('every state-changing route refuses a request without a valid token, with a page that says so', async () => {
    const t = createTestApp();
    const admin = await staff(t, 'ada', 'admin');
    const posts = routesOf(t.app).filter((r) => r.method !== 'GET');
    expect(posts.length).toBeGreaterThan(15);
    const accepted: string[] = [];
    for (const route of posts) {
      for (const body of [{}, { _csrf: 'forged-token' }]) {
        const res = await admin.agent.post(urlFor(route.path)).type('form').send(body);
        if (res.status !== 403 || !res.text.includes('security token')) accepted.push(`${route.method} ${route.path} → ${res.status}`);
      }
    }
    expect(accepted).toEqual([]);
    // The session is still good afterwards.
    await admin.agent.get('/admin').expect(200);
  });
});

describe('login and sessions', () => {
  test('the sign-in page stores no session; a session cookie planted before sign-in is not the one after; the cookie is HttpOnly and SameSite=Lax', async () => {
    const t = createTestApp();
    await createUser(t, 'erin', 'editor');
    const agent = request.agent(t.app);
    const page = await agent.get('/login').expect(200);
    expect(String(page.headers['set-cookie'])).not.toContain('tally.sid=');
    expect(t.db.prepare('SELECT COUNT(*) AS n FROM sessions').get()).toEqual({ n: 0 });
    const planted = 's%3Aplanted-by-an-attacker.signature';
    const res = await agent
      .post('/login')
      .set('Cookie', `tally.sid=${planted}`)
      .type('form')
      .send({ _csrf: tokenIn(page.text), username: 'erin', password: PASSWORD })
      .expect(303);
    const cookie = String(res.headers['set-cookie']);
    const after = /tally\.sid=([^;]+)/.exec(cookie)?.[1];
    expect(after).toBeTruthy();
    expect(after).not.toBe(planted);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    expect(res.headers.location).toBe('/admin');
  });

  test('the cookies are Secure behind an HTTPS proxy when TRUST_PROXY is set', async () => {
    const t = createTestApp({ env: { TRUST_PROXY: 'loopback' } });
    await createUser(t, 'erin', 'editor');
    const agent = request.agent(t.app);
    const page = await agent.get('/login').set('X-Forwarded-Proto', 'https').expect(200);
    expect(String(page.headers['set-cookie'])).toMatch(/tally\.login=[^;]+;.*Secure/);
    const res = await agent
      .post('/login')
      .set('X-Forwarded-Proto', 'https')
      .set('Cookie', String(page.headers['set-cookie']).split(';')[0] ?? '')
      .type('form')
      .send({ _csrf: tokenIn(page.text), username: 'erin', password: PASSWORD })
      .expect(303);
    expect(String(res.headers['set-cookie'])).toMatch(/tally\.sid=[^;]+;.*Secure/);
  });

  test('after logout the old session cookie no longer works', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const page = await erin.agent.get('/admin').expect(200);
    const cookie = String(page.request.cookies);
    expect(cookie).toContain('tally.sid=');
    await erin.agent.post('/logout').type('form').send({ _csrf: erin.csrf }).expect(303);
    await erin.agent.get('/admin').expect(302).expect('Location', '/login?next=%2Fadmin');
    // Replaying the cookie captured before logout does not bring the session back.
    await request(t.app).get('/admin').set('Cookie', cookie).expect(302);
    expect(t.db.prepare('SELECT COUNT(*) AS n FROM sessions').get()).toEqual({ n: 0 });
  });

  test('sessions live in SQLite and expire after inactivity', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const row = t.db.prepare<[], { expires_at: number }>('SELECT expires_at FROM sessions').get();
    expect(row?.expires_at).toBeGreaterThan(Date.now());
    t.db.prepare('UPDATE sessions SET expires_at = ?').run(Date.now() - 1000);
    await erin.agent.get('/admin').expect(302);
  });

  test('a wrong password and an unknown username get the same answer', async () => {
    const t = createTestApp();
    await createUser(t, 'erin', 'editor');
    const agent = request.agent(t.app);
    const token = tokenIn((await agent.get('/login')).text);
    const wrong = await agent.post('/login').type('form').send({ _csrf: token, username: 'erin', password: 'not the password' }).expect(401);
    const unknown = await agent.post('/login').type('form').send({ _csrf: token, username: 'nobody', password: 'not the password' }).expect(401);
    const strip = (html: string): string => html.replace(/value="[^"]*"/g, '');
    expect(strip(wrong.text)).toBe(strip(unknown.text));
    expect(wrong.text).toContain('The username or password is not right');
  });

  test('a disabled user cannot log in, and a signed-in user who is disabled is signed out', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    t.q.users.disable(erin.userId);
    await erin.agent.get('/admin').expect(302);
    const agent = request.agent(t.app);
    const token = tokenIn((await agent.get('/login')).text);
    await agent.post('/login').type('form').send({ _csrf: token, username: 'erin', password: PASSWORD }).expect(401);
  });

  test('login sends back to the page asked for, but never to another site', async () => {
    const t = createTestApp();
    await createUser(t, 'erin', 'editor');
    for (const [next, expected] of [['/admin/sources', '/admin/sources'], ['//evil.example/', '/admin'], ['https://evil.example/', '/admin']] as const) {
      const agent = request.agent(t.app);
      const token = tokenIn((await agent.get('/login')).text);
      const res = await agent.post('/login').type('form').send({ _csrf: token, username: 'erin', password: PASSWORD, next }).expect(303);
      expect(res.headers.location).toBe(expected);
    }
  });

  test('after 30 failed sign-ins from one address with different usernames, that address waits (429 with Retry-After)', async () => {
    const t = createTestApp();
    const agent = request.agent(t.app);
    const token = tokenIn((await agent.get('/login')).text);
    for (let i = 0; i < 30; i++) {
      await agent.post('/login').type('form').send({ _csrf: token, username: `guess${i}`, password: 'whatever it is' }).expect(401);
    }
    const res = await agent.post('/login').type('form').send({ _csrf: token, username: 'someone-else', password: 'whatever it is' }).expect(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.text).toContain('Too many failed sign-in attempts');
  }, 30_000);

  test('successful logins do not count towards the limit', async () => {
    const t = createTestApp();
    await createUser(t, 'erin', 'editor');
    for (let i = 0; i < 12; i++) await loginAs(t.app, 'erin');
  });

  test('the header shows who is signed in, a sign-out button and the Admin link; anonymous readers see a sign-in link', async () => {
    const t = createTestApp();
    const anon = await request(t.app).get('/figures').expect(200);
    expect(anon.text).toContain('href="/login"');
    expect(anon.headers['set-cookie']).toBeUndefined();
    const erin = await staff(t, 'erin', 'editor');
    const page = await erin.agent.get('/figures').expect(200);
    expect(page.text).toContain('Signed in as <a href="/admin/account"><strong>erin</strong></a>');
    expect(page.text).toContain('action="/logout"');
    expect(page.text).toContain('href="/admin"');
  });
});
