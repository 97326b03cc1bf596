// Issue 18, item 6: one rule for every form. A POST form carries `novalidate`, so the browser never
// answers with its own bubble (English or the system's locale, gone after a second, not next to the
// field) and the server's Chinese message appears next to the field with the input kept. `required`
// stays on the inputs: screen readers announce it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';

function astroFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const full = join(dir, e);
    return statSync(full).isDirectory() ? astroFiles(full) : e.endsWith('.astro') ? [full] : [];
  });
}

/** The opening `<form …>` tags of an .astro file; a `>` inside a `{…}` expression or a quoted value does not end a tag. */
function formTags(text: string): string[] {
  const tags: string[] = [];
  for (const m of text.matchAll(/<form\b/g)) {
    let depth = 0;
    let quote = '';
    for (let i = m.index; i < text.length; i++) {
      const c = text[i];
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'" || c === '`') quote = c;
      else if (c === '{') depth++;
      else if (c === '}') depth--;
      else if (c === '>' && depth === 0) {
        tags.push(text.slice(m.index, i + 1));
        break;
      }
    }
  }
  return tags;
}

const root = process.cwd();
const forms = astroFiles(join(root, 'src')).flatMap((file) => formTags(readFileSync(file, 'utf8')).map((tag) => ({ file: relative(root, file), tag })));
const postForms = forms.filter((f) => /\bmethod=["']post["']/i.test(f.tag));

describe('POST forms leave validation to the server', () => {
  test('the source has POST forms to check', () => {
    expect(postForms.length).toBeGreaterThan(60);
  });
  test('the scanner reads a tag whose expression holds a ">"', () => {
    expect(formTags('<form method="POST" action={a > b ? x : y} novalidate><input required>')).toEqual(['<form method="POST" action={a > b ? x : y} novalidate>']);
  });
  test('every <form method="POST"> has novalidate', () => {
    const without = postForms.filter((f) => !/\snovalidate\b/.test(f.tag)).map((f) => `${f.file}: ${f.tag.replace(/\s+/g, ' ')}`);
    expect(without).toEqual([]);
  });
});
