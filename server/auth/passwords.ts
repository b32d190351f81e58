import crypto from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(crypto.scrypt) as (
  password: crypto.BinaryLike,
  salt: crypto.BinaryLike,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;

/** scrypt cost: OWASP's N=2^15, r=8, p=3 (32 MiB per hash). Kept in each hash so it can be raised later. */
export interface ScryptCost {
  log2N: number;
  r: number;
  p: number;
}
export const DEFAULT_COST: ScryptCost = { log2N: 15, r: 8, p: 3 };
const KEY_LENGTH = 64;

function options(cost: ScryptCost): crypto.ScryptOptions {
  const N = 2 ** cost.log2N;
  return { N, r: cost.r, p: cost.p, maxmem: 128 * N * cost.r * 2 };
}

/** "scrypt$log2N$r$p$salt$hash", salt and hash in base64url. */
export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_COST): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options(cost));
  return ['scrypt', cost.log2N, cost.r, cost.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** True when the password matches; a malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [log2N, r, p] = parts.slice(1, 4).map(Number);
  if (!log2N || !r || !p || log2N > 20) return false;
  const expected = Buffer.from(parts[5] ?? '', 'base64url');
  if (expected.length !== KEY_LENGTH) return false;
  const actual = await scrypt(password.normalize('NFC'), Buffer.from(parts[4] ?? '', 'base64url'), KEY_LENGTH, options({ log2N, r, p }));
  return crypto.timingSafeEqual(actual, expected);
}

/** The first thing wrong with a password for this username, or null when it is acceptable. */
export function passwordProblem(password: string, username: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters long`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters long`;
  const lower = password.toLowerCase();
  const name = username.trim().toLowerCase();
  if (name && lower.includes(name)) return 'must not contain the username';
  return null;
}

/** A random password of 20 characters from an unambiguous alphabet (about 110 bits). */
export function generatePassword(): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  let out = '';
  while (out.length < 20) out += alphabet[crypto.randomInt(alphabet.length)];
  return out;
}
