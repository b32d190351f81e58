import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app';
import { PASSWORD, figureForm, staff, tokenIn, type Staff } from '../helpers/staff';
import { RESUME_MAX_AGE_MS, openForm, sealForm } from '../../server/auth/resume';

/** Ends every session, as two idle hours would (the store answers no expired session). */
function expireSessions(t: TestApp): void {
  t.db.prepare('UPDATE sessions SET expires_at = ?').run(Date.now() - 1000);
}

function hidden(html: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!m?.[1]) throw new Error(`no ${name} in the page`);
  return m[1];
}

/** The form sent after the session ended, as the browser sends it from a page of this site. */
const sendExpired = (who: Staff, path: string, fields: Record<string, string>, origin = 'same-origin') =>
  who.agent.post(path).set('Sec-Fetch-Site', origin).type('form').send({ _csrf: who.csrf, ...fields });

function signInFrom(who: Staff, loginPage: string, overrides: Record<string, string> = {}) {
  return who.agent.post('/login').type('form').send({
    _csrf: tokenIn(loginPage), username: 'erin', password: PASSWORD, next: hidden(loginPage, 'next'),
    resume: hidden(loginPage, 'resume'), resume_mac: hidden(loginPage, 'resume_mac'), ...overrides,
  });
}

describe('a form sent after the session ended', () => {
  test('leads to the sign-in page, and after signing in back to the new-figure form with every value', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const before = t.q.staffFigures.count({});
    expireSessions(t);
    const typed = figureForm(t, { value: '14.6 million', value_low: '14 million', source_quote: 'some 14.6 million people need aid — “quoted”', notes: 'über <b>' });
    const login = await sendExpired(erin, '/admin/figures', typed).expect(401);
    expect(login.text).toContain('Your session ended (after two hours without activity, or twelve hours after signing in), so nothing was saved.');
    expect(login.text).toContain('the form comes back with everything you typed');
    expect(login.headers['cache-control']).toBe('no-store');
    expect(t.q.staffFigures.count({})).toBe(before);

    const signedIn = await signInFrom(erin, login.text).expect(303);
    expect(signedIn.headers.location).toBe('/admin/figures/new');
    const form = await erin.agent.get('/admin/figures/new').expect(200);
    expect(form.text).toContain('You are signed in again. This is the form as you sent it');
    expect(form.text).toContain('name="value" type="text" value="14.6 million"');
    expect(form.text).toContain('name="value_low" type="text" value="14 million"');
    expect(form.text).toContain('some 14.6 million people need aid — “quoted”</textarea>');
    expect(form.text).toContain('über &lt;b&gt;</textarea>');
    expect(form.text).toContain(`<option value="${typed.indicator_id}" selected>`);
    expect(form.text).toContain(`<input type="radio" name="source_id" value="${typed.source_id}" checked>`);
    // Shown once: nothing was saved, and the next visit is a fresh form.
    expect(t.q.staffFigures.count({})).toBe(before);
    expect((await erin.agent.get('/admin/figures/new').expect(200)).text).toContain('name="value" type="text" value=""');

    // Saving it from there works with the new session's token.
    const csrf = tokenIn(form.text);
    await erin.agent.post('/admin/figures').type('form').send({ ...typed, _csrf: csrf }).expect(303);
    expect(t.q.staffFigures.count({})).toBe(before + 1);
  });

  test('an edit comes back to its edit page with the revision it was opened at, so a change made meanwhile is still caught', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const made = await erin.agent.post('/admin/figures').type('form').send({ _csrf: erin.csrf, ...figureForm(t) }).expect(303);
    const id = Number(/(\d+)$/.exec(String(made.headers.location))?.[1]);
    const edit = await erin.agent.get(`/admin/figures/${id}/edit`).expect(200);
    const revision = hidden(edit.text, 'revision');
    expireSessions(t);
    const login = await sendExpired(erin, `/admin/figures/${id}`, { ...figureForm(t, { value: '77' }), revision }).expect(401);
    const signedIn = await signInFrom(erin, login.text).expect(303);
    expect(signedIn.headers.location).toBe(`/admin/figures/${id}/edit`);
    const form = await erin.agent.get(`/admin/figures/${id}/edit`).expect(200);
    expect(form.text).toContain('name="value" type="text" value="77"');
    expect(hidden(form.text, 'revision')).toBe(revision);
    expect(t.q.figureEdits.getRow(id)?.value).toBe(42);
  });

  test('a failed password keeps the carried form; an altered one is refused and signing in leads to the staff page', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    expireSessions(t);
    const login = await sendExpired(erin, '/admin/figures', figureForm(t, { value: '31337' })).expect(401);
    const wrong = await signInFrom(erin, login.text, { password: 'not it' }).expect(401);
    expect(hidden(wrong.text, 'resume')).toBe(hidden(login.text, 'resume'));

    const payload = JSON.parse(Buffer.from(hidden(login.text, 'resume'), 'base64url').toString('utf8')) as { v: Record<string, string> };
    payload.v.value = '99999';
    const altered = Buffer.from(JSON.stringify(payload)).toString('base64url');
    const signedIn = await signInFrom(erin, wrong.text, { resume: altered }).expect(303);
    expect(signedIn.headers.location).toBe('/admin/figures/new');
    const form = await erin.agent.get('/admin/figures/new').expect(200);
    expect(form.text).not.toContain('99999');
    expect(form.text).not.toContain('31337');
  });

  test('a form sent from another site, or one that cannot be shown again, leads to the sign-in page without its values, never a bare 403', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    expireSessions(t);
    const crossSite = await sendExpired(erin, '/admin/figures', figureForm(t), 'cross-site').expect(401);
    expect(crossSite.text).toContain('Sign in again, then send the form again.');
    expect(crossSite.text).not.toContain('name="resume"');
    const other = await sendExpired(erin, '/admin/sources', { title: 'x', publisher: 'y' }).expect(401);
    expect(other.text).toContain('Staff sign in');
    expect(other.text).not.toContain('name="resume"');
    // A signed-in user with a wrong token is still refused as before.
    const ada = await staff(t, 'ada', 'admin');
    await ada.agent.post('/admin/figures').type('form').send({ _csrf: 'wrong', ...figureForm(t) }).expect(403);
  });
});

describe('the signed payload', () => {
  const form = { path: '/admin/figures/new', values: { value: '1', _csrf: 'dead', step: 'find-source' } };

  test('opens with the secret it was sealed with, without the dead token or a search button', () => {
    const sealed = sealForm('secret-one', form);
    expect(sealed).not.toBeNull();
    expect(openForm('secret-one', sealed?.resume, sealed?.resume_mac)).toEqual({ path: '/admin/figures/new', values: { value: '1' } });
    expect(openForm('secret-two', sealed?.resume, sealed?.resume_mac)).toBeNull();
  });

  test('is refused when too old, when it names a page that shows no form, or when too large to carry', () => {
    const old = sealForm('s', form, Date.now() - RESUME_MAX_AGE_MS - 1000);
    expect(openForm('s', old?.resume, old?.resume_mac)).toBeNull();
    const elsewhere = sealForm('s', { path: '/admin/users', values: {} });
    expect(openForm('s', elsewhere?.resume, elsewhere?.resume_mac)).toBeNull();
    expect(sealForm('s', { path: '/admin/figures/new', values: { notes: 'x'.repeat(100_000) } })).toBeNull();
  });
});

describe('the idle warning', () => {
  test('staff pages carry when the session ends and the script that warns; "stay signed in" answers when it now ends', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const page = await erin.agent.get('/admin').expect(200);
    const endsAt = Number(/data-ends-at="(\d+)"/.exec(page.text)?.[1]);
    expect(page.text).toContain('<script src="/js/session-timer.js" defer></script>');
    expect(page.text).toContain('data-idle-seconds="7200"');
    expect(endsAt).toBeGreaterThan(Date.now() + 11 * 3600_000);
    expect(endsAt).toBeLessThanOrEqual(Date.now() + 12 * 3600_000);
    expect((await erin.agent.get('/admin/session').expect(200)).body).toEqual({ idleSeconds: 7200, endsAt });
  });

  test('public pages for readers carry neither', async () => {
    const t = createTestApp();
    const res = await request(t.app).get('/').expect(200);
    expect(res.text).not.toContain('session-timer');
  });
});
