// The one way from an article body to its plain text (the 审核表's 正文 and fingerprint, issue 19 item 3).
// Bodies are Markdown today and rendered by the one renderer; when bodies become HTML, only this
// function changes: it reads the same HTML a reader sees and keeps its words and paragraph breaks.
import { renderUserMarkdown } from '../../lib/markdown.ts';
import { stripMarkup } from '../../lib/plain-text.ts';

/** Plain text of an article body: one line per paragraph, list item or heading; no markup. */
export function articleBodyText(body: string): string {
  const html = renderUserMarkdown(body);
  return html
    .replace(/<br\s*\/?>|<\/(p|h[1-6]|li|blockquote|pre|tr|div)>/gi, '\n')
    .split('\n')
    .map((line) => stripMarkup(line))
    .filter(Boolean)
    .join('\n');
}
