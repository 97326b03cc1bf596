// The one Markdown renderer (docs/architecture.md "Conventions"): html off, safe links only.
// Its output is, besides server-rendered charts (SvgChart.astro), the only HTML pages write with set:html.
import MarkdownIt from 'markdown-it';

const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: false });

const SAFE_URL = /^(https?:|mailto:|tel:|\/(?!\/)|#|\.{1,2}\/)/i;
md.validateLink = (url: string) => SAFE_URL.test(url.trim());

const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const href = String(tokens[idx].attrGet('href') ?? '');
  if (/^https?:/i.test(href)) {
    tokens[idx].attrSet('rel', 'noopener noreferrer nofollow');
  }
  return defaultLinkOpen(tokens, idx, options, env, self);
};
md.renderer.rules.image = (tokens, idx) => {
  const token = tokens[idx];
  const src = String(token.attrGet('src') ?? '');
  const alt = md.utils.escapeHtml(token.content);
  if (!/^(\/(?!\/)|https:)/i.test(src)) return alt;
  return `<img src="${md.utils.escapeHtml(src)}" alt="${alt}" loading="lazy" decoding="async">`;
};

/** Renders user or staff Markdown to safe HTML. */
export function renderUserMarkdown(source: string): string {
  return md.render(source ?? '');
}
