// Every repository path named in README.md, docs/ and the comments under src/, db/, scripts/ and
// tests/ exists (issue 16, item 6): documentation that points at a renamed or deleted file fails here.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { missingPaths, missingPathsInRepository, pathsIn, proseOf, repositoryEntries } from '../helpers/doc-paths.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const entries = new Set(repositoryEntries(root));

describe('paths named in the documentation', () => {
  it('all exist', () => {
    expect(missingPathsInRepository(root)).toEqual([]);
  });

  it('docs/architecture.md exists and the README links it', () => {
    expect(entries.has('docs/architecture.md')).toBe(true);
    expect(pathsIn(readFileSync(`${root}README.md`, 'utf8').split('\n## ')[0])).toContain('docs/architecture.md');
  });
});

describe('decision records', () => {
  const records = [...entries].filter((e) => /^docs\/decisions\/\d{3}-.+\.md$/.test(e));

  it.each(records)('%s says when it was decided and whether it still holds', (file) => {
    const head = readFileSync(`${root}${file}`, 'utf8').split('\n').slice(0, 6);
    expect(head[0]).toMatch(/^# \d{3} /);
    expect(head.find((l) => l.startsWith('Date:'))).toMatch(/^Date: \d{4}-\d{2}-\d{2}$/);
    const status = head.find((l) => l.startsWith('Status:'));
    expect(status).toMatch(/^Status: (accepted|superseded|proposed|deprecated)\b/);
    // Every record it points to (amended by 074 and 075, superseded by 076, amends 003) must exist.
    for (const [n] of status!.matchAll(/(?<![\d-])\d{3}(?![\d-])/g)) {
      expect(
        records.some((r) => r.startsWith(`docs/decisions/${n}-`)),
        `${file} names decision ${n}`,
      ).toBe(true);
    }
  });
});

describe('the checker', () => {
  // Made-up names are built at run time so that this file's own text never names them.
  const made = (p: string) => p.replace('#', 'does-not-exist');

  it.each([
    ['a file that was never there', `see ${made('src/domain/#/records.ts')} for why`, [made('src/domain/#/records.ts')]],
    ['a deleted module named the short way', `\`${made('lib/#.ts')}\``, [made('lib/#.ts')]],
    ['a decision record by a number nobody used', `${made('docs/decisions/999-#.md')} and docs/decisions/999`, [made('docs/decisions/999-#.md'), 'docs/decisions/999']],
    ['a glob that matches nothing', `${made('tests/e2e/#-*.test.ts')}`, [made('tests/e2e/#-*.test.ts')]],
    ['a brace list with one wrong name', `src/domain/events/{signups,${made('#')}}.ts`, [`src/domain/events/{signups,${made('#')}}.ts`]],
    ['the design brief, which is not in the repository', `as ${'DESIGN'}.md "Scale" says`, ['DESIGN.md']],
  ])('reports %s', (_name, text, expected) => {
    expect(missingPaths(text, entries)).toEqual(expected);
  });

  it.each([
    ['existing files, folders and dynamic routes', 'src/domain/hours/review.ts, db/sql/search.sql; scripts/start.mjs. src/pages/events/[id].astro and tests/helpers/'],
    ['decision records by file name or number', 'docs/decisions/052-media-storage.md, docs/decisions/030–033'],
    ['src/ shorthands', 'lib/forms.ts actionResult and domain/refusal.ts'],
    ['placeholders, globs and brace lists that match something', 'src/domain/<capability>/, db/sql/<name>.sql, tests/integration/hours*.test.ts, src/domain/events/{signups,manage}.ts'],
    ['URLs, routes and paths inside other trees', `https://example.org/${made('src/#.ts')} /honors/${made('docs/#')} node_modules/astro/${made('src/#.ts')} data/uploads/x.webp`],
  ])('accepts %s', (_name, text) => {
    expect(missingPaths(text, entries)).toEqual([]);
  });

  it('reads comments, not code, in scripts and pages', () => {
    const code = [
      `const where = '${made('src/#.ts')}'; // the real one is db/client.ts`,
      `const re = /\\/\\//; const t = \`\${a}/\${b}\`; /* ${made('db/#.ts')} */`,
      `const s = \`// not a comment \${x} ${made('docs/#.md')}\`; // ${made('scripts/#.mjs')}`,
    ].join('\n');
    expect(missingPaths(proseOf('x.ts', code).join('\n'), entries)).toEqual([made('db/#.ts'), made('scripts/#.mjs')]);
    const page = `---\n// ${made('src/#/a.ts')}\nconst u = '${made('src/#/b.ts')}';\n---\n<p>${made('src/#/c.ts')}</p>\n<!-- ${made('src/#/d.ts')} -->`;
    expect(missingPaths(proseOf('x.astro', page).join('\n'), entries)).toEqual([made('src/#/a.ts'), made('src/#/d.ts')]);
    expect(missingPaths(proseOf('x.sql', `SELECT '${made('db/#.sql')}'; -- ${made('db/sql/#.sql')}`).join('\n'), entries)).toEqual([made('db/sql/#.sql')]);
  });
});
