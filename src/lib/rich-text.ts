// The one allow-list for rich text staff write in the console editor (issue 17 item 3,
// docs/decisions/087-rich-text-editor.md). Every save runs it on the server, whatever the
// browser sent; display runs it again, so a row written any other way is still safe.
import sanitizeHtml from 'sanitize-html';

/** A library image as /media serves it (src/domain/media/index.ts MEDIA_FILE, images only). */
export const LIBRARY_IMAGE = /^\/media\/[a-z0-9]{16,32}(?:-\d{1,5})?\.(?:webp|jpg|png)$/;
/** Link targets a reader may follow: web, mail, phone, our own paths and anchors. */
const SAFE_HREF = /^(?:https?:\/\/|mailto:|tel:|\/(?!\/)|#)/i;

const ALLOW: sanitizeHtml.IOptions = {
  allowedTags: ['h2', 'h3', 'h4', 'p', 'strong', 'em', 'u', 's', 'ul', 'ol', 'li', 'blockquote', 'a', 'img', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'br', 'hr'],
  allowedAttributes: { a: ['href', 'rel'], img: ['src', 'alt', 'width', 'height'], th: ['colspan', 'rowspan'], td: ['colspan', 'rowspan'] },
  // Scheme checks are ours (SAFE_HREF, LIBRARY_IMAGE); sanitize-html's own list is a second fence.
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  // Word and WPS headings: h1 is the page title, h5/h6 read as the smallest heading we keep.
  // b/i/strike come from pasted documents and old browsers; div and section become paragraphs.
  transformTags: {
    h1: 'h2',
    h5: 'h4',
    h6: 'h4',
    b: 'strong',
    i: 'em',
    strike: 's',
    del: 's',
    ins: 'u',
    div: 'p',
    a: (_tagName, attribs) => {
      const href = (attribs.href ?? '').trim();
      const out: Record<string, string> = {};
      if (SAFE_HREF.test(href)) out.href = href;
      if (/^https?:/i.test(href)) out.rel = 'noopener noreferrer nofollow';
      return { tagName: 'a', attribs: out };
    },
    img: (_tagName, attribs) => {
      const src = (attribs.src ?? '').trim();
      if (!LIBRARY_IMAGE.test(src)) return { tagName: 'img', attribs: {} };
      const out: Record<string, string> = { src, alt: (attribs.alt ?? '').slice(0, 200) };
      for (const k of ['width', 'height'] as const) if (/^\d{1,5}$/.test(attribs[k] ?? '')) out[k] = attribs[k];
      return { tagName: 'img', attribs: out };
    },
    td: cellSpans('td'),
    th: cellSpans('th'),
  },
  // An image that is not ours and a link without a safe target vanish (the link's text stays).
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'head', 'xml'],
  disallowedTagsMode: 'discard',
  parseStyleAttributes: false,
};

function cellSpans(tag: string): sanitizeHtml.Transformer {
  return (_name, attribs) => {
    const out: Record<string, string> = {};
    for (const k of ['colspan', 'rowspan'] as const) {
      const n = Number(attribs[k]);
      if (/^\d{1,3}$/.test(attribs[k] ?? '') && n > 1 && n <= 100) out[k] = String(n);
    }
    return { tagName: tag, attribs: out };
  };
}

/** The stored form of rich text: only the allow-list above, empty paragraphs of pasted documents dropped. */
export function sanitizeRichText(html: string): string {
  const clean = sanitizeHtml(html ?? '', ALLOW);
  // An <a> left without href is just its text.
  return (
    clean
      .replace(/<a>([\s\S]*?)<\/a>/g, '$1')
      // Word and WPS space paragraphs with empty ones; spacing is the stylesheet's job.
      .replace(/<p>(?:\s|&nbsp;|\u00a0|<br \/>)*<\/p>/g, '')
      .trim()
  );
}

const BLOCK_END = /<\/(?:h[2-4]|p|li|blockquote|tr|table|ul|ol)>|<br\s*\/?>|<hr\s*\/?>/gi;

/** What a reader reads of rich text: one line per block, cells separated by a space, entities decoded. */
export function richTextToPlain(html: string): string {
  const withBreaks = sanitizeRichText(html)
    // A table row is one line: paragraphs inside a cell (the editor writes them) are not line breaks.
    .replace(/(<t[dh][^>]*>)([\s\S]*?)(<\/t[dh]>)/g, (_m, open: string, inner: string, close: string) => open + inner.replace(/<\/?p>/g, ' ') + close)
    .replace(BLOCK_END, (m) => `${m}\n`)
    .replace(/<\/t[dh]>/gi, (m) => `${m} `);
  const text = sanitizeHtml(withBreaks, { allowedTags: [], allowedAttributes: {} })
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
  return text
    .split('\n')
    .map((l) => l.replace(/[ \t\u00a0]+/g, ' ').trim())
    .filter(Boolean)
    .join('\n');
}
