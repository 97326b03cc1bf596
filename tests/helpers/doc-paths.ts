// Finds repository paths named in prose (README, docs, code comments) and reports the ones that do
// not exist, so that a renamed or deleted file cannot leave documentation pointing at nothing
// (issue 16, item 6). Used by tests/unit/docs-paths.test.ts.
import ts from 'typescript';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';

/** Top-level folders whose paths are checked. Paths elsewhere (data/, dist/, bench/) are made at run time; Astro's public/ does not exist here. */
export const CHECKED_ROOTS = ['src', 'db', 'scripts', 'tests', 'docs', 'content'];
/** Folders under src/ that comments name without the `src/` (`lib/forms.ts`). */
const SRC_SHORTHANDS = ['lib', 'domain', 'components', 'layouts', 'pages', 'actions'];
/** The briefs the project grew from: not in the repository, so no file may cite them as a source. */
export const OUTSIDE_DOCUMENTS = ['DESIGN.md'];

// A path starts at a checked folder that is not itself inside a longer path, URL or route
// (`/honors`, `https://…/src/`, `node_modules/x/src/`), and runs over path characters.
const PATH = new RegExp(`(?<![\\w./:@~\\\\-])((?:${[...CHECKED_ROOTS, ...SRC_SHORTHANDS].join('|')})/[\\w.\\-/\\[\\]<>*{},]*)`, 'g');

/** Trims what prose puts after a path: sentence punctuation and closing brackets it did not open. */
function trimPath(raw: string): string {
  let p = raw;
  for (;;) {
    const before = p;
    p = p.replace(/[.,:;]+$/, '');
    for (const [open, close] of [
      ['[', ']'],
      ['<', '>'],
      ['{', '}'],
    ]) {
      if (p.endsWith(close) && p.split(open).length < p.split(close).length) p = p.slice(0, -1);
    }
    if (p === before) return p;
  }
}

/** Every path-like token in a text, trimmed, in order. */
export function pathsIn(text: string): string[] {
  return [...text.matchAll(PATH)].map((m) => trimPath(m[1])).filter((p) => /\/./.test(p) || p.endsWith('/'));
}

/** Every file and folder below root (relative, '/'-separated), skipping dependencies, build output and dot-folders. */
export function repositoryEntries(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = join(dir, e.name);
      out.push(relative(root, p).split(sep).join('/') + (e.isDirectory() ? '/' : ''));
      if (e.isDirectory()) walk(p);
    }
  };
  for (const top of CHECKED_ROOTS)
    if (existsSync(join(root, top))) {
      out.push(top + '/');
      walk(join(root, top));
    }
  return out;
}

const escapeRe = (s: string) => s.replace(/[.+?^$()|[\]\\]/g, '\\$&');

/** A pattern for a path with `<placeholders>` or `*`/`**` globs, matched against entries. */
function patternOf(path: string): RegExp {
  let re = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === '<') {
      const end = path.indexOf('>', i);
      re += '[^/]+';
      i = end < 0 ? path.length : end;
    } else if (c === '*') {
      if (path[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}/?$`);
}

/** `a/{b,c}.ts` → `a/b.ts`, `a/c.ts` (every choice of every brace list). */
function expandBraces(path: string): string[] {
  const m = /\{([^{}]*)\}/.exec(path);
  if (!m) return [path];
  return m[1].split(',').flatMap((choice) => expandBraces(path.slice(0, m.index) + choice + path.slice(m.index + m[0].length)));
}

/** Whether one path (no brace lists) exists; see pathExists. */
function oneExists(path: string, entries: ReadonlySet<string>): boolean {
  const p = SRC_SHORTHANDS.some((s) => path.startsWith(s + '/')) ? `src/${path}` : path;
  const bare = p.replace(/\/$/, '');
  if (/[<*]/.test(bare)) {
    const re = patternOf(bare);
    return [...entries].some((e) => re.test(e));
  }
  if (entries.has(bare) || entries.has(bare + '/')) return true;
  return /\/\d+$/.test(bare) && [...entries].some((e) => e.startsWith(bare + '-'));
}

/**
 * Whether a named path exists: as written; under src/ for the shorthands (`lib/forms.ts`); as a
 * numbered prefix (`docs/decisions/030` names `docs/decisions/030-hour-record-integrity.md`); a
 * path with `<placeholders>` or globs when at least one entry matches it; a brace list when every
 * choice exists.
 */
export function pathExists(path: string, entries: ReadonlySet<string>): boolean {
  return expandBraces(path).every((p) => oneExists(p, entries));
}

/** The paths named in a text that do not exist, plus any citation of a document outside the repository. */
export function missingPaths(text: string, entries: ReadonlySet<string>): string[] {
  const missing = pathsIn(text).filter((p) => !pathExists(p, entries));
  for (const doc of OUTSIDE_DOCUMENTS) {
    if (new RegExp(`(?<![\\w/.-])${escapeRe(doc)}`).test(text)) missing.push(doc);
  }
  return [...new Set(missing)];
}

/** Whether the token before a `/` ends an expression (then `/` divides; otherwise it starts a regular expression). */
function endsExpression(kind: ts.SyntaxKind): boolean {
  const K = ts.SyntaxKind;
  return (
    kind === K.Identifier ||
    kind === K.PrivateIdentifier ||
    kind === K.NumericLiteral ||
    kind === K.BigIntLiteral ||
    kind === K.StringLiteral ||
    kind === K.NoSubstitutionTemplateLiteral ||
    kind === K.TemplateTail ||
    kind === K.RegularExpressionLiteral ||
    kind === K.CloseParenToken ||
    kind === K.CloseBracketToken ||
    kind === K.CloseBraceToken ||
    kind === K.ThisKeyword ||
    kind === K.SuperKeyword ||
    kind === K.TrueKeyword ||
    kind === K.FalseKeyword ||
    kind === K.NullKeyword ||
    kind === K.PlusPlusToken ||
    kind === K.MinusMinusToken
  );
}

/** The comments of JavaScript/TypeScript source, read with TypeScript's scanner (strings, templates and regexes are not comments). */
export function scriptComments(code: string): string[] {
  const K = ts.SyntaxKind;
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, code);
  const out: string[] = [];
  const braces: ('template' | 'block')[] = [];
  let prev: ts.SyntaxKind = K.Unknown;
  for (let kind = scanner.scan(); kind !== K.EndOfFileToken; kind = scanner.scan()) {
    if (kind === K.SingleLineCommentTrivia || kind === K.MultiLineCommentTrivia) {
      out.push(scanner.getTokenText());
      continue;
    }
    if (kind === K.WhitespaceTrivia || kind === K.NewLineTrivia || kind === K.ShebangTrivia || kind === K.ConflictMarkerTrivia) continue;
    if ((kind === K.SlashToken || kind === K.SlashEqualsToken) && !endsExpression(prev)) kind = scanner.reScanSlashToken();
    if (kind === K.TemplateHead) braces.push('template');
    else if (kind === K.OpenBraceToken) braces.push('block');
    else if (kind === K.CloseBraceToken && braces.pop() === 'template') {
      kind = scanner.reScanTemplateToken(false);
      if (kind === K.TemplateMiddle) braces.push('template');
    }
    prev = kind;
  }
  return out;
}

/** The comments of a source file, by its kind; Markdown is prose through and through. */
export function proseOf(file: string, text: string): string[] {
  const ext = extname(file);
  if (ext === '.md') return [text];
  if (['.ts', '.mts', '.mjs', '.js', '.cjs'].includes(ext)) return scriptComments(text);
  if (ext === '.sql') return [...text.matchAll(/--[^\n]*|\/\*[\s\S]*?\*\//g)].map((m) => m[0]);
  if (ext === '.css') return [...text.matchAll(/\/\*[\s\S]*?\*\//g)].map((m) => m[0]);
  if (ext === '.astro') {
    const front = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
    const template = front ? text.slice(front[0].length) : text;
    const scripts = [...template.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].flatMap((m) => scriptComments(m[1]));
    const markup = [...template.matchAll(/<!--[\s\S]*?-->|\{\/\*[\s\S]*?\*\/\}/g)].map((m) => m[0]);
    return [...(front ? scriptComments(front[1]) : []), ...scripts, ...markup];
  }
  return [];
}

/** Files whose prose is checked: README.md, docs/**, and every source or Markdown file under src, db, scripts, tests. */
export function documentedFiles(root: string): string[] {
  const files = ['README.md'];
  const walk = (dir: string) => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else if (/\.(md|ts|mts|mjs|js|cjs|sql|css|astro)$/.test(e.name)) files.push(p);
    }
  };
  for (const top of ['docs', 'src', 'db', 'scripts', 'tests']) if (existsSync(join(root, top)) && statSync(join(root, top)).isDirectory()) walk(top);
  return files;
}

/** Every missing path in the repository's prose, as `file: path`. */
export function missingPathsInRepository(root: string): string[] {
  const entries = new Set(repositoryEntries(root));
  const out: string[] = [];
  for (const file of documentedFiles(root)) {
    const prose = proseOf(file, readFileSync(join(root, file), 'utf8')).join('\n');
    for (const p of missingPaths(prose, entries)) out.push(`${file}: ${p}`);
  }
  return out;
}
