// robots.txt (issue 19, item 6): the sitemap at SITE_URL, and every private route disallowed as a
// crawler reads the rules (longest match wins, `*` matches any run of characters).
import { describe, expect, test } from 'vitest';
import { robotsTxt } from '../../src/domain/articles/feeds.ts';

/** Google's reading of robots.txt for one path: the longest matching rule decides; allowed when none matches. */
function allowed(robots: string, path: string): boolean {
  let best: { len: number; allow: boolean } = { len: -1, allow: true };
  for (const line of robots.split('\n')) {
    const m = /^(Allow|Disallow):\s*(\S*)$/i.exec(line.trim());
    if (!m || !m[2]) continue;
    const end = m[2].endsWith('$');
    const body = end ? m[2].slice(0, -1) : m[2];
    const re = new RegExp(
      '^' +
        body
          .split('*')
          .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*') +
        (end ? '$' : ''),
    );
    if (re.test(path) && m[2].length > best.len) best = { len: m[2].length, allow: m[1].toLowerCase() === 'allow' };
  }
  return best.allow;
}

describe('robots.txt', () => {
  const text = robotsTxt('https://shanxing.example.gov.cn');

  test('names the sitemap at SITE_URL and applies to every crawler', () => {
    expect(text).toContain('Sitemap: https://shanxing.example.gov.cn/sitemap.xml');
    expect(text.split('\n')[0]).toBe('User-agent: *');
  });

  test.each([
    '/console',
    '/console/users/3',
    '/me',
    '/me/profile',
    '/me?welcome=1',
    '/calendar/abcdefghijklmnopqrstuvwx.ics',
    '/files/5f3a.jpg',
    '/track/123',
    '/reset/abcdefghijklmnopqrst',
    '/forgot',
    '/verify/YX2026-000001',
    '/legal/rate/abcdefghijklmnopqrst',
    '/events/12/checkin',
    '/_actions/accounts.login',
  ])('disallows %s', (path) => {
    expect(allowed(text, path)).toBe(false);
  });

  test.each(['/', '/events', '/events/12', '/events/12.ics', '/honors/li-ming', '/articles/abc', '/teams', '/sitemap.xml', '/rss.xml', '/media/a.jpg'])('allows public %s', (path) => {
    expect(allowed(text, path)).toBe(true);
  });
});
