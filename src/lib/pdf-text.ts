// Chinese text in our PDFs (certificates, 推荐表): Noto Sans SC from @fontsource/noto-sans-sc with
// per-character fallback to its numbered unicode-range files (docs/decisions/032), and an explicit
// substitute for characters no bundled font has (𠮷, 䶮 …), so nothing ever prints as an empty box
// (issue 19 item 2, docs/decisions/093).
import * as fontkit from 'fontkit';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { woffToSfnt } from '../domain/hours/woff.ts';

const require = createRequire(import.meta.url);

export interface FontFile {
  name: string;
  path: string;
  ranges: [number, number][];
}

let fontsCache: { main: FontFile; fallbacks: FontFile[] } | undefined;

/** Locates the font package and parses its unicode.json ranges (once per process). */
function fonts() {
  if (fontsCache) return fontsCache;
  const dir = dirname(require.resolve('@fontsource/noto-sans-sc/unicode.json'));
  const map = JSON.parse(readFileSync(join(dir, 'unicode.json'), 'utf8')) as Record<string, string>;
  const parse = (s: string): [number, number][] =>
    s.split(',').map((part) => {
      const [a, b] = part.trim().replace(/^U\+/i, '').split('-');
      return [parseInt(a, 16), parseInt(b ?? a, 16)];
    });
  const fallbacks: FontFile[] = Object.entries(map).map(([key, ranges]) => {
    const id = key.replace(/^\[(\d+)\]$/, '$1');
    return { name: `noto-${id}`, path: join(dir, 'files', `noto-sans-sc-${id}-400-normal.woff`), ranges: parse(ranges) };
  });
  fontsCache = { main: { name: 'noto-sc', path: join(dir, 'files', 'noto-sans-sc-chinese-simplified-400-normal.woff'), ranges: [] }, fallbacks };
  return fontsCache;
}

const sfntCache = new Map<string, Buffer>();
/** The font file decompressed to SFNT once per process (see woff.ts for why). */
export function fontBytes(path: string): Buffer {
  let b = sfntCache.get(path);
  if (!b) {
    b = woffToSfnt(readFileSync(path));
    sfntCache.set(path, b);
  }
  return b;
}

const glyphCache = new Map<string, { hasGlyphForCodePoint(cp: number): boolean }>();
function openFont(path: string) {
  let f = glyphCache.get(path);
  if (!f) {
    f = fontkit.create(fontBytes(path));
    glyphCache.set(path, f);
  }
  return f;
}

/** The font file that has a glyph for the code point, or null when no bundled font has one. */
export function fontFor(cp: number): FontFile | null {
  const { main, fallbacks } = fonts();
  if (cp < 0x80 || openFont(main.path).hasGlyphForCodePoint(cp)) return main;
  for (const f of fallbacks) {
    if (f.ranges.some(([a, b]) => cp >= a && cp <= b) && openFont(f.path).hasGlyphForCodePoint(cp)) return f;
  }
  return null;
}

/**
 * Variant forms printed for characters the fonts lack: the same character in its other encoded form
 * (䶮 U+4DAE and 龑 U+9F91 are one name character), or the everyday form people write it with.
 */
const VARIANTS: Record<string, string> = { '𠮷': '吉', 䶮: '龑' };
/** What is printed when there is no variant either: the typesetter's sign for a missing character. */
export const MISSING_MARK = '〓';

/** A character that was printed as something else, for the footnote under the document. */
export interface Substitution {
  original: string;
  printed: string;
  code: string;
}

/** Text with every character no bundled font can draw replaced (variant or 〓); substitutions are added to `seen`. */
export function printable(text: string, seen?: Map<string, Substitution>): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    // Line breaks, spaces and other controls are layout, not glyphs.
    if (cp < 0x20 || fontFor(cp)) {
      out += ch;
      continue;
    }
    const variant = VARIANTS[ch];
    const printed = variant && [...variant].every((c) => fontFor(c.codePointAt(0)!)) ? variant : MISSING_MARK;
    seen?.set(ch, { original: ch, printed, code: `U+${cp.toString(16).toUpperCase().padStart(4, '0')}` });
    out += printed;
  }
  return out;
}

/** The footnote naming each substituted character by its code point (its glyph cannot be printed). */
export function substitutionNote(seen: Map<string, Substitution>): string {
  if (!seen.size) return '';
  const parts = [...seen.values()].map((s) => `“${s.printed}”处原字为 ${s.code}`);
  return `注：因字库缺字，${parts.join('；')}。`;
}

/** Splits text into runs that share a font (characters without one are expected to be replaced by `printable` first). */
export function fontRuns(text: string): { font: FontFile; text: string }[] {
  const runs: { font: FontFile; text: string }[] = [];
  const main = fonts().main;
  for (const ch of text) {
    const f = fontFor(ch.codePointAt(0)!) ?? main;
    const last = runs[runs.length - 1];
    if (last && last.font.name === f.name) last.text += ch;
    else runs.push({ font: f, text: ch });
  }
  return runs;
}

type Doc = PDFKit.PDFDocument;

/** A writer bound to one document: draws text with per-character font fallback after `printable`. */
export function pdfWriter(doc: Doc, seen: Map<string, Substitution> = new Map()) {
  const registered = new Set<string>();
  const write = (text: string, x?: number, y?: number, opts: PDFKit.Mixins.TextOptions = {}) => {
    const runs = fontRuns(printable(text, seen));
    runs.forEach((r, i) => {
      if (!registered.has(r.font.name)) {
        doc.registerFont(r.font.name, fontBytes(r.font.path));
        registered.add(r.font.name);
      }
      doc.font(r.font.name);
      const last = i === runs.length - 1;
      if (i === 0 && x !== undefined) doc.text(r.text, x, y, { ...opts, continued: !last });
      else doc.text(r.text, { ...opts, continued: !last });
    });
  };
  return { write, seen };
}
