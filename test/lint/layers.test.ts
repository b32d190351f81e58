/**
 * The layer rules of eslint.config.mjs fail on deliberately bad files: each
 * fixture is linted as if it lived in the folder whose rule it breaks.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');
const fixture = (name: string): string => fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'layers', name), 'utf8');

interface LintResult {
  filePath: string;
  messages: { ruleId: string | null; message: string }[];
}

/** Runs the project's own eslint (a child process, as `npm run lint` does) and returns its results. */
function eslint(args: string[], stdin?: string): LintResult[] {
  const run = spawnSync(process.execPath, [path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--format', 'json', ...args], {
    cwd: root,
    input: stdin,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (!run.stdout) throw new Error(`eslint printed nothing: ${run.stderr}`);
  return JSON.parse(run.stdout) as LintResult[];
}

const restricted = (results: LintResult[]): string[] =>
  results.flatMap((r) => r.messages.filter((m) => /restricted/.test(m.ruleId ?? '')).map((m) => `${m.ruleId ?? ''}: ${m.message}`));

/** The layer-rule messages for a fixture linted as if it were `asFile`. */
function ruleMessages(name: string, asFile: string): string[] {
  return restricted(eslint(['--stdin', '--stdin-filename', asFile], fixture(name)));
}

jest.setTimeout(60_000);

describe('layer rules', () => {
  test('the domain module may import nothing but zod', () => {
    const messages = ruleMessages('domain-imports-db.ts.txt', 'server/domain/figure.ts');
    expect(messages).toHaveLength(2);
    expect(messages.every((m) => m.includes('server/domain imports nothing but zod and itself'))).toBe(true);
  });

  test('db may not import the web layer, only the domain', () => {
    const messages = ruleMessages('db-imports-server.ts.txt', 'db/queries/changes.ts');
    expect(messages).toEqual([expect.stringContaining("'../../server/errors' import is restricted")]);
  });

  test('routes import no query module values and write only through the workflow', () => {
    const messages = ruleMessages('route-writes.ts.txt', 'server/routes/figures.ts');
    expect(messages).toEqual([
      expect.stringContaining("'../../db/queries/figures' import is restricted"),
      expect.stringContaining('Routes do not write: call the workflow module (server/workflow) for audit changes.'),
      expect.stringContaining('Routes do not write: call the workflow module (server/workflow) for figureEdits changes.'),
    ]);
  });
});
