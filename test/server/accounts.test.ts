import { createTestApp } from '../helpers/app';
import { ensureFirstAdmin } from '../../server/auth/accounts';
import { generatePassword, hashPassword, passwordProblem, verifyPassword } from '../../server/auth/passwords';
import { TEST_COST } from '../helpers/staff';

describe('passwords', () => {
  test('are hashed with scrypt, salted, and verified', async () => {
    const a = await hashPassword('a long enough password', TEST_COST);
    const b = await hashPassword('a long enough password', TEST_COST);
    expect(a).toMatch(/^scrypt\$10\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('a long enough password', a)).toBe(true);
    expect(await verifyPassword('a long enough passwore', a)).toBe(false);
    expect(await verifyPassword('anything', 'not-a-hash')).toBe(false);
  });

  test('the default cost is memory-hard', async () => {
    expect(await hashPassword('a long enough password')).toMatch(/^scrypt\$15\$8\$3\$/);
  });

  test.each([
    ['short', 'erin', 'must be at least 12 characters long'],
    ['erin-is-my-password', 'erin', 'must not contain the username'],
    ['ERIN-IS-MY-PASSWORD', 'erin', 'must not contain the username'],
    ['erin12345678', 'erin12345678', 'must not contain the username'],
  ])('%s for %s is refused: %s', (password, username, problem) => {
    expect(passwordProblem(password, username)).toBe(problem);
  });

  test('generated passwords are long and acceptable', () => {
    const p = generatePassword();
    expect(p).toHaveLength(20);
    expect(passwordProblem(p, 'admin')).toBeNull();
  });
});

describe('the first admin', () => {
  test('comes from ADMIN_USERNAME / ADMIN_PASSWORD on first start only', async () => {
    const t = createTestApp();
    const created = await ensureFirstAdmin(t.q, { adminUsername: 'chief', adminPassword: 'a very long secret phrase' });
    expect(created).toEqual({ username: 'chief', password: null });
    expect(t.q.users.getForLogin('chief')?.role).toBe('admin');
    expect(await ensureFirstAdmin(t.q, { adminUsername: 'other', adminPassword: 'another long secret' })).toBeNull();
    expect(t.q.users.count()).toBe(1);
  });

  test('gets a generated password when none is configured; no default credential exists', async () => {
    const t = createTestApp();
    const created = await ensureFirstAdmin(t.q, { adminUsername: undefined, adminPassword: undefined });
    expect(created?.username).toBe('admin');
    expect(created?.password).toHaveLength(20);
    const row = t.q.users.getForLogin('admin');
    expect(await verifyPassword(created?.password ?? '', row?.password_hash ?? '')).toBe(true);
    expect(await verifyPassword('admin', row?.password_hash ?? '')).toBe(false);
  });

  test('a configured password that contains the username is refused', async () => {
    const t = createTestApp();
    await expect(ensureFirstAdmin(t.q, { adminUsername: 'chief', adminPassword: 'chief-password-1' })).rejects.toThrow('Password must not contain the username.');
  });
});
