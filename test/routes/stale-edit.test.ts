import { createTestApp, type TestApp } from '../helpers/app';
import { figureForm, staff, type Staff } from '../helpers/staff';

async function createDraft(t: TestApp, who: Staff, overrides: Record<string, string> = {}): Promise<number> {
  const res = await who.agent.post('/admin/figures').type('form').send({ _csrf: who.csrf, ...figureForm(t, overrides) }).expect(303);
  return Number(/\/admin\/figures\/(\d+)$/.exec(String(res.headers.location))?.[1]);
}

async function revisionToken(who: Staff, id: number): Promise<string> {
  const match = /name="revision" value="(\d+)"/.exec((await who.agent.get(`/admin/figures/${id}/edit`).expect(200)).text);
  if (!match?.[1]) throw new Error('no revision token in the form');
  return match[1];
}

const save = (who: Staff, id: number, fields: Record<string, string>) =>
  who.agent.post(`/admin/figures/${id}`).type('form').send({ _csrf: who.csrf, ...fields });

/** Every input's value in a re-shown form, by name (the last wins, as the server reads it). */
function inputValue(html: string, name: string): string | undefined {
  return new RegExp(`name="${name}" type="[a-z]+" value="([^"]*)"`).exec(html)?.[1];
}

async function twoEditors() {
  const t = createTestApp();
  const erin = await staff(t, 'erin', 'editor');
  const ada = await staff(t, 'ada', 'admin');
  const id = await createDraft(t, erin);
  const erinsToken = await revisionToken(erin, id);
  const adasToken = await revisionToken(ada, id);
  return { t, erin, ada, id, erinsToken, adasToken };
}

describe('a stale edit: three versions, nothing lost', () => {
  test('changes to different fields are both kept: the form comes back combined, with names not ids, and saving keeps both', async () => {
    const { t, erin, ada, id, erinsToken, adasToken } = await twoEditors();
    await save(ada, id, { ...figureForm(t), revision: adasToken, notes: 'Checked against the PDF' }).expect(303);
    const conflict = await save(erin, id, { ...figureForm(t), revision: erinsToken, verification: 'verified' }).expect(409);
    expect(conflict.text).toContain('ada saved this figure after you opened the form');
    expect(conflict.text).toContain('taken from their version: Notes');
    expect(conflict.text).toContain('kept from yours: Verification');
    expect(conflict.text).not.toContain('changed by both of you');
    // Three columns: the version both started from, theirs, yours; names, never ids.
    expect(conflict.text).toContain('<th scope="col">You both started from</th><th scope="col">Theirs (saved by ada)</th><th scope="col">Yours (not saved)</th>');
    expect(conflict.text).toMatch(/<th scope="row">Indicator<\/th><td>Civilian deaths<\/td><td>Civilian deaths<\/td><td>Civilian deaths<\/td>/);
    expect(conflict.text).toMatch(/<th scope="row">Place<\/th><td>Donetska \(UA14\)<\/td>/);
    expect(conflict.text).toMatch(/<th scope="row">Notes<\/th><td>—<\/td><td>Checked against the PDF<\/td><td>—<\/td>/);
    expect(conflict.text).not.toMatch(/<th scope="row">(Indicator|Place|Source)<\/th><td>\d+</);
    expect(conflict.text).toMatch(/<textarea id="f-notes" name="notes"[^>]*>Checked against the PDF<\/textarea>/);
    expect(conflict.text).toContain('<option value="verified" selected>');
    expect(t.q.figureEdits.getRow(id)).toMatchObject({ notes: 'Checked against the PDF', verification: 'reported' });

    const token = /name="revision" value="(\d+)"/.exec(conflict.text)?.[1] ?? '';
    await save(erin, id, { ...figureForm(t), revision: token, verification: 'verified', notes: 'Checked against the PDF' }).expect(303);
    expect(t.q.figureEdits.getRow(id)).toMatchObject({ notes: 'Checked against the PDF', verification: 'verified' });
  });

  test('what states the number is taken whole from one side; only what both changed is asked, and "theirs" takes their whole statement', async () => {
    const { t, erin, ada, id, erinsToken, adasToken } = await twoEditors();
    await save(ada, id, { ...figureForm(t), revision: adasToken, value: '45', source_quote: 'at least 45 civilians were killed in March' }).expect(303);
    const conflict = await save(erin, id, { ...figureForm(t), revision: erinsToken, reference_period_end: '2024-03-30', reported_by: 'OHCHR' }).expect(409);
    expect(conflict.text).toContain('changed by both of you</strong>: The number as stated (value, range, qualifier, measure, period, quote)');
    expect(conflict.text).toContain('kept from yours: Originator');
    expect(conflict.text).toContain('<input type="radio" name="take_statement" value="mine" checked>');
    expect(conflict.text).toMatch(/value="theirs"> Theirs: End date \(or "as of" date\) 2024-03-31|value="theirs"> Theirs: [^<]*Value 45/);
    // The form holds yours whole until you choose: your end date with the value you started from, never their 45 with your date.
    expect(inputValue(conflict.text, 'value')).toBe('42');
    expect(inputValue(conflict.text, 'reference_period_end')).toBe('2024-03-30');

    const token = /name="revision" value="(\d+)"/.exec(conflict.text)?.[1] ?? '';
    await save(erin, id, { ...figureForm(t), revision: token, reference_period_end: '2024-03-30', reported_by: 'OHCHR', take_statement: 'theirs' }).expect(303);
    expect(t.q.figureEdits.getRow(id)).toMatchObject({
      value: 45, source_quote: 'at least 45 civilians were killed in March', reference_period_end: '2024-03-31', reported_by: 'OHCHR',
    });
  });

  test('the combination is validated again: their new indicator with your statement is shown with the error beside the field', async () => {
    const { t, erin, ada, id, erinsToken, adasToken } = await twoEditors();
    const level = t.q.indicators.getByCode('people_in_need');
    await save(ada, id, { ...figureForm(t), revision: adasToken, indicator_id: String(level?.id), measure: 'level' }).expect(303);
    const conflict = await save(erin, id, { ...figureForm(t), revision: erinsToken, value: '50', source_quote: 'at least 50' }).expect(409);
    expect(conflict.text).toContain('changed by both of you');
    expect(conflict.text).toContain('taken from their version: Indicator');
    expect(conflict.text).toContain('Please correct this and send again');
    expect(conflict.text).toMatch(/id="f-measure-error"/);
  });
});
