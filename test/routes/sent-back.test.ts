import { createTestApp, type TestApp } from '../helpers/app';
import { figureForm, staff, type Staff } from '../helpers/staff';

async function submittedDraft(t: TestApp, who: Staff): Promise<number> {
  const res = await who.agent.post('/admin/figures').type('form').send({ _csrf: who.csrf, ...figureForm(t) }).expect(303);
  const id = Number(/(\d+)$/.exec(String(res.headers.location))?.[1]);
  await who.agent.post(`/admin/figures/${id}/submit`).type('form').send({ _csrf: who.csrf }).expect(303);
  return id;
}

describe('send-back comments on the editor\'s dashboard', () => {
  test('the editor sees what was sent back, by whom and why, until they submit it again; others do not', async () => {
    const t = createTestApp();
    const erin = await staff(t, 'erin', 'editor');
    const ada = await staff(t, 'ada', 'admin');
    const id = await submittedDraft(t, erin);
    expect((await erin.agent.get('/admin').expect(200)).text).not.toContain('Sent back to you');
    await ada.agent.post(`/admin/figures/${id}/send-back`).type('form').send({ _csrf: ada.csrf, comment: 'The quote says 41, not 42 <b>.' }).expect(303);

    const dashboard = await erin.agent.get('/admin').expect(200);
    expect(dashboard.text).toContain('Sent back to you (1)');
    expect(dashboard.text).toMatch(new RegExp(`<a href="/admin/figures/${id}">Civilian deaths, Donetska</a> — ada, <time[^>]*>[^<]+</time>: <q>The quote says 41, not 42 &lt;b&gt;.</q>`));
    expect((await ada.agent.get('/admin').expect(200)).text).not.toContain('Sent back to you');

    await erin.agent.post(`/admin/figures/${id}/submit`).type('form').send({ _csrf: erin.csrf }).expect(303);
    expect((await erin.agent.get('/admin').expect(200)).text).not.toContain('Sent back to you');
  });
});
