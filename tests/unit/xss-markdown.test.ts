import { describe, expect, test } from 'vitest';
import { renderUserMarkdown } from '../../src/lib/markdown.ts';
import { XSS_PAYLOADS } from '../fixtures/xss-payloads.ts';

describe('the corpus', () => {
  test('holds at least 200 payloads', () => expect(XSS_PAYLOADS.length).toBeGreaterThanOrEqual(200));
});

describe.each(XSS_PAYLOADS.map((p, i) => [i, p]))('Markdown payload #%i', (_i, payload) => {
  test('renders without executable markup', () => {
    const html = renderUserMarkdown(payload as string);
    // No raw tags survive (html: false escapes them), no script-capable URLs in attributes.
    expect(html).not.toMatch(/<(script|img[^>]*\son\w+|svg|iframe|object|embed|style|link|meta|base|body|input|select|textarea|details|video|audio|form|math|template|noscript|x)\b/i);
    expect(html).not.toMatch(/\s(href|src|action|formaction|xlink:href)="\s*(javascript|vbscript|data|file):/i);
    expect(html).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i);
  });
});
