// One rule for names and titles people type (issue 15, item 15; docs/decisions/079): no control,
// bidirectional-override or invisible characters. A U+202E in an event title made it display
// reversed in rosters and certificates; zero-width characters make two names look alike.
// Schemas apply it with `.refine(isPlainLine, plainLineError('活动名称'))` next to their other checks.

/** Bidi embeddings, overrides, isolates and marks (U+202A–U+202E, U+2066–U+2069, LRM, RLM, ALM). */
const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/u;
/** Zero-width space/joiners, word joiner, BOM. */
const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF]/u;
/**
 * Everything refused in a single line: controls (C0 incl. tab and newline, DEL, C1), format characters
 * (every bidi control, zero-width and invisible operator, soft hyphen, tags …), line/paragraph separators,
 * the combining grapheme joiner, Hangul fillers (blank look-alikes) and non-characters.
 */
const HIDDEN_IN_LINE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u034F\u115F\u1160\u3164\uFFA0\uFDD0-\uFDEF\uFFFE\uFFFF]/u;
/** The same for multi-line text, where line breaks and tabs are allowed. */
const HIDDEN_IN_TEXT = /(?![\n\r\t])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u034F\u115F\u1160\u3164\uFFA0\uFDD0-\uFDEF\uFFFE\uFFFF]/u;

/** Whether a single-line name or title is free of control, bidi and invisible characters. */
export function isPlainLine(s: string): boolean {
  return !HIDDEN_IN_LINE.test(s);
}

/** Whether multi-line text (a service description) is free of them; line breaks and tabs are fine. */
export function isPlainText(s: string): boolean {
  return !HIDDEN_IN_TEXT.test(s);
}

/** What the first hidden character is, in words, with its code point: "文字方向控制符 U+202E". */
export function describeHidden(s: string, multiLine = false): string | null {
  const m = (multiLine ? HIDDEN_IN_TEXT : HIDDEN_IN_LINE).exec(s);
  if (!m) return null;
  const c = m[0];
  const code = `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  const kind = BIDI.test(c) ? '文字方向控制符' : ZERO_WIDTH.test(c) ? '零宽字符' : /[\n\r]/.test(c) ? '换行' : /\p{Cc}/u.test(c) ? '控制字符' : '不可见字符';
  return `${kind} ${code}`;
}

/** The zod refinement message (Chinese, next to the field) for a name or title that fails `isPlainLine`. */
export function plainLineError(label: string) {
  return { error: (iss: { input?: unknown }) => `${label}含有看不见的${describeHidden(String(iss.input ?? '')) ?? '控制字符'}，请删除后重新输入` };
}

/** The same for multi-line text failing `isPlainText`. */
export function plainTextError(label: string) {
  return { error: (iss: { input?: unknown }) => `${label}含有看不见的${describeHidden(String(iss.input ?? ''), true) ?? '控制字符'}，请删除后重新输入` };
}

/** A tag, comment or character reference: what a browser would render but paper prints literally. */
const MARKUP = /<\/?[a-zA-Z!][^<>]*>|&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z][a-zA-Z0-9]*);/;

/**
 * Whether a single-line name is plain text: no hidden characters (isPlainLine) and no markup. A team's
 * name is printed on certificates, ledgers and posters, where `<b>红马甲</b>` would appear as typed.
 */
export function isPlainName(s: string): boolean {
  return isPlainLine(s) && !MARKUP.test(s);
}

/** The zod refinement message for a name failing `isPlainName` (hidden characters named first). */
export function plainNameError(label: string) {
  return {
    error: (iss: { input?: unknown }) => {
      const hidden = describeHidden(String(iss.input ?? ''));
      return hidden ? `${label}含有看不见的${hidden}，请删除后重新输入` : `${label}只能是文字，不能包含 HTML 标记（如 <b>、&amp;）`;
    },
  };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/**
 * The words of a note someone pasted with markup (`<b>加急</b>` → `加急`): tags dropped, entities decoded,
 * whitespace runs collapsed. For fields that are plain text by nature, whose markup would otherwise print
 * literally on a certificate (issue 19 item 2).
 */
export function stripMarkup(s: string): string {
  return s
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<\/?[a-zA-Z][^<>]*>/g, '')
    .replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (m, e: string) => {
      if (e[0] !== '#') return ENTITIES[e.toLowerCase()] ?? m;
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      if (!(cp > 0x1f && cp <= 0x10ffff) || (cp >= 0xd800 && cp <= 0xdfff)) return '';
      const ch = String.fromCodePoint(cp);
      // An entity must not smuggle in what the field's own check refuses (a U+202E written as &#x202E;).
      return isPlainLine(ch) ? ch : '';
    })
    .replace(/[ \t\u3000]+/g, ' ')
    .trim();
}
