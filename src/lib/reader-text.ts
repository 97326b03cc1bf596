// What a reader sees of a stored text, for the personal-data check (issue 15 item 9,
// docs/decisions/078-reader-text-personal-data.md): width folded (NFKC), invisible
// characters and Markdown/HTML markup hidden, entities decoded as markdown-it would.
// Every visible character keeps the range of the original text it came from, so a
// hit found in the reader's text can be masked in the original.
import MarkdownIt from 'markdown-it';

const { unescapeAll } = new MarkdownIt().utils;

/** One character as a reader sees it, and where it came from in the original. */
export interface ReaderChar {
  ch: string;
  /** [start, end) in the original text. */
  start: number;
  end: number;
  /** Something was hidden (markup, an invisible character, a tag) just before this character. */
  afterHidden: boolean;
}

// Zero-width, bidi controls, soft hyphen, BOM, variation selectors, other controls (not line breaks or tabs).
const INVISIBLE = /^[\p{Cf}\p{Default_Ignorable_Code_Point}\p{Mn}\p{Me}\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]$/u;
// Markdown emphasis, code, strikethrough, escapes and link brackets: shapes, not letters.
const MARKUP = new Set(['*', '_', '~', '`', '\\', '[', ']']);
const ENTITY = /&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});/y;
const TAG = /<\/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?\/?>/y;
const LINK_DEST = /\]\([^()\n]{0,2000}\)/y;

/**
 * The reader's view of `text`. With `hideUrls`, inline link and image destinations
 * (`](…)`) and HTML-looking tags are hidden too (the reader sees the link text, and a
 * tag would split a number); without it they stay visible, so a number inside a URL is
 * still seen. The personal-data check looks at both views.
 */
export function readerChars(text: string, opts: { hideUrls?: boolean } = {}): ReaderChar[] {
  const out: ReaderChar[] = [];
  let hidden = false;
  const push = (s: string, start: number, end: number) => {
    for (const ch of s.normalize('NFKC')) {
      if (INVISIBLE.test(ch)) {
        hidden = true;
        continue;
      }
      out.push({ ch, start, end, afterHidden: hidden });
      hidden = false;
    }
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '&') {
      ENTITY.lastIndex = i;
      const m = ENTITY.exec(text);
      if (m) {
        const decoded = unescapeAll(m[0]);
        if (decoded !== m[0]) {
          push(decoded, i, i + m[0].length);
          i += m[0].length;
          continue;
        }
      }
    }
    if (opts.hideUrls && c === ']') {
      LINK_DEST.lastIndex = i;
      const m = LINK_DEST.exec(text);
      if (m) {
        hidden = true;
        i += m[0].length;
        continue;
      }
    }
    if (opts.hideUrls && c === '<') {
      TAG.lastIndex = i;
      const m = TAG.exec(text);
      if (m) {
        hidden = true;
        i += m[0].length;
        continue;
      }
    }
    if (MARKUP.has(c)) {
      hidden = true;
      i++;
      continue;
    }
    const cp = text.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    push(text.slice(i, i + len), i, i + len);
    i += len;
  }
  return out;
}

/** The text a reader sees (width folded, invisible characters and markup removed, entities decoded). */
export function readerText(text: string, opts: { hideUrls?: boolean } = { hideUrls: true }): string {
  return readerChars(text, opts)
    .map((c) => c.ch)
    .join('');
}
