import request from 'supertest';
import { createTestApp } from '../helpers/app';

describe('GET /sources', () => {
  test('lists each source document with its publisher, date and published figure count', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/sources').expect(200);
    expect(res.text).toContain('Russia has launched North Korean missiles at least 9 times in Ukraine: U.S. diplomat');
    expect(res.text).toMatch(/<td data-label="Publisher">UPI<\/td>\s*<td class="period" data-label="Published">2024-02-07<\/td>\s*<td class="num" data-label="Published figures">7<\/td>/);
    expect(res.text).toMatch(/<td data-label="Publisher">Unattributed news site<\/td>\s*<td class="period" data-label="Published">not stated<\/td>/);
  });

  test('an empty database shows an empty state', async () => {
    const { app } = createTestApp({ seed: false });
    const res = await request(app).get('/sources').expect(200);
    expect(res.text).toContain('No sources yet.');
  });
});
