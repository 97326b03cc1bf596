// Issue 22 (docs/decisions/107): a word in more documents than search counts. The tabs say "1000+", the
// page says 找到超过, the pager has no last page and 下一页 leads on; a rare word still has its exact count.
// At 360 px, 1280 px and in 大字 nothing is wider than the screen.
import { describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { portalHooks } from '../helpers/portal.ts';
import type { RunningServer } from '../helpers/server.ts';
import { openDb } from '../../db/client.ts';
import { COUNT_CAP } from '../../src/domain/search/index.ts';
import { fitsWidth } from '../helpers/pages.ts';

let server: RunningServer;
let browser: Browser;
/** Published articles with 社区 (the demo county's and ours). */
let matching = 0;
portalHooks(async (s, b) => {
  server = s;
  browser = b;
  const db = await openDb({ url: server.dbUrl });
  const now = Date.now();
  // COUNT_CAP + 60 articles about 社区 work, one about a rare word.
  await db.$client.batch(
    Array.from({ length: COUNT_CAP + 60 }, (_, i) => ({
      sql: `INSERT INTO articles (slug, channel, title, summary, body, tags, author, source, status, review_step, published_at, created_at)
            VALUES (?, 'news', ?, '', ?, '[]', '县文明办', '融媒', 'published', 2, ?, ?)`,
      args: [`many-${i}`, `第${i}期工作简报`, `志愿者走进社区开展第${i}次服务。`, now - i * 60_000, now],
    })),
    'write',
  );
  await db.$client.execute({
    sql: `INSERT INTO articles (slug, channel, title, summary, body, tags, author, source, status, review_step, published_at, created_at)
          VALUES ('rare-word', 'news', '古井清淤记', '', '村民与志愿者一起为百年古井清淤。', '[]', '县文明办', '融媒', 'published', 2, ?, ?)`,
    args: [now, now],
  });
  matching = Number((await db.$client.execute(`SELECT count(*) AS n FROM search_docs WHERE type = 'article' AND (title LIKE '%社区%' OR body LIKE '%社区%')`)).rows[0].n);
  db.$client.close();
});

const text = async (path: string) => {
  const res = await fetch(server.url + path);
  expect(res.status, path).toBe(200);
  return (await res.text()).replace(/<!--.*?-->/g, '');
};

describe('a common word past the count cap', () => {
  test('tabs say 1000+, the page says 找到超过, and 下一页 leads on past the counted pages', async () => {
    const page1 = await text(`/search?q=${encodeURIComponent('社区')}`);
    expect(page1).toContain(`新闻动态（${COUNT_CAP}+）`);
    expect(page1).toMatch(/找到超过 \d+ 条结果/);
    expect(page1).toContain('结果较多');
    expect(page1).toContain('第 1 页');
    expect(page1).not.toMatch(/第 1 \/ \d+ 页/);
    const articles = await text(`/search?q=${encodeURIComponent('社区')}&type=article&page=${COUNT_CAP / 10 + 1}`);
    expect(articles).toContain(`找到超过 ${COUNT_CAP} 条结果，第 ${COUNT_CAP / 10 + 1} 页`);
    expect(articles).toMatch(/rel="next"/);
    const last = await text(`/search?q=${encodeURIComponent('社区')}&type=article&page=${Math.ceil(matching / 10)}`);
    expect((last.match(/class="result-title"/g) ?? []).length).toBe(matching % 10 || 10);
    expect(last).not.toMatch(/rel="next"/);
    const beyond = await text(`/search?q=${encodeURIComponent('社区')}&type=article&page=400`);
    expect(beyond).toContain('这一页没有结果了');
    // A page number past the deepest walked one shows that page instead (docs/decisions/107); a bad cursor is ignored.
    const deep = await text(`/search?q=${encodeURIComponent('社区')}&type=article&page=5000&after=x1`);
    expect(deep).toContain('页码太大，这里是第 1001 页');
  });

  test('a rare word keeps its exact count and page numbers', async () => {
    const body = await text(`/search?q=${encodeURIComponent('古井')}`);
    expect(body).toContain('找到 1 条结果');
    expect(body).toContain('新闻动态（1）');
    expect(body).toContain('/articles/rare-word');
  });

  test.each([
    [360, false],
    [1280, false],
    [360, true],
  ])('at %i px (大字 %s) nothing is wider than the screen', async (width, large) => {
    const context = await browser.newContext({ viewport: { width, height: 900 }, javaScriptEnabled: false });
    if (large) await context.addCookies([{ name: 'sx_large', value: '1', url: server.url }]);
    const page = await context.newPage();
    for (const q of ['社区', '古井']) {
      await page.goto(`${server.url}/search?q=${encodeURIComponent(q)}`);
      await fitsWidth(page);
    }
    await context.close();
  });
});
