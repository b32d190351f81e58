import request from 'supertest';
import type { Express } from 'express';
import type { Role } from '../../db/queries/users';
import { hashPassword } from '../../server/auth/passwords';
import type { TestApp } from './app';

/** Cheap scrypt for tests only; the hash records its cost, so login verifies it the same way. */
export const TEST_COST = { log2N: 10, r: 8, p: 1 };
export const PASSWORD = 'correct horse battery';

export async function createUser(t: TestApp, username: string, role: Role, password = PASSWORD): Promise<number> {
  return t.q.users.create(username, await hashPassword(password, TEST_COST), role);
}

/** The first CSRF token in a page's HTML. */
export function tokenIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF token in the page');
  return match[1];
}

export interface Staff {
  agent: ReturnType<typeof request.agent>;
  csrf: string;
  userId: number;
  /** Fresh token from a staff page, e.g. after the session changed. */
  refresh: () => Promise<string>;
}

export async function loginAs(app: Express, username: string, password = PASSWORD): Promise<ReturnType<typeof request.agent>> {
  const agent = request.agent(app);
  const page = await agent.get('/login').expect(200);
  await agent.post('/login').type('form').send({ _csrf: tokenIn(page.text), username, password }).expect(303);
  return agent;
}

/** A user created and signed in, with the CSRF token of the session. */
export async function staff(t: TestApp, username: string, role: Role): Promise<Staff> {
  const userId = await createUser(t, username, role);
  const agent = await loginAs(t.app, username);
  const refresh = async (): Promise<string> => tokenIn((await agent.get('/admin').expect(200)).text);
  return { agent, csrf: await refresh(), userId, refresh };
}

/** A complete, valid figure form for the seeded dataset. */
export function figureForm(t: TestApp, overrides: Record<string, string> = {}): Record<string, string> {
  const indicator = t.q.indicators.getByCode('civilian_deaths');
  const location = t.q.locations.getByCode('UA14');
  const source = t.q.sources.listForPicker()[0];
  if (!indicator || !location || !source) throw new Error('the seeded dataset is missing');
  return {
    indicator_id: String(indicator.id),
    location_id: String(location.id),
    period_kind: 'range',
    reference_period_start: '2024-03-01',
    reference_period_end: '2024-03-31',
    measure: 'period_count',
    value: '42',
    value_low: '',
    value_high: '',
    qualifier: 'at_least',
    verification: 'reported',
    reported_by: 'UN OCHA',
    claimed_by: '',
    source_id: String(source.id),
    source_quote: 'at least 42 civilians were killed in March',
    notes: '',
    // Tests enter the same statement more than once on purpose; the duplicate warning has tests of its own.
    confirm_duplicate: 'yes',
    ...overrides,
  };
}
