// The one reader of an article body (issue 17 item 3, docs/decisions/087): HTML for display
// and the reader's plain text for search, feeds, word checks and diffs. A body is Markdown
// (rows written before the rich-text editor, rendered exactly as before) or allow-listed HTML.
import { renderUserMarkdown } from '../../lib/markdown.ts';
import { richTextToPlain, sanitizeRichText } from '../../lib/rich-text.ts';

/** How a body is stored. */
export const BODY_FORMATS = ['markdown', 'html'] as const;
export type BodyFormat = (typeof BODY_FORMATS)[number];

/** The stored body of an article or a revision. */
export interface StoredBody {
  body: string;
  bodyFormat?: string | null;
}

/** The body as stored: HTML through the one allow-list, Markdown as written. */
export function storedBody(b: StoredBody): { body: string; bodyFormat: BodyFormat; bodyText: string } {
  if (b.bodyFormat === 'html') {
    const body = sanitizeRichText(b.body);
    return { body, bodyFormat: 'html', bodyText: richTextToPlain(body) };
  }
  return { body: b.body, bodyFormat: 'markdown', bodyText: richTextToPlain(renderUserMarkdown(b.body)) };
}

/** HTML to show (sanitised again: a row written any other way is still safe) and the reader's plain text. */
export function articleBody(b: StoredBody): { html: string; text: string } {
  const html = b.bodyFormat === 'html' ? sanitizeRichText(b.body) : renderUserMarkdown(b.body);
  return {
    html,
    get text() {
      return richTextToPlain(html);
    },
  };
}
