// Issue 16, item 1: every system program a test spawns is installed by `npm test`'s own setup step
// (scripts/ensure-browser.mjs SYSTEM_PROGRAMS) — a green CI once hid a missing pdftotext.
import { describe, expect, test } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SYSTEM_PROGRAMS } from '../../scripts/ensure-browser.mjs';

/** Programs on every machine of this kind (Node brings itself; sh is Debian's). */
const ALWAYS_THERE = new Set(['sh', 'bash', 'node', 'npm', 'git']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|mjs)$/.test(n) ? [p] : [];
  });
}

/** Literal program names passed to spawn/spawnSync/execFile/execFileSync/execSync in a source text. */
export function spawnedPrograms(src: string): string[] {
  const out: string[] = [];
  for (const m of src.matchAll(/(?<![.\w])(?:spawn|spawnSync|execFile|execFileSync|execSync)\(\s*(['"`])([^'"`\s]+)/g)) out.push(m[2]);
  return out;
}

describe('system programs the tests run', () => {
  test('the scanner finds a spawned program', () => {
    // The sample is assembled, so this file itself names no program a setup step would have to install.
    const made = ['made', 'up', 'viewer'].join('-');
    expect(spawnedPrograms(`execFileSync('pdftotext', ['-layout']); spawn("${made}", [])`)).toEqual(['pdftotext', made]);
  });

  test('each one is installed by the setup step or always present', () => {
    const provided = new Set([...ALWAYS_THERE, ...SYSTEM_PROGRAMS.flatMap((p) => p.programs)]);
    const missing: string[] = [];
    for (const f of files('tests').filter((f) => !f.endsWith('system-programs.test.ts'))) {
      for (const prog of spawnedPrograms(readFileSync(f, 'utf8'))) if (!provided.has(prog)) missing.push(`${f}: ${prog}`);
    }
    expect(missing).toEqual([]);
  });
});
