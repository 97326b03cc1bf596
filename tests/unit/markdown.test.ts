import { describe, expect, test } from 'vitest';
import { renderUserMarkdown } from '../../src/lib/markdown.ts';

describe('renderUserMarkdown', () => {
  test('renders headings and lists', () => {
    expect(renderUserMarkdown('## 标题\n\n- 一\n- 二')).toContain('<h2>标题</h2>');
  });
  test.each([
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '[点我](javascript:alert(1))',
    '[点我](JaVaScRiPt:alert(1))',
    '![x](javascript:alert(1))',
    '[x](data:text/html;base64,PHNjcmlwdD4=)',
    '<a href="javascript:alert(1)">x</a>',
  ])('no executable markup from %s', (src) => {
    const html = renderUserMarkdown(src);
    expect(html).not.toMatch(/<script|<img[^>]+onerror|href="javascript:|href="data:|src="javascript:/i);
  });
  test('external links get rel=noopener', () => {
    expect(renderUserMarkdown('[a](https://example.org)')).toContain('rel="noopener noreferrer nofollow"');
  });
});
