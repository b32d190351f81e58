import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';

/** Express's `trust proxy`: nothing, a hop count, or the proxies' addresses and subnets. Never `true`. */
export type TrustProxy = false | number | string;

export interface Config {
  port: number;
  host: string;
  databasePath: string;
  /** From SESSION_SECRET; when unset, main.ts reads (or makes) a 0600 file beside the database. */
  sessionSecret: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  nodeEnv: 'production' | 'development' | 'test';
  trustProxy: TrustProxy;
  adminUsername: string | undefined;
  adminPassword: string | undefined;
}

export class ConfigError extends Error {}

const PROXY_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An IPv4 or IPv6 address, optionally with a prefix length that fits it. */
function isAddressOrSubnet(value: string): boolean {
  const [address = '', prefix, ...rest] = value.split('/');
  const family = net.isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

const TRUST_PROXY_HELP =
  'must be false, the number of proxies in front of Tally (e.g. 1), or their addresses/subnets (e.g. loopback or 10.0.0.0/8)';

const env = z.object({
  PORT: z
    .string()
    .regex(/^\d+$/, 'must be a whole number between 1 and 65535')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 65535, 'must be a whole number between 1 and 65535')
    .default(3000),
  HOST: z.string().min(1, 'must not be empty').default('127.0.0.1'),
  DATABASE_PATH: z.string().min(1, 'must not be empty').default('data/tally.db'),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters long').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.enum(['production', 'development', 'test']).default('production'),
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((value, ctx): TrustProxy => {
      if (value === 'false' || value === '') return false;
      // `true` trusts every X-Forwarded-For entry, so any client could choose its own address (and dodge the sign-in throttle).
      if (value === 'true') {
        ctx.addIssue({ code: 'custom', message: `true would let any client choose its own address through X-Forwarded-For: ${TRUST_PROXY_HELP}` });
        return z.NEVER;
      }
      if (/^\d{1,2}$/.test(value)) return Number(value);
      const parts = value.split(',').map((p) => p.trim());
      if (parts.every((p) => PROXY_KEYWORDS.has(p) || isAddressOrSubnet(p))) return parts.join(',');
      ctx.addIssue({ code: 'custom', message: TRUST_PROXY_HELP });
      return z.NEVER;
    }),
  ADMIN_USERNAME: z.string().min(2, 'must be at least 2 characters long').optional(),
  ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters long').optional(),
});

/**
 * Parses the environment once. A bad value throws a ConfigError whose message
 * is one line naming the variable, what is wrong and the value given.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = env.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    const given = source[name];
    const shown = name === 'SESSION_SECRET' || name === 'ADMIN_PASSWORD' ? '(hidden)' : JSON.stringify(given);
    throw new ConfigError(`Invalid ${name}: ${issue?.message ?? 'invalid value'} (got ${shown})`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databasePath: e.DATABASE_PATH === ':memory:' ? ':memory:' : path.resolve(e.DATABASE_PATH),
    sessionSecret: e.SESSION_SECRET,
    logLevel: e.LOG_LEVEL,
    nodeEnv: e.NODE_ENV,
    trustProxy: e.TRUST_PROXY,
    adminUsername: e.ADMIN_USERNAME,
    adminPassword: e.ADMIN_PASSWORD,
  };
}
