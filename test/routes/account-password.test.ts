import request from 'supertest';
import { createTestApp } from '../helpers/app';
import { PASSWORD, loginAs, staff, tokenIn } from '../helpers/staff';

const NEW_PASSWORD = 'purple elephant on a bicycle';

describe('"change my password" for every user', () => {
  test('a wrong current password or a mistyped repeat changes nothing and says which field', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const page = await erin.agent.get('/admin/account').expect(200);
    expect(page.text).toContain('Change your password');
    const wrong = await erin.agent.post('/admin/account/password').type('form')
      .send({ _csrf: erin.csrf, current_password: 'not my password', new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD }).expect(400);
    expect(wrong.text).toContain('This is not your current password.');
    expect(wrong.text).not.toContain(NEW_PASSWORD);
    const mistyped = await erin.agent.post('/admin/account/password').type('form')
      .send({ _csrf: erin.csrf, current_password: PASSWORD, new_password: NEW_PASSWORD, confirm_password: `${NEW_PASSWORD}!` }).expect(400);
    expect(mistyped.text).toContain('Type the same new password twice.');
    const short = await erin.agent.post('/admin/account/password').type('form')
      .send({ _csrf: erin.csrf, current_password: PASSWORD, new_password: 'short', confirm_password: 'short' }).expect(400);
    expect(short.text).toContain('The new password must be at least 12 characters long.');
    await loginAs(t.app, 'erin', PASSWORD);
  });

  test('a new password keeps this session, signs the others out, and is the one that signs in', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const elsewhere = await loginAs(t.app, 'erin');
    await elsewhere.get('/admin').expect(200);
    const done = await erin.agent.post('/admin/account/password').type('form')
      .send({ _csrf: erin.csrf, current_password: PASSWORD, new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD }).expect(303);
    expect(done.headers.location).toBe('/admin/account');
    const after = await erin.agent.get('/admin/account').expect(200);
    expect(after.text).toContain('Password changed. Your other sessions are signed out');
    await elsewhere.get('/admin').expect(302).expect('Location', /^\/login/);
    await loginAs(t.app, 'erin', NEW_PASSWORD);
    const visitor = request.agent(t.app);
    const page = await visitor.get('/login').expect(200);
    await visitor.post('/login').type('form').send({ _csrf: tokenIn(page.text), username: 'erin', password: PASSWORD }).expect(401);
    expect(t.db.prepare("SELECT action FROM audit_log WHERE action = 'change-password'").all()).toEqual([{ action: 'change-password' }]);
  });
});
