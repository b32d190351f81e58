import crypto from 'node:crypto';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app';
import { createUser, loginAs, PASSWORD, staff, tokenIn } from '../helpers/staff';

type Agent = Awaited<ReturnType<typeof loginAs>>;

/** The session id inside a `tally.sid` cookie (`s:<id>.<signature>`, URL-encoded). */
function sessionIdOf(setCookie: unknown): string {
  const raw = /tally\.sid=([^;]+)/.exec(String(setCookie))?.[1];
  if (!raw) throw new Error('no session cookie');
  const value = decodeURIComponent(raw);
  return value.slice(2, value.lastIndexOf('.'));
}

/** A cookie for a session id, signed as express-session signs it: what someone holding the secret could forge. */
function forgedCookie(sid: string, secret: string): string {
  const signature = crypto.createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '');
  return `tally.sid=${encodeURIComponent(`s:${sid}.${signature}`)}`;
}

async function signedIn(agent: Agent): Promise<boolean> {
  const res = await agent.get('/admin');
  if (res.status === 200) return true;
  expect(res.status).toBe(302);
  expect(res.headers.location).toMatch(/^\/login/);
  return false;
}

function sessionRows(t: TestApp): number {
  return t.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM sessions').get()?.n ?? -1;
}

describe('sessions', () => {
  test('anonymous visitors, the sign-in page included, never get a session row', async () => {
    const t = createTestApp();
    for (let i = 0; i < 20; i++) {
      const page = await request(t.app).get('/login').expect(200);
      expect(String(page.headers['set-cookie'])).not.toContain('tally.sid');
      tokenIn(page.text);
    }
    await request(t.app).get('/figures').expect(200);
    await request(t.app).get('/admin').expect(302);
    expect(sessionRows(t)).toBe(0);
  });

  test('a failed sign-in writes no session row either', async () => {
    const t = createTestApp();
    const agent = request.agent(t.app);
    const token = tokenIn((await agent.get('/login')).text);
    await agent.post('/login').type('form').send({ _csrf: token, username: 'nobody', password: 'not the password' }).expect(401);
    expect(sessionRows(t)).toBe(0);
  });

  test('a stolen copy of the database (and even the secret) signs nobody in: only a hash of each session id is stored', async () => {
    const t = createTestApp();
    await createUser(t, 'erin', 'editor');
    const agent = request.agent(t.app);
    const page = await agent.get('/login');
    const res = await agent.post('/login').type('form').send({ _csrf: tokenIn(page.text), username: 'erin', password: PASSWORD }).expect(303);
    const sid = sessionIdOf(res.headers['set-cookie']);
    const secret = t.config.sessionSecret as string;
    // Control: the real id, signed, is a working session.
    await request(t.app).get('/admin').set('Cookie', forgedCookie(sid, secret)).expect(200);

    const rows = t.db.prepare<[], Record<string, unknown>>('SELECT * FROM sessions').all();
    expect(rows).toHaveLength(1);
    const stored = Object.values(rows[0] ?? {}).filter((v): v is string => typeof v === 'string');
    expect(stored.join(' ')).not.toContain(sid);
    for (const value of stored) {
      await request(t.app).get('/admin').set('Cookie', forgedCookie(value, secret)).expect(302);
    }
  });

  test('a password reset by an admin ends every session of that user', async () => {
    const t = createTestApp();
    const admin = await staff(t, 'ada', 'admin');
    const erin = await staff(t, 'erin', 'editor');
    const erinElsewhere = await loginAs(t.app, 'erin');
    const res = await admin.agent.post(`/admin/users/${erin.userId}/reset-password`).type('form').send({ _csrf: admin.csrf }).expect(200);
    expect(res.text).toContain('erin');
    expect(await signedIn(erin.agent)).toBe(false);
    expect(await signedIn(erinElsewhere)).toBe(false);
    expect(await signedIn(admin.agent)).toBe(true);
  });

  test('a role change ends every session of that user', async () => {
    const t = createTestApp();
    const admin = await staff(t, 'ada', 'admin');
    const erin = await staff(t, 'erin', 'editor');
    await admin.agent.post(`/admin/users/${erin.userId}/role`).type('form').send({ _csrf: admin.csrf, role: 'admin' }).expect(303);
    expect(await signedIn(erin.agent)).toBe(false);
    // Signing in again gives the new role.
    const again = await loginAs(t.app, 'erin');
    expect((await again.get('/admin/users')).status).toBe(200);
  });

  test('"Sign out everywhere" ends every session of the account, and no one else\'s', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const erinElsewhere = await loginAs(t.app, 'erin');
    const ada = await staff(t, 'ada', 'admin');
    const account = await erin.agent.get('/admin/account').expect(200);
    expect(account.text).toContain('Sign out everywhere');
    const res = await erin.agent.post('/admin/account/sign-out-everywhere').type('form').send({ _csrf: tokenIn(account.text) }).expect(303);
    expect(res.headers.location).toBe('/login?signed_out=everywhere');
    expect((await erin.agent.get(res.headers.location as string)).text).toContain('You are signed out on every device and browser.');
    expect(await signedIn(erin.agent)).toBe(false);
    expect(await signedIn(erinElsewhere)).toBe(false);
    expect(await signedIn(ada.agent)).toBe(true);
    const audit = await ada.agent.get('/admin/audit').expect(200);
    expect(audit.text).toContain('logout-everywhere');
  });

  test('a session ends twelve hours after sign-in, however often it is used', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const start = Date.now();
    const now = jest.spyOn(Date, 'now');
    try {
      // A request every hour keeps the two-hour idle limit away...
      for (let hour = 1; hour <= 11; hour++) {
        now.mockReturnValue(start + hour * 3_600_000);
        expect(await signedIn(erin.agent)).toBe(true);
      }
      // ...but not the absolute one.
      now.mockReturnValue(start + 12 * 3_600_000 + 60_000);
      expect(await signedIn(erin.agent)).toBe(false);
    } finally {
      now.mockRestore();
    }
  });

  test('a failed sign-in is audited under the account it named, or as an unknown user: never what was typed', async () => {
    const t = createTestApp();
    const admin = await staff(t, 'ada', 'admin');
    await createUser(t, 'erin', 'editor');
    const agent = request.agent(t.app);
    const token = tokenIn((await agent.get('/login')).text);
    // Someone types their password into the username field.
    await agent.post('/login').type('form').send({ _csrf: token, username: 'Tr0ub4dor-and-3', password: 'x' }).expect(401);
    await agent.post('/login').type('form').send({ _csrf: token, username: 'ERIN', password: 'not erins password' }).expect(401);
    const audit = (await admin.agent.get('/admin/audit').expect(200)).text;
    expect(audit).not.toContain('Tr0ub4dor');
    expect(audit).toContain('(unknown user)');
    expect(audit).not.toContain('ERIN');
    const rows = t.db.prepare<[], { details: string }>("SELECT details FROM audit_log WHERE action = 'login-failed' ORDER BY id").all();
    expect(rows.map((r) => JSON.parse(r.details) as unknown)).toEqual([{ username: '(unknown user)' }, { username: 'erin' }]);
  });
});

describe('CSRF tokens', () => {
  test('the sign-in form is refused without its cookie (a form posted from another site) or once expired', async () => {
    const t = createTestApp();
    await createUser(t, 'erin', 'editor');
    const page = await request(t.app).get('/login').expect(200);
    const token = tokenIn(page.text);
    const cookie = String(page.headers['set-cookie']).split(';')[0] ?? '';
    // No cookie: refused, whatever the token.
    const noCookie = await request(t.app).post('/login').type('form').send({ _csrf: token, username: 'erin', password: PASSWORD }).expect(403);
    expect(noCookie.text).toContain('security token');
    // Another visitor's cookie: refused.
    const other = String((await request(t.app).get('/login')).headers['set-cookie']).split(';')[0] ?? '';
    await request(t.app).post('/login').set('Cookie', other).type('form').send({ _csrf: token, username: 'erin', password: PASSWORD }).expect(403);
    // A tampered token (one character of its MAC changed, never to itself): refused.
    const at = token.length - 10;
    const tampered = `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
    await request(t.app).post('/login').set('Cookie', cookie).type('form').send({ _csrf: tampered, username: 'erin', password: PASSWORD }).expect(403);
    // Three hours later: refused.
    const now = jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 3 * 3_600_000);
    try {
      await request(t.app).post('/login').set('Cookie', cookie).type('form').send({ _csrf: token, username: 'erin', password: PASSWORD }).expect(403);
    } finally {
      now.mockRestore();
    }
    // Its own cookie, in time: accepted.
    await request(t.app).post('/login').set('Cookie', cookie).type('form').send({ _csrf: token, username: 'erin', password: PASSWORD }).expect(303);
  });

  test('tokens are compared in constant time', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const spy = jest.spyOn(crypto, 'timingSafeEqual');
    try {
      await erin.agent.post('/logout').type('form').send({ _csrf: `${erin.csrf.slice(0, -1)}${erin.csrf.endsWith('x') ? 'y' : 'x'}` }).expect(403);
      expect(spy).toHaveBeenCalled();
      spy.mockClear();
      await erin.agent.post('/logout').type('form').send({ _csrf: 'short' }).expect(403);
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
    await erin.agent.post('/logout').type('form').send({ _csrf: erin.csrf }).expect(303);
  });
});
