// The flow() helper (tests/helpers/flow.ts) reports a broken journey by step: the step that broke
// fails, the steps after it are skipped, and state passes from step to step. Runs Vitest itself on
// tests/fixtures/flow/ and reads its JSON report.
import { expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('a failed step fails under its own title; the later steps are skipped; a whole flow passes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flow-'));
  try {
    const out = join(dir, 'report.json');
    const r = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--config', 'tests/fixtures/flow/vitest.config.ts', '--reporter=json', `--outputFile=${out}`], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(1); // one step fails on purpose
    const report = JSON.parse(readFileSync(out, 'utf8'));
    const steps = report.testResults.flatMap((f: { assertionResults: { fullName: string; status: string }[] }) => f.assertionResults.map((a) => [a.fullName, a.status]));
    expect(steps).toEqual([
      ['a journey that breaks the volunteer signs up', 'passed'],
      ['a journey that breaks the leader confirms the hours', 'failed'],
      ['a journey that breaks the volunteer downloads the certificate', 'skipped'],
      ['a journey that holds the leader issues a certificate', 'passed'],
      ['a journey that holds anyone verifies it', 'passed'],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
