import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { projectRoot } from '../../server/paths';

/**
 * Helpers for tests that run the real server as a separate process: start it
 * on a file database, wait until it answers, sign in and post forms over HTTP.
 */

export const SERVER_ENTRY = path.join(projectRoot, 'dist', 'server', 'main.js');
export const ADMIN_USERNAME = 'ops-admin';
export const ADMIN_PASSWORD = 'reliability-check-password-7';

/** A free loopback port, so nothing depends on a fixed one. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  proc: ChildProcess;
  port: number;
  base: string;
  /** What the process wrote to stderr, for a failure message. */
  stderr: () => string;
  exited: Promise<number | null>;
}

export interface StartOptions {
  databasePath: string;
  port?: number;
  env?: NodeJS.ProcessEnv;
  /** Extra arguments for node, e.g. ['--import', 'tsx'] to run TypeScript. */
  nodeArgs?: string[];
  entry?: string;
  /** Writes the server's request log (one JSON line per request, with its responseTime) to this file. */
  requestLog?: string;
}

/** Starts `node dist/server/main.js` on a file database and waits for /healthz. */
export async function startServer(options: StartOptions): Promise<ServerProcess> {
  const entry = options.entry ?? SERVER_ENTRY;
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first`);
  const port = options.port ?? (await freePort());
  let stderr = '';
  const proc = spawn(process.execPath, [...(options.nodeArgs ?? []), entry], {
    cwd: projectRoot,
    env: {
      PATH: process.env.PATH,
      DATABASE_PATH: options.databasePath,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: options.requestLog ? 'info' : 'warn',
      NODE_ENV: 'production',
      ADMIN_USERNAME,
      ADMIN_PASSWORD,
      ...options.env,
    },
    stdio: ['ignore', options.requestLog ? fs.openSync(options.requestLog, 'a') : 'ignore', 'pipe'],
  });
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`the server exited on start (${proc.exitCode ?? proc.signalCode}): ${stderr}`);
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`the server did not answer /healthz within 30 s: ${stderr}`);
    }
    await sleep(50);
  }
  return { proc, port, base, stderr: () => stderr, exited };
}

/** SIGTERM and wait for a clean exit. */
export async function stopServer(server: ServerProcess): Promise<void> {
  if (server.proc.exitCode !== null || server.proc.signalCode !== null) return;
  server.proc.kill('SIGTERM');
  await server.exited;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A signed-in staff browser: its session cookie and CSRF token. */
export class StaffClient {
  private cookies = new Map<string, string>();
  csrf = '';

  constructor(public base: string) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keepCookies(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }

  async get(url: string): Promise<Response> {
    const res = await fetch(this.base + url, { headers: { cookie: this.cookieHeader() }, redirect: 'manual' });
    this.keepCookies(res);
    return res;
  }

  async postForm(url: string, fields: Record<string, string>): Promise<Response> {
    const body = new URLSearchParams({ _csrf: this.csrf, ...fields }).toString();
    const res = await fetch(this.base + url, {
      method: 'POST',
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      body,
      redirect: 'manual',
    });
    this.keepCookies(res);
    return res;
  }

  async postFile(url: string, fileName: string, content: string, fields: Record<string, string> = {}): Promise<Response> {
    const form = new FormData();
    form.set('_csrf', this.csrf);
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    form.set('file', new Blob([content], { type: 'text/csv' }), fileName);
    const res = await fetch(this.base + url, { method: 'POST', headers: { cookie: this.cookieHeader() }, body: form, redirect: 'manual' });
    this.keepCookies(res);
    return res;
  }

  async login(username = ADMIN_USERNAME, password = ADMIN_PASSWORD): Promise<void> {
    const page = await this.get('/login');
    this.csrf = tokenIn(await page.text());
    const res = await this.postForm('/login', { username, password });
    if (res.status !== 303) throw new Error(`sign-in as ${username} answered ${res.status}`);
    await this.refreshToken();
  }

  /** The session's CSRF token from a staff page; false when the session is gone. */
  async refreshToken(): Promise<boolean> {
    const res = await this.get('/admin');
    if (res.status !== 200) return false;
    this.csrf = tokenIn(await res.text());
    return true;
  }
}

export function tokenIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF token in the page');
  return match[1];
}

/** RFC 4180 quoting for one CSV cell. */
export function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
