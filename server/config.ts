import path from 'node:path';
import { z } from 'zod';

export type TrustProxy = boolean | number | string;

export interface Config {
  port: number;
  host: string;
  databasePath: string;
  /** From SESSION_SECRET; when unset, main.ts generates one and keeps it in the database. */
  sessionSecret: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  nodeEnv: 'production' | 'development' | 'test';
  trustProxy: TrustProxy;
  adminUsername: string | undefined;
  adminPassword: string | undefined;
}

export class ConfigError extends Error {}

const PROXY_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);
const IP_OR_SUBNET = /^[0-9a-fA-F:.]+(\/\d{1,3})?$/;

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
      if (value === 'true') return true;
      if (/^\d+$/.test(value)) return Number(value);
      const parts = value.split(',').map((p) => p.trim());
      if (parts.every((p) => PROXY_KEYWORDS.has(p) || IP_OR_SUBNET.test(p))) return parts.join(',');
      ctx.addIssue({
        code: 'custom',
        message: 'must be true, false, a hop count, or a comma-separated list of proxy addresses/subnets',
      });
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
