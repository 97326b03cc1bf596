// Dependencies (issue 9, item 11): `npm audit --omit=dev` shows no high or critical
// advisory except those explained in docs/decisions/072-dependency-exceptions.md.
// When the advisory endpoint cannot be reached the test is reported as SKIPPED
// with the reason (never passed as if audited); TRUST_AUDIT_REQUIRED=1 makes that
// a failure instead (CI with network access). See decision 072.
import { expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeLocalOnly } from '../helpers/hrana.ts';

const DOC = join(process.cwd(), 'docs', 'decisions', '072-dependency-exceptions.md');

/** Package names listed as accepted exceptions: table rows "| `name` | … |" in the decision record. */
export function acceptedExceptions(markdown: string): string[] {
  return [...markdown.matchAll(/^\|\s*`([^`]+)`\s*\|/gm)].map((m) => m[1]);
}

/**
 * What is wrong with the exception rows: each must name a production dependency in the lockfile,
 * a high or critical severity, a reason, and a review date that has not passed.
 */
export function exceptionProblems(markdown: string, productionPackages: Set<string>, today: string): string[] {
  const problems: string[] = [];
  for (const m of markdown.matchAll(/^\|\s*`([^`]+)`\s*\|([^|]*)\|([^|]*)\|([^|]*)\|/gm)) {
    const [name, severity, why, review] = [m[1], m[2].trim(), m[3].trim(), m[4].trim()];
    if (!productionPackages.has(name)) problems.push(`${name}: not a production dependency`);
    if (!['high', 'critical'].includes(severity)) problems.push(`${name}: severity "${severity}"`);
    if (why.length < 10) problems.push(`${name}: no reason given`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(review) || review < today) problems.push(`${name}: review date "${review}" missing or past`);
  }
  return problems;
}

/** Names of the packages `npm install --omit=dev` installs, from package-lock.json. */
function productionPackages(): Set<string> {
  const lock = JSON.parse(readFileSync(join(process.cwd(), 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  return new Set(
    Object.entries(lock.packages)
      .filter(([k, v]) => k && !v.dev)
      .map(([k]) => k.slice(k.lastIndexOf('node_modules/') + 'node_modules/'.length)),
  );
}

interface AuditReport {
  vulnerabilities?: Record<string, { severity: string; via: unknown[] }>;
  metadata?: unknown;
  message?: string;
  error?: unknown;
}

function runAudit(): { report: AuditReport | null; problem: string | null } {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['audit', '--omit=dev', '--json'], { cwd: process.cwd(), encoding: 'utf8', timeout: 90_000 });
  if (r.error) return { report: null, problem: `npm audit could not run: ${r.error.message}` };
  try {
    const report = JSON.parse(r.stdout) as AuditReport;
    if (!report.vulnerabilities || !report.metadata) return { report: null, problem: `advisory endpoint unreachable: ${report.message ?? JSON.stringify(report.error ?? report).slice(0, 200)}` };
    return { report, problem: null };
  } catch {
    return { report: null, problem: `npm audit printed no JSON (exit ${r.status}): ${(r.stderr || r.stdout).slice(0, 200)}` };
  }
}

// Not about the database: npm test runs it; the remote run (decision 082) does not repeat it.
describeLocalOnly('dependency advisories', '与数据库无关，已在 npm test 中运行', () => {
  test('every written exception names a production dependency, a severity, a reason and a review date to come', () => {
    const today = new Date().toISOString().slice(0, 10);
    const prod = productionPackages();
    expect(prod.has('astro')).toBe(true);
    expect(prod.has('vitest')).toBe(false);
    expect(exceptionProblems(readFileSync(DOC, 'utf8'), prod, today)).toEqual([]);
    // The check itself: each kind of bad row is reported.
    const bad = ['| `vitest` | high | only in tests, never shipped | 2099-01-01 |', '| `astro` | low | x | 2020-01-01 |'].join('\n');
    expect(exceptionProblems(bad, prod, today)).toEqual(['vitest: not a production dependency', 'astro: severity "low"', 'astro: no reason given', 'astro: review date "2020-01-01" missing or past']);
  });

  test('npm audit --omit=dev: no high or critical advisory outside the explained exceptions', (ctx) => {
    const { report, problem } = runAudit();
    if (!report) {
      const note = `依赖安全审计未执行 / NOT AUDITED — ${problem}`;
      console.warn(`\n${'!'.repeat(72)}\n${note}\nRun \`npm audit --omit=dev\` where registry.npmjs.org is reachable (TRUST_AUDIT_REQUIRED=1 turns this into a failure).\n${'!'.repeat(72)}\n`);
      if (process.env.TRUST_AUDIT_REQUIRED === '1') throw new Error(note);
      ctx.skip(note);
      return;
    }
    const accepted = new Set(acceptedExceptions(readFileSync(DOC, 'utf8')));
    const serious = Object.entries(report.vulnerabilities ?? {})
      .filter(([, v]) => v.severity === 'high' || v.severity === 'critical')
      .map(([name, v]) => `${name} (${v.severity})`)
      .filter((label) => !accepted.has(label.split(' ')[0]));
    expect(serious, 'explain each in docs/decisions/072-dependency-exceptions.md or upgrade').toEqual([]);
  }, 120_000);
});
