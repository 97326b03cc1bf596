// One way to write (issue 16, item 2; docs/decisions/084): guarded writes and batches go through
// db/write.ts, audit rows through one builder, "leads the team" through one policy predicate, and
// the libSQL client is used directly only where decision 084 names the place and says why.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.(ts|astro|mjs)$/.test(e.name) ? [path] : [];
  });
}

const files = sources('src').map((path) => ({ path: relative(root, join(root, path)).split('\\').join('/'), text: readFileSync(join(root, path), 'utf8') }));

/** The files (of `files`) whose text matches. */
const where = (pattern: RegExp) =>
  files
    .filter((f) => pattern.test(f.text))
    .map((f) => f.path)
    .sort();

describe('one way to write', () => {
  it('the libSQL client is used directly only in the places decision 084 names', () => {
    const record = readFileSync(join(root, 'docs/decisions/084-one-way-to-write.md'), 'utf8');
    const section = record.split(/^## /m).find((s) => s.startsWith('Where the client is used directly')) ?? '';
    const named = [...section.matchAll(/`(src\/[\w/.-]+\.ts)`/g)].map((m) => m[1]).sort();
    expect(named.length).toBeGreaterThan(0);
    expect(where(/\$client\./)).toEqual(named);
  });

  it('no statement is a string with positional values: values stand where they are used', () => {
    expect(where(/\bargs:\s*\[/)).toEqual([]);
  });

  it('several statements commit together only through db/write.ts', () => {
    expect(where(/\bdb\.batch\(|\.batch\(\[[^\]]*\],\s*'write'\)|guardedBatch|writeBatch\(db, \[.*as never/)).toEqual([]);
    expect(where(/changes\(\)|last_insert_rowid\(\)|json\('guard|\brev\s*=\s*\?/)).toEqual([]);
  });

  it('audit rows have one builder', () => {
    expect(where(/INSERT INTO audit_log|insert\(auditLog\)/i)).toEqual(['src/domain/audit/index.ts']);
  });

  it('"leads the team" is defined once, in the policy module', () => {
    expect(where(/role\s+IN\s*\(\s*'leader'|inArray\([^)]*\.role\b|'leader',\s*'coleader'/)).toEqual(['src/domain/accounts/policy.ts']);
  });
});
