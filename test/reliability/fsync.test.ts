import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../server/paths';

/**
 * Durability where a crash test cannot see it: a SIGKILL leaves the OS page
 * cache intact, so a write never synced to disk survives it anyway. A power
 * cut does not. This test counts the fsync/fdatasync calls SQLite makes for
 * each acknowledged commit, under `strace -f`, and fails if a commit can be
 * acknowledged before its data was synced (as with synchronous = NORMAL or
 * OFF in WAL mode). A control run with synchronous lowered shows the count
 * would drop. Needs strace (Debian package strace); skipped with a message
 * without it, except in CI, which installs it.
 */
const COMMITS = 40;

function straceAvailable(): boolean {
  const probe = spawnSync('strace', ['-f', '-e', 'trace=fsync', '-o', '/dev/null', 'true']);
  return probe.status === 0;
}

/** Syncs per commit seen between the child's two marker mkdirs. */
function syncsPerCommit(lowered?: string): { syncs: number; perCommit: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-fsync-'));
  const trace = path.join(dir, 'strace.txt');
  const child = spawnSync(
    'strace',
    ['-f', '-qq', '-e', 'trace=fsync,fdatasync,mkdir,mkdirat', '-o', trace,
      process.execPath, '--import', 'tsx', path.join(projectRoot, 'test', 'reliability', 'fsync-child.ts'),
      path.join(dir, 'tally.db'), dir, String(COMMITS), ...(lowered ? [lowered] : [])],
    { cwd: projectRoot, encoding: 'utf8', timeout: 60_000 },
  );
  if (child.status !== 0) throw new Error(`the traced child failed (${String(child.status)}): ${child.stderr}`);
  const lines = fs.readFileSync(trace, 'utf8').split('\n');
  const begin = lines.findIndex((l) => l.includes(`${path.join(dir, 'begin')}"`));
  const end = lines.findIndex((l) => l.includes(`${path.join(dir, 'end')}"`));
  if (begin < 0 || end < begin) throw new Error('the markers were not found in the strace output');
  const syncs = lines.slice(begin, end).filter((l) => /\b(fsync|fdatasync)\(/.test(l)).length;
  fs.rmSync(dir, { recursive: true, force: true });
  return { syncs, perCommit: syncs / COMMITS };
}

const available = straceAvailable();
if (!available && process.env.CI) throw new Error('strace is missing: .ci/run installs it (apt-get install strace); the durability test must run in CI');
if (!available) process.stdout.write('fsync test skipped: strace is not installed here (apt-get install strace); CI installs it and runs it\n');
const maybe = available ? test : test.skip;

describe('durability of an acknowledged commit', () => {
  maybe(
    'every commit is synced to disk before it returns (synchronous = FULL), and lowering synchronous is caught',
    () => {
      const full = syncsPerCommit();
      const normal = syncsPerCommit('NORMAL');
      const off = syncsPerCommit('OFF');
      process.stdout.write(
        `fsync/fdatasync per commit over ${COMMITS} commits: as opened by openDb ${full.perCommit.toFixed(2)} (${full.syncs}), ` +
          `synchronous=NORMAL ${normal.perCommit.toFixed(2)} (${normal.syncs}), synchronous=OFF ${off.perCommit.toFixed(2)} (${off.syncs})\n`,
      );
      // At least one sync of the WAL per commit: the data is on disk when the commit returns.
      expect(full.perCommit).toBeGreaterThanOrEqual(1);
      // The control: a lowered setting syncs less than once per commit, so the count above can tell.
      expect(normal.perCommit).toBeLessThan(1);
      expect(off.syncs).toBe(0);
    },
    120_000,
  );
});
