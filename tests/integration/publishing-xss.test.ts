import { describe, expect, test } from 'vitest';
import { renderUserMarkdown } from '../../src/lib/markdown.ts';
import { XSS_PAYLOADS } from '../fixtures/publishing-xss-payloads.ts';

/** Executable markup: any real tag other than the renderer's safe set, event handlers, script URLs. */
export function executableMarkup(html: string): string[] {
  const problems: string[] = [];
  const allowed = new Set([
    'p',
    'a',
    'img',
    'em',
    'strong',
    'code',
    'pre',
    'blockquote',
    'ul',
    'ol',
    'li',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'hr',
    'br',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
    's',
  ]);
  for (const m of html.matchAll(/<\s*\/?\s*([a-zA-Z][\w:-]*)([^>]*)>/g)) {
    const tag = m[1].toLowerCase();
    if (!allowed.has(tag)) problems.push(`tag <${tag}>`);
    const attrs = m[2];
    for (const a of attrs.matchAll(/\s([a-zA-Z-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/g)) {
      const name = a[1].toLowerCase();
      const value = a[2].replace(/^["']|["']$/g, '');
      if (name.startsWith('on') || name === 'style' || name === 'srcdoc') problems.push(`attr ${name}`);
      if ((name === 'href' || name === 'src') && !/^(https?:\/\/|\/(?!\/)|#|mailto:|tel:)/i.test(value)) problems.push(`${name}=${value}`);
    }
  }
  return problems;
}

describe('Markdown renderer refuses executable markup', () => {
  test('there are at least 50 payloads', () => expect(XSS_PAYLOADS.length).toBeGreaterThanOrEqual(50));
  test.each(XSS_PAYLOADS.map((p, i) => [i, p]))('payload %i', (_i, payload) => {
    const html = renderUserMarkdown(payload as string);
    expect(executableMarkup(html), html).toEqual([]);
  });
  test('ordinary Markdown still renders (the check can fail)', () => {
    expect(executableMarkup(renderUserMarkdown('[ok](https://a.com) ![i](/media/a.webp)'))).toEqual([]);
    expect(executableMarkup('<img src=x onerror=alert(1)>')).not.toEqual([]);
  });
});
