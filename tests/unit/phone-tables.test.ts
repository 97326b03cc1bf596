// Issue 18, item 1: one way for a table with columns to fit a phone. A table with a header row is
// either a data table (class="data-table", a data-label on every body cell: below 600 px each row
// becomes a card of label/value lines, src/styles/global.css, docs/decisions/090) or small enough to
// fit as it is (a row header and at most two values). A new table that is neither fails here.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';

function astroFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const full = join(dir, e);
    return statSync(full).isDirectory() ? astroFiles(full) : e.endsWith('.astro') ? [full] : [];
  });
}

interface Found {
  file: string;
  table: string;
}

const root = process.cwd();
// Paper documents (the Print layout: certificates, posters, review forms) keep their printed table;
// the browser walk (tests/e2e/phone-layout.test.ts) still checks that they fit a phone.
const tables: Found[] = astroFiles(join(root, 'src'))
  .map((file) => ({ file, text: readFileSync(file, 'utf8') }))
  .filter(({ text }) => !/<Print\b/.test(text))
  .flatMap(({ file, text }) => [...text.matchAll(/<table\b[\s\S]*?<\/table>/g)].map((m) => ({ file: relative(root, file), table: m[0] })));
const withHeader = tables.filter((t) => /<thead\b/.test(t.table));

/** Why a table with a header row may not fit a phone, or null. */
function problem(t: Found): string | null {
  const head = t.table.match(/<thead\b[\s\S]*?<\/thead>/)![0];
  const columns = (head.match(/<th\b/g) ?? []).length;
  const body = t.table.slice(t.table.indexOf('</thead>'));
  const cells = body.match(/<td\b[^>]*>/g) ?? [];
  if (/<table\b[^>]*class="[^"]*\bdata-table\b/.test(t.table)) {
    const unlabelled = cells.filter((c) => !/\bdata-label=/.test(c) && !/\bcolspan=/.test(c));
    return unlabelled.length ? `${t.file}: a data-table cell without data-label: ${unlabelled[0]}` : null;
  }
  const rowHeaders = body.match(/<tr\b[^>]*>\s*<th scope="row"/g)?.length ?? 0;
  const rows = body.match(/<tr\b/g)?.length ?? 0;
  if (columns <= 3 && rowHeaders === rows) return null;
  return `${t.file}: a table of ${columns} columns without class="data-table" (its columns would hide behind a sideways scroll on a phone)`;
}

describe('tables on a phone', () => {
  test('the source has tables with header rows to check', () => {
    expect(withHeader.length).toBeGreaterThan(15);
  });
  test('every table with columns is a data-table with labelled cells, or fits as it is', () => {
    expect(withHeader.map(problem).filter(Boolean)).toEqual([]);
  });
});
