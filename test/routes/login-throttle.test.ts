import request from 'supertest';
import { Backoff, PER_ACCOUNT_AND_ADDRESS } from '../../server/middleware/login-throttle';
import { createTestApp } from '../helpers/app';
import { createUser, PASSWORD, tokenIn } from '../helpers/staff';

/** A client at one address behind the proxy Tally trusts (TRUST_PROXY=loopback). */
async function client(app: Parameters<typeof request.agent>[0], address: string) {
  const agent = request.agent(app);
  const token = tokenIn((await agent.get('/login').set('X-Forwarded-For', address)).text);
  return (username: string, password: string) =>
    agent.post('/login').set('X-Forwarded-For', address).type('form').send({ _csrf: token, username, password });
}

describe('sign-in throttling', () => {
  test('someone guessing from one address cannot lock the real user out from another', async () => {
    const t = createTestApp({ env: { TRUST_PROXY: 'loopback' } });
    await createUser(t, 'erin', 'editor');
    const attacker = await client(t.app, '203.0.113.7');
    const statuses = new Set<number>();
    for (let i = 0; i < 40; i++) statuses.add((await attacker('erin', `guess ${i}`)).status);
    expect(statuses).toEqual(new Set([401, 429]));
    // The attacker's own address now waits, even with the right password.
    expect((await attacker('erin', PASSWORD)).status).toBe(429);
    // Erin, elsewhere, signs in at once.
    const erin = await client(t.app, '198.51.100.2');
    const res = await erin('erin', PASSWORD);
    expect(res.status).toBe(303);
  });

  test('after five failures the wait doubles with each further failure, and a success clears it', async () => {
    const t = createTestApp();
    await createUser(t, 'erin', 'editor');
    const agent = request.agent(t.app);
    let token = tokenIn((await agent.get('/login')).text);
    const attempt = (password: string) => agent.post('/login').type('form').send({ _csrf: token, username: 'erin', password });
    let clock = Date.now();
    const now = jest.spyOn(Date, 'now').mockImplementation(() => clock);
    try {
      for (let i = 0; i < 5; i++) expect((await attempt('wrong')).status).toBe(401);
      const waits: number[] = [];
      for (let round = 0; round < 4; round++) {
        const refused = await attempt(PASSWORD);
        expect(refused.status).toBe(429);
        expect(refused.text).toContain('Too many failed sign-in attempts');
        const wait = Number(refused.headers['retry-after']);
        waits.push(wait);
        clock += wait * 1000 + 1;
        expect((await attempt('still wrong')).status).toBe(401);
      }
      expect(waits).toEqual([1, 2, 4, 8]);
      clock += 16_001;
      expect((await attempt(PASSWORD)).status).toBe(303);
      // Cleared: the next mistake (on a new sign-in form) is not delayed.
      const fresh = request.agent(t.app);
      token = tokenIn((await fresh.get('/login')).text);
      expect((await fresh.post('/login').type('form').send({ _csrf: token, username: 'erin', password: 'wrong' })).status).toBe(401);
    } finally {
      now.mockRestore();
    }
  });

  test('the counters keep a bounded number of keys whatever usernames are tried', () => {
    const backoff = new Backoff(PER_ACCOUNT_AND_ADDRESS);
    for (let i = 0; i < 25_000; i++) backoff.fail(`random-${i}\u0000203.0.113.7`, 1_000);
    expect(backoff.size).toBeLessThanOrEqual(10_000);
    expect(backoff.waitMs('random-24999\u0000203.0.113.7', 1_000)).toBe(0);
  });
});
