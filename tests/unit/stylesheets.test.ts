// Issue 19 follow-up: a merge once left an `@media` block in global.css unclosed, and the browser
// quietly swallowed every rule after it. Every stylesheet we ship — global.css and each `<style>`
// block of an .astro file — must parse as a whole: postcss (already in node_modules through Vite)
// throws on an unclosed block, a stray `}` or an unclosed string or comment.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import postcss from 'postcss';
import { describe, expect, test } from 'vitest';

function files(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const full = join(dir, e);
    return statSync(full).isDirectory() ? files(full, ext) : e.endsWith(ext) ? [full] : [];
  });
}

interface Sheet {
  name: string;
  css: string;
}

const root = process.cwd();
const sheets: Sheet[] = [
  ...files(join(root, 'src'), '.css').map((f) => ({ name: relative(root, f), css: readFileSync(f, 'utf8') })),
  ...files(join(root, 'src'), '.astro').flatMap((f) =>
    // `<style set:text={…}/>` carries no CSS in the file; a block with a body does.
    [...readFileSync(f, 'utf8').matchAll(/<style\b[^>]*?(?<!\/)>([\s\S]*?)<\/style>/g)].map((m, i) => ({
      name: `${relative(root, f)} <style> #${i + 1}`,
      css: m[1],
    })),
  ),
];

/** Why a stylesheet would break in the browser, or null. */
function stylesheetProblem(css: string): string | null {
  try {
    postcss.parse(css);
    return null;
  } catch (e) {
    const err = e as { reason?: string; line?: number; column?: number; message: string };
    return err.reason ? `${err.reason} at ${err.line}:${err.column}` : err.message;
  }
}

describe('stylesheets parse', () => {
  test('the source has stylesheets to check', () => {
    expect(sheets.some((s) => s.name === 'src/styles/global.css')).toBe(true);
    expect(sheets.length).toBeGreaterThan(15);
  });
  test.each([
    ['an unclosed @media block', '@media (max-width: 600px) { .a { color: red; }\n.b { color: blue; }'],
    ['a stray closing brace', '.a { color: red; } }'],
    ['an unclosed comment', '.a { color: red; } /* note'],
    ['an unclosed string', '.a { content: "x; }'],
  ])('the check catches %s', (_name, css) => {
    expect(stylesheetProblem(css)).not.toBeNull();
  });
  test('every stylesheet in src parses as a whole', () => {
    const broken = sheets.map((s) => ({ name: s.name, problem: stylesheetProblem(s.css) })).filter((s) => s.problem);
    expect(broken).toEqual([]);
  });
});
