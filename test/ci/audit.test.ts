import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../server/paths';

/** Runs .ci/audit.mjs on what `npm audit --json` printed. */
function audit(stdin: string): { status: number | null; out: string } {
  const res = spawnSync(process.execPath, [path.join(projectRoot, '.ci', 'audit.mjs')], { input: stdin, encoding: 'utf8' });
  return { status: res.status, out: res.stdout + res.stderr };
}

const report = (high: number, critical: number) =>
  JSON.stringify({
    auditReportVersion: 2,
    vulnerabilities: high + critical > 0 ? { 'left-pad': { name: 'left-pad', severity: critical ? 'critical' : 'high', range: '<1.3.0' } } : {},
    metadata: { vulnerabilities: { info: 0, low: 0, moderate: 1, high, critical, total: 1 + high + critical } },
  });

describe('the CI dependency audit', () => {
  test('an audit endpoint that does not answer is reported as NOT CHECKED, and does not fail CI', () => {
    const res = audit(JSON.stringify({ message: '405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk', statusCode: 405 }));
    expect(res.status).toBe(0);
    expect(res.out).toContain('npm audit: NOT CHECKED');
    expect(res.out).toContain('405 Method Not Allowed');
    expect(audit('').out).toContain('NOT CHECKED');
    expect(audit('npm error network ENOTFOUND').out).toContain('NOT CHECKED');
  });

  test('a high or critical advisory fails CI and is named', () => {
    const res = audit(report(1, 0));
    expect(res.status).toBe(1);
    expect(res.out).toContain('left-pad (high)');
    expect(audit(report(0, 1)).status).toBe(1);
  });

  test('a clean report passes and says it was checked', () => {
    const res = audit(report(0, 0));
    expect(res.status).toBe(0);
    expect(res.out).toContain('npm audit: checked, no high or critical advisory');
  });
});
