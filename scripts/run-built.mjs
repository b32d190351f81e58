/**
 * node scripts/run-built.mjs scripts/import.js [args…]
 * node scripts/run-built.mjs --build   (npm run build: compile now)
 *
 * Runs a compiled script from dist/, compiling first only when dist/ is
 * missing or older than a source file (server/, db/, scripts/, bench/ and the
 * TypeScript settings). A command such as `npm run import` then costs a
 * compile once after install or a change, not at every run.
 */
import { spawnSync } from 'node:child_process';
import process from 'node:process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist', '.built');
const SOURCES = ['server', 'db', 'scripts', 'bench'];
const SETTINGS = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];

/** The newest modification time of the TypeScript sources and settings, in ms. */
function newestSource() {
  let newest = 0;
  const visit = (dir) => {
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  };
  for (const dir of SOURCES) visit(path.join(root, dir));
  for (const file of SETTINGS) newest = Math.max(newest, fs.statSync(path.join(root, file)).mtimeMs);
  return newest;
}

function builtAt() {
  try {
    return fs.statSync(stamp).mtimeMs;
  } catch {
    return 0;
  }
}

const [target, ...rest] = process.argv.slice(2);
const buildOnly = target === '--build';
if (!target) {
  process.stderr.write('usage: node scripts/run-built.mjs <script under dist, e.g. scripts/import.js> [args…]\n');
  process.exit(2);
}
if (buildOnly || builtAt() < newestSource()) {
  const started = Date.now();
  const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  fs.writeFileSync(stamp, `${new Date(started).toISOString()}\n`);
  // The stamp is older than no source that existed when the compile began.
  fs.utimesSync(stamp, new Date(started), new Date(started));
}
if (buildOnly) process.exit(0);
// The script reads its arguments from process.argv.slice(2), as if started directly.
process.argv = [process.argv[0], path.join(root, 'dist', target), ...rest];
createRequire(import.meta.url)(path.join(root, 'dist', target));
